-- Overview / Trends: share_over_time.sql measured in downloads per day (the daily_downloads view), for the
-- "all models recorded on each date" population. Only run when the view exists (cohort_measures.sql).
-- Variables: series 'hubstats-daily', since NULL, plus the filters of sql/rollups.sql. Same columns as
-- share_over_time.sql with downloads_per_day for downloads_30d.
WITH agg AS (
    SELECT d.snapshot_date, m.cls, count(*)::BIGINT AS models,
           COALESCE(sum(d.downloads_per_day), 0)::DOUBLE AS downloads_per_day
    FROM daily_downloads d
    JOIN hs_models() m USING (model_id)
    WHERE d.series = COALESCE(getvariable('series'), 'hubstats-daily')
      AND d.snapshot_date >= COALESCE(getvariable('since'), DATE '1900-01-01')
    GROUP BY ALL
),
d AS (
    SELECT
        snapshot_date,
        sum(models)::BIGINT                                                         AS date_models,
        sum(downloads_per_day)                                                      AS date_downloads,
        COALESCE(sum(models) FILTER (WHERE cls = 'unknown'), 0)::BIGINT             AS unknown_models,
        COALESCE(sum(downloads_per_day) FILTER (WHERE cls = 'unknown'), 0)          AS unknown_downloads
    FROM agg GROUP BY snapshot_date
)
SELECT
    a.snapshot_date,
    a.cls,
    a.models,
    a.downloads_per_day,
    a.downloads_per_day / NULLIF(d.date_downloads - d.unknown_downloads, 0) AS share_downloads,
    a.models / NULLIF(d.date_models - d.unknown_models, 0)                  AS share_models,
    d.date_models,
    d.date_downloads,
    d.unknown_models,
    d.unknown_downloads
FROM agg a
JOIN d USING (snapshot_date)
WHERE a.cls <> 'unknown'
ORDER BY a.snapshot_date, a.cls;
