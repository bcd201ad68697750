-- Which mixture-of-experts language models are most downloaded, and how many parameters are active per token?
SELECT model_id, params_total_billions, params_active_billions,
       round(100.0 * params_active / params_total, 1) AS active_pct, downloads_30d
FROM language_models
WHERE params_active < params_total
ORDER BY downloads_30d DESC NULLS LAST, model_id
LIMIT 10;
