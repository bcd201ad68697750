-- Overview / Trends: cohort_share.sql measured in DOWNLOADS PER DAY (the daily_downloads view of
-- sql/daily_downloads.sql: the change of the all-time counter between a model's consecutive dates / days) instead of
-- the rolling 30-day count. Only run when that view exists and the series has all-time counts (cohort_measures.sql).
-- Same variables and rules as cohort_share.sql (series default 'hubstats-daily'); a model is present on a date when
-- it has a daily figure there. Columns as cohort_share.sql with downloads_per_day for downloads_30d.
WITH s AS MATERIALIZED (  -- daily_downloads holds one row per model, series and date
    SELECT d.model_id, d.snapshot_date, COALESCE(d.downloads_per_day, 0) AS downloads_per_day, m.cls
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
    SELECT p.snapshot_date, p.date_models, row_number() OVER (ORDER BY p.snapshot_date DESC) AS back_rank
    FROM per_date p, cut WHERE p.date_models >= cut.min_count
),
tail AS (
    SELECT model_id, count(*) FILTER (WHERE own_rank = back_rank) AS tail
    FROM (
        SELECT s.model_id, ok.back_rank,
               row_number() OVER (PARTITION BY s.model_id ORDER BY ok.back_rank) AS own_rank
        FROM s JOIN ok USING (snapshot_date)
    )
    GROUP BY model_id
),
sizes AS (SELECT ok.snapshot_date, ok.back_rank, (SELECT count(*) FROM tail WHERE tail >= ok.back_rank) AS n FROM ok),
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
cohort AS (SELECT model_id FROM tail, start WHERE tail.tail >= start.back_rank),
agg AS (
    SELECT s.snapshot_date, s.cls, count(*)::BIGINT AS models, sum(s.downloads_per_day)::DOUBLE AS downloads_per_day
    FROM s
    JOIN cohort USING (model_id)
    JOIN ok USING (snapshot_date)
    WHERE ok.back_rank <= (SELECT back_rank FROM start)
    GROUP BY ALL
),
d AS (
    SELECT
        snapshot_date,
        sum(models)::BIGINT                                                     AS date_models,
        sum(downloads_per_day)::DOUBLE                                              AS date_downloads,
        COALESCE(sum(models) FILTER (WHERE cls = 'unknown'), 0)::BIGINT         AS unknown_models,
        COALESCE(sum(downloads_per_day) FILTER (WHERE cls = 'unknown'), 0)::DOUBLE  AS unknown_downloads
    FROM agg GROUP BY snapshot_date
)
SELECT
    a.snapshot_date,
    a.cls,
    a.models,
    a.downloads_per_day,
    a.downloads_per_day / NULLIF(d.date_downloads - d.unknown_downloads, 0) AS share_downloads,
    a.models / NULLIF(d.date_models - d.unknown_models, 0)              AS share_models,
    d.date_models,
    d.date_downloads,
    d.unknown_models,
    d.unknown_downloads
FROM agg a
JOIN d USING (snapshot_date)
WHERE a.cls <> 'unknown'
ORDER BY a.snapshot_date, a.cls;
