-- Overview / Market size KPIs: SLM share by model count and by 30-day downloads (latest seen per model), with
-- the bounds that models of unknown size allow.
-- Variables (SET VARIABLE …; unset = default): threshold 10e9, scope 'language', unknown 'exclude',
-- tasks [] (all), orgs [] (all). See sql/rollups.sql for the macros.
--   share_*       : SLM / (SLM + LLM) under the chosen unknown-size handling
--   share_*_low   : unknown-size models all counted as LLM  (SLM known / all)
--   share_*_high  : unknown-size models all counted as SLM  ((SLM known + unknown) / all)
--   share_*_known : unknown-size models left out            (SLM known / sized)
--   as_of         : the latest date a model in view was seen
WITH f AS (SELECT * FROM hs_models()),
k AS (
    SELECT
        count(*)                                                              AS models,
        count(*) FILTER (WHERE params_total IS NOT NULL)                      AS models_sized,
        count(*) FILTER (WHERE params_total IS NULL)                          AS models_unknown,
        count(*) FILTER (WHERE is_language_model)                             AS language_models,
        count(*) FILTER (WHERE params_total IS NOT NULL AND cls = 'SLM')      AS slm_known,
        count(*) FILTER (WHERE params_total IS NOT NULL AND cls = 'LLM')      AS llm_known,
        count(*) FILTER (WHERE cls = 'SLM')                                   AS slm_models,
        count(*) FILTER (WHERE cls = 'LLM')                                   AS llm_models,
        COALESCE(sum(downloads_30d), 0)                                       AS downloads,
        COALESCE(sum(downloads_30d) FILTER (WHERE params_total IS NULL), 0)   AS downloads_unknown,
        COALESCE(sum(downloads_30d) FILTER (WHERE params_total IS NOT NULL AND cls = 'SLM'), 0) AS slm_downloads_known,
        COALESCE(sum(downloads_30d) FILTER (WHERE params_total IS NOT NULL AND cls = 'LLM'), 0) AS llm_downloads_known,
        COALESCE(sum(downloads_30d) FILTER (WHERE cls = 'SLM'), 0)            AS slm_downloads,
        COALESCE(sum(downloads_30d) FILTER (WHERE cls = 'LLM'), 0)            AS llm_downloads,
        count(downloads_30d)                                                  AS models_with_downloads,
        max(last_seen_at)::DATE                                               AS as_of
    FROM f
)
SELECT
    k.*,
    slm_models / NULLIF(slm_models + llm_models, 0)                          AS share_models,
    slm_known / NULLIF(models, 0)                                            AS share_models_low,
    (slm_known + models_unknown) / NULLIF(models, 0)                         AS share_models_high,
    slm_known / NULLIF(models_sized, 0)                                      AS share_models_known,
    slm_downloads / NULLIF(slm_downloads + llm_downloads, 0)                 AS share_downloads,
    slm_downloads_known / NULLIF(downloads, 0)                               AS share_downloads_low,
    (slm_downloads_known + downloads_unknown) / NULLIF(downloads, 0)         AS share_downloads_high,
    slm_downloads_known / NULLIF(slm_downloads_known + llm_downloads_known, 0) AS share_downloads_known
FROM k;
