-- Domain focus: the most common free-form tags by class (excluding prefixed tags like license:/base_model:/
-- region:, language codes, and the model's own task/library names).
-- From rollup_tags (kind 'domain'); with an organisation filter, from the raw tags.
-- Only word-like tags (letters and hyphens, 3+ characters: not 'oq', 'tf', 'sm-100') carried by at least
-- min_models models in view are kept.
-- Variables: threshold default_threshold(), scope 'language', unknown 'exclude', tasks [], orgs [], n 25, min_models 5.
WITH t AS (
    SELECT tag, hs_class(bucket_lo) AS cls, models
    FROM rollup_tags
    WHERE NOT hs_by_org() AND kind = 'domain' AND hs_keep(is_language_model, pipeline_tag, NULL)
    UNION ALL
    SELECT lower(u.tag), m.cls, 1
    FROM hs_models() m, unnest(m.tags) AS u(tag)
    WHERE hs_by_org()
      AND NOT contains(u.tag, ':')
      AND NOT is_language_tag(u.tag)
      AND lower(u.tag) IS DISTINCT FROM m.pipeline_tag
      AND lower(u.tag) IS DISTINCT FROM m.library_name
),
g AS (
    SELECT tag, cls, sum(models)::BIGINT AS models
    FROM t
    WHERE cls <> 'unknown' AND regexp_full_match(tag, '[a-z][a-z-]+[a-z]')
    GROUP BY ALL
),
top AS (
    SELECT tag FROM g GROUP BY tag HAVING sum(models) >= COALESCE(getvariable('min_models'), 5)
    ORDER BY sum(models) DESC, tag LIMIT COALESCE(getvariable('n'), 25)
)
SELECT g.*, g.models / sum(g.models) OVER (PARTITION BY g.tag) AS share_of_tag
FROM g
WHERE tag IN (SELECT tag FROM top)
ORDER BY tag, cls;
