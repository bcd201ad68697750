-- Where do the parameter counts come from, and how many models have none?
SELECT
    params_source,
    count(*) AS models_count,
    count(*) FILTER (WHERE is_language_model) AS language_models_count
FROM models
GROUP BY params_source
ORDER BY models_count DESC, params_source;
