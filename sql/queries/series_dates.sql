-- Dashboard (sidebar series picker, freshness): each download series in model_snapshots. No variables.
-- Series have different populations (a catalog, daily top lists, live refreshes): charts never mix them.
SELECT
    series,
    count(DISTINCT snapshot_date)  AS dates,
    min(snapshot_date)             AS first_date,
    max(snapshot_date)             AS last_date,
    count(DISTINCT model_id)       AS models,
    count(*)                       AS rows
FROM model_snapshots
GROUP BY series
ORDER BY dates DESC, series;
