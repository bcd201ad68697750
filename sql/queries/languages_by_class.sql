-- Domain focus: languages by class, from the model's tags (the Hub tags languages as bare ISO 639-1 codes such
-- as 'en', plus 'multilingual'). Models without such a tag are not counted; see tag_coverage.
-- Variables: threshold 10e9, scope 'language', unknown 'exclude', tasks [], orgs [], n 25.
WITH t AS (
    SELECT m.cls, m.model_id, m.downloads_30d, lower(tag) AS language
    FROM hs_models() m, unnest(m.tags) AS u(tag)
    WHERE m.cls <> 'unknown'
      AND (regexp_full_match(tag, '[a-z]{2}') OR tag = 'multilingual')
),
g AS (
    SELECT language, cls, count(DISTINCT model_id) AS models, COALESCE(sum(downloads_30d), 0)::BIGINT AS downloads_30d
    FROM t GROUP BY ALL
),
top AS (SELECT language FROM g GROUP BY language ORDER BY sum(models) DESC, language
        LIMIT COALESCE(getvariable('n'), 25))
SELECT g.*, g.models / sum(g.models) OVER (PARTITION BY g.language) AS share_of_language
FROM g
WHERE language IN (SELECT language FROM top)
ORDER BY language, cls;
