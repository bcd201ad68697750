-- Trends: fastest risers and fallers in 30-day downloads between two snapshot dates of one series (models
-- recorded on both dates).
-- Variables: threshold default_threshold(), scope 'language', unknown 'exclude', tasks [], orgs [], series 'catalog',
-- n 15 (rows per direction), date_from / date_to (DATE). With both dates unset, the series' default span
-- (rollup_movers_span: earliest date with at least half the latest date's models → latest date) is read from
-- rollup_movers; with dates set, from the raw model_snapshots rows.
WITH pairs AS (
    SELECT r.model_id, hs_class(r.params_total) AS cls, r.params_total, r.pipeline_tag, r.date_from, r.date_to,
           r.downloads_from, r.downloads_to, r.change
    FROM rollup_movers r
    WHERE getvariable('date_from') IS NULL AND getvariable('date_to') IS NULL
      AND r.series = COALESCE(getvariable('series'), 'catalog')
      AND hs_keep(r.is_language_model, r.pipeline_tag, r.author)
    UNION ALL
    SELECT m.model_id, m.cls, m.params_total, m.pipeline_tag, a.snapshot_date, z.snapshot_date,
           a.downloads_30d, z.downloads_30d, z.downloads_30d - a.downloads_30d
    FROM model_snapshots a
    JOIN model_snapshots z USING (model_id, series)
    JOIN hs_models() m USING (model_id)
    WHERE NOT (getvariable('date_from') IS NULL AND getvariable('date_to') IS NULL)
      AND a.series = COALESCE(getvariable('series'), 'catalog')
      AND a.snapshot_date = getvariable('date_from') AND z.snapshot_date = getvariable('date_to')
      AND getvariable('date_from') < getvariable('date_to')
      AND a.downloads_30d IS NOT NULL AND z.downloads_30d IS NOT NULL
),
risers AS (
    SELECT 'riser' AS direction, * FROM pairs WHERE change > 0
    ORDER BY change DESC, model_id LIMIT COALESCE(getvariable('n'), 15)
),
fallers AS (
    SELECT 'faller' AS direction, * FROM pairs WHERE change < 0
    ORDER BY change ASC, model_id LIMIT COALESCE(getvariable('n'), 15)
)
SELECT
    direction, model_id, cls, params_total, pipeline_tag, date_from, date_to, downloads_from, downloads_to, change,
    change / NULLIF(downloads_from, 0) AS change_ratio,
    (SELECT count(*) FROM pairs) AS models_compared
FROM (SELECT * FROM risers UNION ALL SELECT * FROM fallers)
ORDER BY direction DESC, abs(change) DESC, model_id;
