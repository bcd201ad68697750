-- Sizes: mixture-of-experts models (active parameters per token below the total): total vs active, the 500
-- most downloaded, with the number of MoE models in the filter.
-- Variables: threshold default_threshold(), scope 'language', unknown 'exclude', tasks [], orgs [].
SELECT
    model_id, cls, params_total, params_active,
    params_active / params_total                   AS active_ratio,
    COALESCE(downloads_30d, 0)                     AS downloads_30d,
    count(*) OVER ()                               AS moe_models
FROM hs_models()
WHERE params_active IS NOT NULL AND params_total IS NOT NULL AND params_active < params_total
ORDER BY downloads_30d DESC, model_id
LIMIT 500;
