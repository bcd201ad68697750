-- Sizes: where each model's parameter count came from (reference | safetensors | gguf | base_model | name |
-- unknown), by class.
-- Variables: threshold default_threshold(), scope 'language', unknown 'exclude', tasks [], orgs [].
SELECT
    COALESCE(params_source, 'unknown')       AS params_source,
    cls,
    count(*)                                 AS models,
    COALESCE(sum(downloads_30d), 0)::BIGINT  AS downloads_30d,
    count(*) / sum(count(*)) OVER ()         AS share_models
FROM hs_models()
GROUP BY ALL
ORDER BY models DESC;
