-- How many language models are gated (access on request), by class?
SELECT
    coalesce(model_class, 'unknown') AS model_class,
    count(*) AS models_count,
    count(*) FILTER (WHERE gated IN ('auto', 'manual')) AS gated_models_count,
    round(100.0 * count(*) FILTER (WHERE gated IN ('auto', 'manual')) / count(*), 2) AS gated_pct
FROM language_models
GROUP BY ALL
ORDER BY model_class;
