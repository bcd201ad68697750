-- Overview / Trends: cohort_dates.sql for the downloads-per-day measure (the daily_downloads view): a model is
-- present on a date when it has a daily figure there. Same variables, rules and columns as cohort_dates.sql
-- (series default 'hubstats-daily'). Only run when the view exists (cohort_measures.sql).
WITH s AS MATERIALIZED (  -- daily_downloads holds one row per model, series and date
    SELECT d.model_id, d.snapshot_date
    FROM daily_downloads d
    JOIN hs_models() m USING (model_id)
    WHERE d.series = COALESCE(getvariable('series'), 'hubstats-daily')
      AND d.snapshot_date >= COALESCE(getvariable('since'), DATE '1900-01-01')
),
per_date AS (SELECT snapshot_date, count(*) AS date_models FROM s GROUP BY ALL),
cut AS (
    SELECT greatest(COALESCE(getvariable('min_models'), 100), 0.25 * median(date_models)) AS min_count
    FROM per_date
),
ok AS (
    SELECT p.snapshot_date, row_number() OVER (ORDER BY p.snapshot_date DESC) AS back_rank
    FROM per_date p, cut WHERE p.date_models >= cut.min_count
),
-- per model: how many of the latest non-thin dates it is present on without a gap (its own rank = the date's rank)
tail AS (
    SELECT model_id, count(*) FILTER (WHERE own_rank = back_rank) AS tail
    FROM (
        SELECT s.model_id, ok.back_rank,
               row_number() OVER (PARTITION BY s.model_id ORDER BY ok.back_rank) AS own_rank
        FROM s JOIN ok USING (snapshot_date)
    )
    GROUP BY model_id
)
SELECT
    p.snapshot_date,
    p.date_models,
    ok.snapshot_date IS NULL                                           AS thin,
    cut.min_count,
    ok.back_rank,
    CASE WHEN ok.snapshot_date IS NULL THEN NULL
         ELSE (SELECT count(*) FROM tail WHERE tail.tail >= ok.back_rank) END AS cohort_models
FROM per_date p
CROSS JOIN cut
LEFT JOIN ok USING (snapshot_date)
ORDER BY p.snapshot_date;
