-- Overview / Trends (fixed-cohort charts): the snapshot dates of ONE series inside the window, each with the models
-- it recorded (after the filters), whether it is thin, and the fixed cohort a chart starting on that date would have.
-- Variables: series 'catalog', since NULL (DATE), min_models 100, plus the filters of sql/rollups.sql (threshold,
-- scope, tasks, orgs; unknown does not matter here: every model counts).
-- A date is THIN when it recorded fewer than greatest(min_models, a quarter of the window's median date): thin dates
-- are drawn grey, left out of cohorts and of the headline. cohort_models = the models present on EVERY non-thin date
-- from this date to the last (a model missing one date drops out), i.e. the fixed cohort starting here.
WITH s AS MATERIALIZED (  -- one row per model and date (a day may hold several snapshots)
    SELECT DISTINCT s.model_id, s.snapshot_date
    FROM model_snapshots s
    JOIN hs_models() m USING (model_id)
    WHERE s.series = COALESCE(getvariable('series'), 'catalog')
      AND s.snapshot_date >= COALESCE(getvariable('since'), DATE '1900-01-01')
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
