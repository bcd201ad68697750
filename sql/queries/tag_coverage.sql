-- Domain focus captions: how many filtered models have any tags / a language tag / a task.
-- Variables: threshold 10e9, scope 'language', unknown 'exclude', tasks [], orgs [].
SELECT
    count(*)                                                                   AS models,
    count(*) FILTER (WHERE len(tags) > 0)                                      AS models_with_tags,
    count(*) FILTER (WHERE len(list_filter(tags, lambda x: is_language_tag(x))) > 0)
                                                                               AS models_with_language,
    count(*) FILTER (WHERE pipeline_tag IS NOT NULL)                           AS models_with_task
FROM hs_models()
WHERE cls <> 'unknown';
