-- Trends: fastest risers and fallers in 30-day downloads between the first and the last snapshot date of one
-- series inside the window (models present on both dates).
-- Variables: threshold 10e9, scope 'language', unknown 'exclude', tasks [], orgs [], series 'catalog',
-- since NULL (DATE), n 15 (rows per direction).
WITH s AS (
    SELECT model_id, snapshot_date, downloads_30d
    FROM model_snapshots
    WHERE series = COALESCE(getvariable('series'), 'catalog')
      AND snapshot_date >= COALESCE(getvariable('since'), DATE '1900-01-01')
),
bounds AS (SELECT min(snapshot_date) AS date_from, max(snapshot_date) AS date_to FROM s),
pairs AS (
    SELECT
        m.model_id, m.cls, m.params_total, m.pipeline_tag, b.date_from, b.date_to,
        a.downloads_30d AS downloads_from,
        z.downloads_30d AS downloads_to,
        z.downloads_30d - a.downloads_30d AS change
    FROM bounds b
    JOIN s a ON a.snapshot_date = b.date_from
    JOIN s z ON z.snapshot_date = b.date_to AND z.model_id = a.model_id
    JOIN hs_models() m ON m.model_id = a.model_id
    WHERE b.date_from < b.date_to AND a.downloads_30d IS NOT NULL AND z.downloads_30d IS NOT NULL
),
ranked AS (
    SELECT *,
        row_number() OVER (ORDER BY change DESC, model_id) AS rise_rank,
        row_number() OVER (ORDER BY change ASC, model_id)  AS fall_rank,
        count(*) OVER ()                                   AS models_compared
    FROM pairs
)
SELECT
    CASE WHEN rise_rank <= COALESCE(getvariable('n'), 15) AND change > 0 THEN 'riser' ELSE 'faller' END AS direction,
    model_id, cls, params_total, pipeline_tag, date_from, date_to, downloads_from, downloads_to, change,
    change / NULLIF(downloads_from, 0) AS change_ratio,
    models_compared
FROM ranked
WHERE (rise_rank <= COALESCE(getvariable('n'), 15) AND change > 0)
   OR (fall_rank <= COALESCE(getvariable('n'), 15) AND change < 0)
ORDER BY direction DESC, abs(change) DESC, model_id;
