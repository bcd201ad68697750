-- Explorer: the filtered models as a table, searchable by id, sorted, capped.
-- Variables: threshold default_threshold(), scope 'language', unknown 'exclude', tasks [], orgs [],
--   search '' (case-insensitive substring of model_id), cls_filter 'all' ('SLM' | 'LLM' | 'unknown'),
--   sort 'downloads' ('params' | 'likes' | 'created' | 'id'), max_rows 5000.
-- matches = all rows that match before the cap.
WITH f AS (
    SELECT *
    FROM hs_models()
    WHERE (COALESCE(getvariable('search'), '') = '' OR contains(lower(model_id), lower(getvariable('search'))))
      AND (COALESCE(getvariable('cls_filter'), 'all') = 'all' OR cls = getvariable('cls_filter'))
)
SELECT
    model_id,
    'https://huggingface.co/' || model_id AS hub_url,
    cls                                   AS class,
    params_total,
    params_active,
    size_band,
    params_source,
    pipeline_tag                          AS task,
    library_name                          AS library,
    license,
    license_tier,
    gated,
    device_class,
    downloads_30d,
    likes,
    created_at,
    author,
    family_root,
    (SELECT count(*) FROM f)              AS matches
FROM f
ORDER BY
    CASE COALESCE(getvariable('sort'), 'downloads')
        WHEN 'downloads' THEN -COALESCE(downloads_30d, -1)
        WHEN 'params' THEN -COALESCE(params_total, -1)
        WHEN 'likes' THEN -COALESCE(likes, -1)
        WHEN 'created' THEN -COALESCE(epoch(created_at), -1e12)
        ELSE 0
    END,
    model_id
LIMIT COALESCE(getvariable('max_rows'), 5000);
