-- Dashboard (sidebar series picker, Data freshness): each download series in model_snapshots, from the
-- rollup_series table (sql/rollups.sql). No variables.
-- Series have different populations (a catalog, daily top lists, live refreshes): charts never mix them.
SELECT series, dates, first_date, last_date, models, rows
FROM rollup_series
ORDER BY dates DESC, series;
