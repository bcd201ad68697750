-- Explorer: the filtered models as a table, searchable by id, sorted, capped.
-- Variables: threshold default_threshold(), scope 'language', unknown 'exclude', tasks [], orgs [],
--   search '' (case-insensitive substring of model_id), cls_filter 'all' ('SLM' | 'LLM' | 'unknown'),
--   sort 'downloads' ('params' | 'likes' | 'created' | 'id'), max_rows 5000,
--   include_test false (test/CI repos are left out unless true).
-- matches = all rows that match before the cap.
-- test_repo: the enrichment's is_test_repo flag where set, else the id patterns of the Hub's test/CI namespaces and
-- tiny random models. The empty UNION BY NAME gives an is_test_repo column (NULL) to a DB built before it existed.
WITH t AS (
    SELECT *, COALESCE(is_test_repo, regexp_matches(lower(model_id),
        '(^|/)[a-z0-9-]*internal-testing/|tiny-random|(^|[/_-])(dummy|debug)([_-]|$)')) AS test_repo
    FROM (FROM hs_models() UNION ALL BY NAME SELECT NULL::BOOLEAN AS is_test_repo WHERE false)
),
f AS (
    SELECT *
    FROM t
    WHERE (COALESCE(getvariable('search'), '') = '' OR contains(lower(model_id), lower(getvariable('search'))))
      AND (COALESCE(getvariable('cls_filter'), 'all') = 'all' OR cls = getvariable('cls_filter'))
      AND (COALESCE(getvariable('include_test'), false) OR NOT test_repo)
),
keyed AS (
    SELECT *,
        CASE COALESCE(getvariable('sort'), 'downloads')
            WHEN 'downloads' THEN -COALESCE(downloads_30d, -1)
            WHEN 'params' THEN -COALESCE(params_total, -1)
            WHEN 'likes' THEN -COALESCE(likes, -1)
            WHEN 'created' THEN -COALESCE(epoch(created_at), -1e12)
            ELSE 0
        END AS sort_key
    FROM f
),
cut AS (  -- the page's last sort key, by a top-N on the number alone: the id then orders only the rows up to it
    SELECT max(sort_key) AS sort_key
    FROM (SELECT sort_key FROM keyed ORDER BY sort_key LIMIT COALESCE(getvariable('max_rows'), 5000))
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
    test_repo,
    (SELECT count(*) FROM f)              AS matches
FROM keyed
WHERE sort_key <= (SELECT sort_key FROM cut)
ORDER BY sort_key, model_id
LIMIT COALESCE(getvariable('max_rows'), 5000);
