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
start AS (
    SELECT COALESCE(
        (SELECT back_rank FROM ok WHERE snapshot_date = getvariable('cohort_from')),
        CASE WHEN COALESCE(getvariable('cohort_rule'), 'chart') = 'period'
            -- the last comparable period: from the latest non-thin date at least 30 days (one download window)
            -- before the last date, else from the earliest non-thin date
            THEN COALESCE((SELECT min(back_rank) FROM ok
                           WHERE snapshot_date <= (SELECT snapshot_date FROM ok WHERE back_rank = 1) - INTERVAL 30 DAY),
                          (SELECT max(back_rank) FROM ok))
            ELSE (SELECT max(back_rank) FROM sizes
                  WHERE n >= greatest(COALESCE(getvariable('min_models'), 100),
                                      0.5 * (SELECT median(date_models) FROM per_date)))
        END,
        1
    ) AS back_rank
),
cohort AS MATERIALIZED (SELECT model_key, cls FROM tail, start WHERE tail.tail >= start.back_rank),
counts AS (SELECT cls, count(*)::BIGINT AS models FROM cohort GROUP BY cls),
joined AS MATERIALIZED (  -- the cohort's day values: runs of dates (idx) with one downloads_30d each
    SELECT c.cls, r.first_idx, COALESCE(r.last_idx, top.top) AS last_idx, r.downloads_30d AS v
    FROM rollup_day_runs r
    JOIN cohort c USING (model_key)
    CROSS JOIN top
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
    SELECT ok.snapshot_date, c.cls, c.models, t.downloads_30d::BIGINT AS downloads_30d
    FROM ok CROSS JOIN counts c CROSS JOIN start
    JOIN totals t ON t.cls = c.cls AND t.idx = ok.idx
    WHERE ok.back_rank <= start.back_rank
),
d AS (
    SELECT
        snapshot_date,
        sum(models)::BIGINT                                                     AS date_models,
        sum(downloads_30d)::BIGINT                                              AS date_downloads,
        COALESCE(sum(models) FILTER (WHERE cls = 'unknown'), 0)::BIGINT         AS unknown_models,
        COALESCE(sum(downloads_30d) FILTER (WHERE cls = 'unknown'), 0)::BIGINT  AS unknown_downloads
    FROM agg GROUP BY snapshot_date
)
SELECT
    a.snapshot_date,
    a.cls,
    a.models,
    a.downloads_30d,
    a.downloads_30d / NULLIF(d.date_downloads - d.unknown_downloads, 0) AS share_downloads,
    a.models / NULLIF(d.date_models - d.unknown_models, 0)              AS share_models,
    d.date_models,
    d.date_downloads,
    d.unknown_models,
    d.unknown_downloads
FROM agg a
JOIN d USING (snapshot_date)
WHERE a.cls <> 'unknown'
ORDER BY a.snapshot_date, a.cls;
