-- Overview headline: what its figures (overview_kpis.sql, the same as the KPI tiles) are a share OF — the whole
-- Hub or a selection — and the boundary and scope they use. Variables: threshold (default: the configured
-- boundary), scope 'language'. One row.
--   whole_hub         : a successful full refresh (a whole-Hub crawl or dump) is in the DB; else a selection
--   full_refresh_date : the date of the latest successful full refresh
--   source, rebuilt_at: the latest successful run's source and finish time
SELECT
    COALESCE(bool_or(is_full), false)                          AS whole_hub,
    max(finished_at::DATE) FILTER (WHERE is_full)              AS full_refresh_date,
    arg_max(source, finished_at)                               AS source,
    max(finished_at)                                           AS rebuilt_at,
    COALESCE(getvariable('threshold'), default_threshold())    AS threshold,
    COALESCE(getvariable('scope'), 'language')                 AS scope
FROM refresh_runs
WHERE status = 'ok';
