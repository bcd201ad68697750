-- Overview / Trends: cohort_dates.sql for the downloads-per-day measure (the daily_downloads view): a model is
-- present on a date when it has a daily figure there. Same variables, rules and columns as cohort_dates.sql
-- (series default 'hubstats-daily'). Only run when the view exists (cohort_measures.sql).
WITH s AS MATERIALIZED (FROM hs_daily_rows('daily_downloads')),  -- the blocks are macros of sql/rollups.sql
days AS MATERIALIZED (FROM hs_daily_days('s')),
tails AS (FROM hs_daily_tails('s', 'days'))
SELECT d.snapshot_date, d.date_models, d.back_rank IS NULL AS thin, d.min_count, d.back_rank,
       z.n::BIGINT AS cohort_models
FROM days d
LEFT JOIN hs_cohort_sizes('days', 'tails') z USING (back_rank)
ORDER BY d.snapshot_date;
