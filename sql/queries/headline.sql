-- Overview headline: the SLM share of models and of 30-day downloads in view at the chosen boundary, the range the
-- models of unknown size allow, and what the figures are a share OF (the whole Hub or a selection; as-of date).
-- Variables: threshold (default: the configured boundary), scope 'language', unknown 'exclude', tasks [], orgs []
-- (see sql/rollups.sql). One row.
--   share_*       : under the chosen unknown-size handling (the KPI tiles show the same figures)
--   share_*_low   : every unknown-size model counted large (LLM)   share_*_high: every one counted small (SLM)
--   whole_hub     : a successful full refresh (a whole-Hub crawl or dump) is in the DB; else the data is a selection
WITH f AS (SELECT * FROM hs_models()),
k AS (
    SELECT
        count(*)                                                                  AS models,
        count(*) FILTER (WHERE params_total IS NULL)                              AS models_unknown,
        count(*) FILTER (WHERE params_total IS NOT NULL AND cls = 'SLM')          AS slm_known,
        count(*) FILTER (WHERE cls = 'SLM')                                       AS slm_models,
        count(*) FILTER (WHERE cls = 'LLM')                                       AS llm_models,
        COALESCE(sum(downloads_30d), 0)                                           AS downloads,
        COALESCE(sum(downloads_30d) FILTER (WHERE params_total IS NULL), 0)       AS downloads_unknown,
        COALESCE(sum(downloads_30d) FILTER (WHERE params_total IS NOT NULL AND cls = 'SLM'), 0) AS slm_downloads_known,
        COALESCE(sum(downloads_30d) FILTER (WHERE cls = 'SLM'), 0)                AS slm_downloads,
        COALESCE(sum(downloads_30d) FILTER (WHERE cls = 'LLM'), 0)                AS llm_downloads,
        max(last_seen_at)::DATE                                                   AS as_of
    FROM f
),
runs AS (
    SELECT
        COALESCE(bool_or(is_full), false)                                         AS whole_hub,
        max(finished_at::DATE) FILTER (WHERE is_full)                             AS full_refresh_date,
        arg_max(source, finished_at)                                              AS source,
        max(finished_at)                                                          AS rebuilt_at
    FROM refresh_runs WHERE status = 'ok'
)
SELECT
    k.*,
    runs.*,
    COALESCE(getvariable('threshold'), default_threshold())                       AS threshold,
    COALESCE(getvariable('scope'), 'language')                                    AS scope,
    slm_models / NULLIF(slm_models + llm_models, 0)                               AS share_models,
    slm_known / NULLIF(models, 0)                                                 AS share_models_low,
    (slm_known + models_unknown) / NULLIF(models, 0)                              AS share_models_high,
    slm_downloads / NULLIF(slm_downloads + llm_downloads, 0)                      AS share_downloads,
    slm_downloads_known / NULLIF(downloads, 0)                                    AS share_downloads_low,
    (slm_downloads_known + downloads_unknown) / NULLIF(downloads, 0)              AS share_downloads_high
FROM k, runs;
