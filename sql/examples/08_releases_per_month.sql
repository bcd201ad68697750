-- How many language models were created each month of 2026, SLM versus LLM?
SELECT
    strftime(created_at, '%Y-%m') AS month,
    count(*) FILTER (WHERE model_class = 'SLM') AS slm_models_count,
    count(*) FILTER (WHERE model_class = 'LLM') AS llm_models_count,
    count(*) FILTER (WHERE model_class IS NULL) AS unknown_size_models_count
FROM language_models
WHERE created_at >= DATE '2026-01-01'
GROUP BY month
ORDER BY month;
