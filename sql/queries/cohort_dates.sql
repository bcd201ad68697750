-- Overview / Trends (fixed-cohort charts): the snapshot dates of ONE series inside the window, each with the models
-- it recorded (after the filters), whether it is thin, and the fixed cohort a chart starting on that date would have.
-- Variables: series 'catalog', since NULL (DATE), min_models 100, plus the filters of sql/rollups.sql (threshold,
-- scope, tasks, orgs; unknown does not matter here: every model counts).
-- A date is THIN when it recorded fewer than greatest(min_models, a quarter of the window's median date): thin dates
-- are drawn grey, left out of cohorts and of the headline. cohort_models = the models present on EVERY non-thin date
-- from this date to the last (a model missing one date drops out), i.e. the fixed cohort starting here.
-- Read from the date-space rollups (sql/rollups.sql), never the decoded model_snapshots: a model is recorded on a
-- date when one of its presence runs covers the date's idx; models with one open run come summed by run start.
WITH pres AS MATERIALIZED (FROM hs_cohort_presence()),  -- the blocks are macros of sql/rollups.sql
starts AS MATERIALIZED (FROM hs_cohort_starts()),
days AS MATERIALIZED (FROM hs_cohort_days('pres', 'starts')),
tails AS MATERIALIZED (FROM hs_cohort_tails('pres', 'starts', 'days'))
SELECT
    d.snapshot_date,
    d.date_models::BIGINT        AS date_models,
    d.back_rank IS NULL          AS thin,
    d.min_count,
    d.back_rank,
    z.n::BIGINT                  AS cohort_models
FROM days d
LEFT JOIN hs_cohort_sizes('days', 'tails') z USING (back_rank)
ORDER BY d.snapshot_date;
