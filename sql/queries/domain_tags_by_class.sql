-- Domain focus: the most common free-form tags by class (excluding prefixed tags like license:/base_model:/
-- region:, language codes, and the model's own task/library names).
-- Variables: threshold 10e9, scope 'language', unknown 'exclude', tasks [], orgs [], n 25.
WITH t AS (
    SELECT m.cls, m.model_id, lower(tag) AS tag
    FROM hs_models() m, unnest(m.tags) AS u(tag)
    WHERE m.cls <> 'unknown'
      AND NOT contains(tag, ':')
      AND NOT regexp_full_match(tag, '[a-z]{2}')
      AND tag IS DISTINCT FROM m.pipeline_tag
      AND tag IS DISTINCT FROM m.library_name
),
g AS (SELECT tag, cls, count(DISTINCT model_id) AS models FROM t GROUP BY ALL),
top AS (SELECT tag FROM g GROUP BY tag ORDER BY sum(models) DESC, tag LIMIT COALESCE(getvariable('n'), 25))
SELECT g.*, g.models / sum(g.models) OVER (PARTITION BY g.tag) AS share_of_tag
FROM g
WHERE tag IN (SELECT tag FROM top)
ORDER BY tag, cls;
