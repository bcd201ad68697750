-- Overview / Trends (fixed-cohort charts): the snapshot dates of ONE series inside the window, each with the models
-- it recorded (after the filters), whether it is thin, and the fixed cohort a chart starting on that date would have.
-- Variables: series 'catalog', since NULL (DATE), min_models 100, plus the filters of sql/rollups.sql (threshold,
-- scope, tasks, orgs; unknown does not matter here: every model counts).
-- A date is THIN when it recorded fewer than greatest(min_models, a quarter of the window's median date): thin dates
-- are drawn grey, left out of cohorts and of the headline. cohort_models = the models present on EVERY non-thin date
-- from this date to the last (a model missing one date drops out), i.e. the fixed cohort starting here.
-- Read from the date-space rollups (sql/rollups.sql: rollup_dates, rollup_presence, rollup_day_runs), never the
-- decoded model_snapshots: a model is recorded on a date when one of its presence runs covers the date's idx.
WITH dates AS (SELECT idx, snapshot_date FROM rollup_dates WHERE series = COALESCE(getvariable('series'), 'catalog')),
top AS (SELECT max(idx) AS top FROM dates),
pres AS MATERIALIZED (  -- presence runs of the models that pass the filters (first_idx..last_idx), with their class
    SELECT p.model_key, p.first_idx, COALESCE(p.last_idx, top.top) AS last_idx, hs_class(m.params_total) AS cls
    FROM rollup_presence p
    CROSS JOIN top
    JOIN rollup_keyed m USING (model_key)  -- hs_models() by integer key
    WHERE p.series = COALESCE(getvariable('series'), 'catalog')
      AND hs_keep(m.is_language_model, m.pipeline_tag, m.author)
),
per_date AS MATERIALIZED (  -- models recorded each date: +1 where a run starts, -1 after it ends, summed up to the date
    SELECT snapshot_date, idx, date_models FROM (
        SELECT d.idx, d.snapshot_date, sum(COALESCE(x.n, 0)) OVER (ORDER BY d.idx) AS date_models
        FROM dates d
        LEFT JOIN (SELECT idx, sum(n) AS n FROM (
            SELECT first_idx AS idx, count(*) AS n FROM pres GROUP BY ALL
            UNION ALL SELECT last_idx + 1, -count(*) FROM pres GROUP BY ALL) GROUP BY idx) x USING (idx)
    )
    WHERE date_models > 0 AND snapshot_date >= COALESCE(getvariable('since'), DATE '1900-01-01')
),
cut AS (
    SELECT greatest(COALESCE(getvariable('min_models'), 100), 0.25 * median(date_models)) AS min_count
    FROM per_date
),
ok AS MATERIALIZED (
    SELECT p.snapshot_date, p.idx, p.date_models, row_number() OVER (ORDER BY p.snapshot_date DESC) AS back_rank
    FROM per_date p, cut WHERE p.date_models >= cut.min_count
),
rank_at AS MATERIALIZED (  -- per date idx: the rank of the latest non-thin date at or before it, of the earliest at or after it
    SELECT d.idx,
           last_value(ok.back_rank IGNORE NULLS) OVER (ORDER BY d.idx ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
               AS rank_le,
           first_value(ok.back_rank IGNORE NULLS) OVER (ORDER BY d.idx ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)
               AS rank_ge
    FROM dates d LEFT JOIN ok USING (idx)
),
-- per model: how many of the latest non-thin dates it is recorded on without a gap. A run covers the non-thin
-- ranks lo..hi (runs are disjoint); the first rank no run covers is 1 or the end of a run no other run follows on.
ranked AS (
    SELECT p.model_key, p.cls, b.rank_le AS lo, a.rank_ge AS hi
    FROM pres p JOIN rank_at a ON a.idx = p.first_idx JOIN rank_at b ON b.idx = p.last_idx
    WHERE b.rank_le <= a.rank_ge
),
tail AS MATERIALIZED (
    SELECT r.model_key, any_value(r.cls) AS cls,
           CASE WHEN min(r.lo) > 1 THEN 0 ELSE min(r.hi) FILTER (WHERE n.model_key IS NULL) END AS tail
    FROM ranked r LEFT JOIN ranked n ON n.model_key = r.model_key AND n.lo = r.hi + 1
    GROUP BY r.model_key
),
sizes AS (  -- per non-thin date: the cohort starting there (models whose tail reaches its rank)
    SELECT ok.snapshot_date, ok.back_rank,
           COALESCE(sum(t.n) OVER (ORDER BY ok.back_rank DESC ROWS UNBOUNDED PRECEDING), 0) AS n
    FROM ok LEFT JOIN (SELECT tail, count(*) AS n FROM tail GROUP BY tail) t ON t.tail = ok.back_rank
),
_end AS (SELECT 1)
SELECT
    p.snapshot_date,
    p.date_models::BIGINT                                          AS date_models,
    ok.snapshot_date IS NULL                                       AS thin,
    cut.min_count,
    ok.back_rank,
    CASE WHEN ok.snapshot_date IS NULL THEN NULL ELSE sizes.n END::BIGINT AS cohort_models
FROM per_date p
CROSS JOIN cut
LEFT JOIN ok USING (snapshot_date)
LEFT JOIN sizes USING (snapshot_date)
ORDER BY p.snapshot_date;
