-- Overview / Trends (fixed-cohort charts) and the headline's trend: SLM vs LLM per non-thin snapshot date of ONE
-- series, over a FIXED COHORT: the models (after the filters) present on every non-thin date from cohort_from to the
-- series' last date inside the window. Same columns as share_over_time.sql, so either feeds the same chart.
-- Variables: series 'catalog', since NULL (DATE), cohort_from NULL (DATE; default: the earliest non-thin date whose
-- cohort has at least greatest(min_models, half the window's median date)), cohort_rule 'chart' ('period' = the
-- headline's default: from the latest non-thin date >= 30 days before the last), min_models 100, plus the filters of
-- sql/rollups.sql (threshold, scope, unknown, tasks, orgs). Thin dates: see cohort_dates.sql (same rule).
-- A model's downloads on a date are its day's latest non-NULL 30-day count (0 when none).
-- Read from the date-space rollups (sql/rollups.sql), never the decoded model_snapshots: a model is recorded on a
-- date when one of its presence runs covers the date's idx; models with one open run come summed by run start.
WITH pres AS MATERIALIZED (FROM hs_cohort_presence()),  -- the blocks are macros of sql/rollups.sql
starts AS MATERIALIZED (FROM hs_cohort_starts()),
days AS MATERIALIZED (FROM hs_cohort_days('pres', 'starts')),
tails AS MATERIALIZED (FROM hs_cohort_tails('pres', 'starts', 'days')),
sizes AS (FROM hs_cohort_sizes('days', 'tails')),
start AS (FROM hs_cohort_start('days', 'sizes')),
cohort AS MATERIALIZED (SELECT t.* FROM tails t, start WHERE t.tail >= start.back_rank),
counts AS (SELECT cls, sum(n)::BIGINT AS models FROM cohort GROUP BY cls),
dates AS (SELECT idx FROM rollup_dates WHERE series = COALESCE(getvariable('series'), 'catalog')),
joined AS MATERIALIZED (  -- the day values of the cohort's models counted one by one
    SELECT c.cls, r.first_idx, r.last_idx, r.downloads_30d AS v FROM hs_cohort_day_runs() r JOIN cohort c USING (model_key)
),
steps AS (  -- +value on a run's first date, -value after its last (the sums are such steps); summed up to a date:
    SELECT cls, idx, sum(v) AS v FROM (  -- the date's total
        SELECT cls, first_idx AS idx, sum(v) AS v FROM joined GROUP BY ALL
        UNION ALL
        SELECT cls, last_idx + 1, -sum(v) FROM joined WHERE last_idx IS NOT NULL GROUP BY ALL
        UNION ALL
        SELECT s.cls, s.idx, sum(s.v) FROM hs_cohort_regular_steps() s JOIN cohort c USING (cls, start_idx) GROUP BY ALL
    ) GROUP BY ALL
),
totals AS (
    SELECT c.cls, d.idx,
           COALESCE(sum(s.v) OVER (PARTITION BY c.cls ORDER BY d.idx ROWS UNBOUNDED PRECEDING), 0) AS downloads_30d
    FROM dates d CROSS JOIN counts c LEFT JOIN steps s ON s.cls = c.cls AND s.idx = d.idx
),
agg AS (  -- every cohort model is recorded on each of these dates
    SELECT ok.snapshot_date, c.cls, c.models, t.downloads_30d::BIGINT AS downloads
    FROM days ok CROSS JOIN counts c CROSS JOIN start
    JOIN totals t ON t.cls = c.cls AND t.idx = ok.idx
    WHERE ok.back_rank <= start.back_rank
)
SELECT * REPLACE (date_downloads::BIGINT AS date_downloads, unknown_downloads::BIGINT AS unknown_downloads)
    RENAME (downloads AS downloads_30d)
FROM hs_shares('agg')
ORDER BY snapshot_date, cls;
