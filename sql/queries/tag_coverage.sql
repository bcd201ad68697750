-- Domain focus captions: how many filtered models of known class have any tags / a language tag / a task.
-- From rollup_models; with an organisation filter, from the raw tags.
-- Variables: threshold default_threshold(), scope 'language', unknown 'exclude', tasks [], orgs [].
WITH t AS (
    SELECT models, models_with_tags, models_with_language, CASE WHEN pipeline_tag IS NULL THEN 0 ELSE models END AS models_with_task
    FROM rollup_models
    WHERE NOT hs_by_org() AND hs_keep(is_language_model, pipeline_tag, NULL) AND hs_class(bucket_lo) <> 'unknown'
    UNION ALL
    SELECT
        1,
        (len(tags) > 0)::INT,
        (len(list_filter(tags, lambda x: is_language_tag(x))) > 0)::INT,
        (pipeline_tag IS NOT NULL)::INT
    FROM hs_models()
    WHERE hs_by_org() AND cls <> 'unknown'
)
SELECT
    COALESCE(sum(models), 0)::BIGINT               AS models,
    COALESCE(sum(models_with_tags), 0)::BIGINT     AS models_with_tags,
    COALESCE(sum(models_with_language), 0)::BIGINT AS models_with_language,
    COALESCE(sum(models_with_task), 0)::BIGINT     AS models_with_task
FROM t;
