-- Overview / Trends: which download measures a series offers. Every series has the Hub's rolling 30-day count;
-- a series whose snapshots carry all-time counts also has downloads per day, IF the DB has the daily_downloads view
-- (sql/daily_downloads.sql; older DBs lack it). Variables: series 'catalog'. One row.
-- Read from the spans (a value stored once per run of equal values), never the decoded model_snapshots.
SELECT
    (SELECT count(*) > 0 FROM duckdb_views() WHERE view_name = 'daily_downloads' AND NOT internal
        AND database_name = current_database())                                          AS has_daily_view,
    EXISTS (SELECT 1 FROM history_spans
            WHERE series = COALESCE(getvariable('series'), 'catalog') AND downloads_all_time IS NOT NULL) AS has_all_time,
    EXISTS (SELECT 1 FROM history_spans
            WHERE series = COALESCE(getvariable('series'), 'catalog') AND downloads_30d IS NOT NULL)      AS has_30d;
