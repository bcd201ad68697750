-- Overview / Trends (fixed-cohort charts) and the headline's trend: SLM vs LLM per non-thin snapshot date of ONE
-- series, over a FIXED COHORT: the models (after the filters) present on every non-thin date from cohort_from to the
-- series' last date inside the window. Same columns as share_over_time.sql, so either feeds the same chart.
-- Variables: series 'catalog', since NULL (DATE), cohort_from NULL (DATE; default: the earliest non-thin date whose
-- cohort has at least greatest(min_models, half the window's median date)), cohort_rule 'chart' ('period' = the
-- headline's default: from the latest non-thin date >= 30 days before the last), min_models 100, plus the filters of
-- sql/rollups.sql (threshold, scope, unknown, tasks, orgs). Thin dates: see cohort_dates.sql (same rule).
-- A model's downloads on a date are its day's latest non-NULL 30-day count (0 when none).
-- Read from the date-space rollups (sql/rollups.sql: rollup_dates, rollup_presence, rollup_day_runs), never the
-- decoded model_snapshots: a model is recorded on a date when one of its presence runs covers the date's idx.
WITH pres AS MATERIALIZED (FROM hs_cohort_presence()),  -- the blocks are macros of sql/rollups.sql
days AS MATERIALIZED (FROM hs_cohort_days('pres')),
tails AS MATERIALIZED (FROM hs_cohort_tails('pres', 'days')),
sizes AS (FROM hs_cohort_sizes('days', 'tails')),
start AS (FROM hs_cohort_start('days', 'sizes')),
cohort AS MATERIALIZED (SELECT model_key, cls FROM tails, start WHERE tails.tail >= start.back_rank),
counts AS (SELECT cls, count(*)::BIGINT AS models FROM cohort GROUP BY cls),
dates AS (SELECT idx FROM rollup_dates WHERE series = COALESCE(getvariable('series'), 'catalog')),
joined AS MATERIALIZED (  -- the cohort's day values: runs of dates (idx) with one downloads_30d each
    SELECT c.cls, r.first_idx, COALESCE(r.last_idx, (SELECT max(idx) FROM dates)) AS last_idx, r.downloads_30d AS v
    FROM rollup_day_runs r
    JOIN cohort c USING (model_key)
    WHERE r.series = COALESCE(getvariable('series'), 'catalog')
),
steps AS (  -- +value on a run's first date, -value after its last; the sum up to a date is the date's total
    SELECT cls, idx, sum(v) AS v FROM (
        SELECT cls, first_idx AS idx, sum(v) AS v FROM joined GROUP BY ALL
        UNION ALL
        SELECT cls, last_idx + 1, -sum(v) FROM joined GROUP BY ALL
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
