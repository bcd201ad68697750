-- Overview / Trends: cohort_share.sql measured in DOWNLOADS PER DAY (the daily_downloads view of
-- sql/daily_downloads.sql: the change of the all-time counter between a model's consecutive dates / days) instead of
-- the rolling 30-day count. Only run when that view exists and the series has all-time counts (cohort_measures.sql).
-- Same variables and rules as cohort_share.sql (series default 'hubstats-daily'); a model is present on a date when
-- it has a daily figure there. Columns as cohort_share.sql with downloads_per_day for downloads_30d.
WITH s AS MATERIALIZED (FROM hs_daily_rows('daily_downloads')),  -- the blocks are macros of sql/rollups.sql
days AS MATERIALIZED (FROM hs_daily_days('s')),
tails AS (FROM hs_daily_tails('s', 'days')),
sizes AS (FROM hs_cohort_sizes('days', 'tails')),
start AS (FROM hs_cohort_start('days', 'sizes')),
agg AS (
    SELECT s.snapshot_date, s.cls, count(*)::BIGINT AS models, sum(s.downloads_per_day)::DOUBLE AS downloads
    FROM s
    JOIN tails t USING (model_id)
    JOIN days ok USING (snapshot_date)
    CROSS JOIN start
    WHERE t.tail >= start.back_rank AND ok.back_rank <= start.back_rank
    GROUP BY ALL
)
SELECT * RENAME (downloads AS downloads_per_day) FROM hs_shares('agg') ORDER BY snapshot_date, cls;
