-- Validation: our figures for the published ones, over ALL models in the DB (no dashboard filters), with both
-- denominators. Our downloads are the Hub's rolling 30-day counts as last seen, not all-time downloads.
-- No variables.
WITH m AS (SELECT params_total, safetensors_total, COALESCE(downloads_30d, 0) AS d FROM models),
top AS (SELECT COALESCE(list_sum(max(d, 200)), 0) AS top200 FROM m)
SELECT
    count(*)                                                                AS models,
    count(params_total)                                                     AS models_sized,
    sum(d)::BIGINT                                                          AS downloads_30d,
    COALESCE(sum(d) FILTER (WHERE params_total IS NOT NULL), 0)::BIGINT     AS downloads_30d_sized,
    COALESCE(sum(d) FILTER (WHERE params_total < 1e9), 0)::BIGINT           AS downloads_30d_under_1b,
    COALESCE(sum(d) FILTER (WHERE params_total < 1e9), 0) / NULLIF(sum(d), 0)  AS share_downloads_under_1b_all,
    COALESCE(sum(d) FILTER (WHERE params_total < 1e9), 0)
        / NULLIF(sum(d) FILTER (WHERE params_total IS NOT NULL), 0)         AS share_downloads_under_1b_sized,
    count(safetensors_total)                                                AS models_with_safetensors,
    count(safetensors_total) / NULLIF(count(*), 0)                          AS share_models_with_safetensors,
    count(params_total) / NULLIF(count(*), 0)                               AS share_models_sized,
    any_value(top.top200)::BIGINT                                           AS downloads_30d_top200,
    any_value(top.top200) / NULLIF(sum(d), 0)                               AS share_downloads_top200
FROM m CROSS JOIN top;
