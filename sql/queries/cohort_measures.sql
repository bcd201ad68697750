-- Overview / Trends: which download measures a series offers. Every series has the Hub's rolling 30-day count;
-- a series whose snapshots carry all-time counts also has downloads per day, IF the DB has the daily_downloads view
-- (sql/daily_downloads.sql; older DBs lack it). Variables: series 'catalog'. One row.
SELECT
    (SELECT count(*) > 0 FROM duckdb_views() WHERE view_name = 'daily_downloads' AND NOT internal
        AND database_name = current_database())                                          AS has_daily_view,
    (SELECT count(downloads_all_time) > 0 FROM model_snapshots
        WHERE series = COALESCE(getvariable('series'), 'catalog'))                       AS has_all_time,
    (SELECT count(downloads_30d) > 0 FROM model_snapshots
        WHERE series = COALESCE(getvariable('series'), 'catalog'))                       AS has_30d;
