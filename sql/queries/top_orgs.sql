-- Organisations: the top organisations/users by 30-day downloads within each class, with their share of the
-- class's downloads. (One group per author with per-class sums, then a top-N per class: no window over all.)
-- Variables: threshold default_threshold(), scope 'language', unknown 'exclude', tasks [], orgs [], n 15 (per class),
--   include_test false (test/CI repos left out; the same rule as explorer.sql).
WITH m AS (  -- the empty UNION BY NAME gives an is_test_repo column (NULL) to a DB built before it existed
    SELECT * FROM (FROM hs_models() UNION ALL BY NAME SELECT NULL::BOOLEAN AS is_test_repo WHERE false)
    WHERE COALESCE(getvariable('include_test'), false) OR NOT COALESCE(is_test_repo, regexp_matches(lower(model_id),
        '(^|/)[a-z0-9-]*internal-testing/|tiny-random|(^|[/_-])(dummy|debug)([_-]|$)'))
),
o AS (
    SELECT
        COALESCE(author, '(none)')                                           AS author,
        count(*) FILTER (WHERE cls = 'SLM')                                  AS slm_models,
        count(*) FILTER (WHERE cls = 'LLM')                                  AS llm_models,
        COALESCE(sum(downloads_30d) FILTER (WHERE cls = 'SLM'), 0)::BIGINT   AS slm_downloads,
        COALESCE(sum(downloads_30d) FILTER (WHERE cls = 'LLM'), 0)::BIGINT   AS llm_downloads
    FROM m
    WHERE cls <> 'unknown'
    GROUP BY 1
),
totals AS (SELECT sum(slm_downloads) AS slm_total, sum(llm_downloads) AS llm_total FROM o),
slm AS (
    SELECT 'SLM' AS cls, author, slm_models AS models, slm_downloads AS downloads_30d FROM o WHERE slm_models > 0
    ORDER BY slm_downloads DESC, author LIMIT COALESCE(getvariable('n'), 15)
),
llm AS (
    SELECT 'LLM' AS cls, author, llm_models AS models, llm_downloads AS downloads_30d FROM o WHERE llm_models > 0
    ORDER BY llm_downloads DESC, author LIMIT COALESCE(getvariable('n'), 15)
),
r AS (SELECT * FROM slm UNION ALL SELECT * FROM llm)
SELECT
    r.cls,
    row_number() OVER (PARTITION BY r.cls ORDER BY r.downloads_30d DESC, r.author) AS rank,
    r.author, r.models, r.downloads_30d,
    r.downloads_30d / NULLIF(CASE r.cls WHEN 'SLM' THEN t.slm_total ELSE t.llm_total END, 0) AS share_of_class
FROM r CROSS JOIN totals t
ORDER BY r.cls DESC, rank;
