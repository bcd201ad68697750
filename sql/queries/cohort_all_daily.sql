-- Overview / Trends: share_over_time.sql measured in downloads per day (the daily_downloads view), for the
-- "all models recorded on each date" population. Only run when the view exists (cohort_measures.sql).
-- Variables: series 'hubstats-daily', since NULL, plus the filters of sql/rollups.sql. Same columns as
-- share_over_time.sql with downloads_per_day for downloads_30d.
WITH agg AS (
    SELECT d.snapshot_date, m.cls, count(*)::BIGINT AS models,
           COALESCE(sum(d.downloads_per_day), 0)::DOUBLE AS downloads
    FROM daily_downloads d
    JOIN hs_models() m USING (model_id)
    WHERE d.series = COALESCE(getvariable('series'), 'hubstats-daily')
      AND d.snapshot_date >= COALESCE(getvariable('since'), DATE '1900-01-01')
    GROUP BY ALL
)
SELECT * RENAME (downloads AS downloads_per_day) FROM hs_shares('agg') ORDER BY snapshot_date, cls;  -- sql/rollups.sql
