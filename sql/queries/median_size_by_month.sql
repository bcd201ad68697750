-- Trends: median (and quartiles) of the total parameter count of models created each month, for models with
-- a known count and a known creation date.
-- Variables: threshold default_threshold(), scope 'language', unknown 'exclude', tasks [], orgs [], since NULL (DATE).
SELECT
    date_trunc('month', created_at)::DATE                     AS month,
    count(*)                                                  AS models,
    median(params_total)::DOUBLE                              AS median_params,
    quantile_cont(params_total, 0.25)::DOUBLE                 AS p25_params,
    quantile_cont(params_total, 0.75)::DOUBLE                 AS p75_params,
    count(*) FILTER (WHERE cls = 'SLM') / count(*)            AS slm_share
FROM hs_models()
WHERE created_at IS NOT NULL AND NOT created_at_unknown AND params_total IS NOT NULL
  AND created_at >= COALESCE(getvariable('since'), DATE '1900-01-01')
GROUP BY ALL
ORDER BY month;
