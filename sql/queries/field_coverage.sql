-- Data: per-field coverage — how many models have each field the charts use (all models, no filters).
-- No variables.
WITH n AS (SELECT count(*) AS models FROM models),
c AS (
    SELECT * FROM (
        SELECT
            count(params_total)                                        AS "params_total (any source)",
            count(safetensors_total)                                   AS "safetensors_total",
            count(gguf_total)                                          AS "gguf_total",
            count(*) FILTER (WHERE params_active < params_total)       AS "params_active < total (MoE)",
            count(*) FILTER (WHERE NOT created_at_unknown AND created_at IS NOT NULL) AS "created_at (known)",
            count(pipeline_tag)                                        AS "pipeline_tag",
            count(library_name)                                        AS "library_name",
            count(*) FILTER (WHERE len(tags) > 0)                      AS "tags (any)",
            count(license)                                             AS "license",
            count(gated)                                               AS "gated",
            count(*) FILTER (WHERE len(base_models) > 0)               AS "base_models",
            count(downloads_30d)                                       AS "downloads_30d",
            count(downloads_all_time)                                  AS "downloads_all_time",
            count(likes)                                               AS "likes",
            count(last_modified)                                       AS "last_modified",
            count(author)                                              AS "author"
        FROM models
    ) UNPIVOT (models_with_field FOR field IN (COLUMNS(*)))
)
SELECT c.field, c.models_with_field, n.models, c.models_with_field / NULLIF(n.models, 0) AS coverage
FROM c CROSS JOIN n;
