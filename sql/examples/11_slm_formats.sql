-- Which libraries and formats do small language models ship in (transformers, GGUF, MLX, …)?
SELECT
    coalesce(library_name, '(none)') AS library_name,
    count(*) AS slm_models_count,
    sum(downloads_30d)::BIGINT AS downloads_30d
FROM language_models
WHERE model_class = 'SLM'
GROUP BY ALL
ORDER BY slm_models_count DESC, library_name
LIMIT 10;
