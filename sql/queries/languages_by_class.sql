-- Domain focus: languages by class, from the model's tags (the Hub tags languages as bare ISO 639-1 codes such
-- as 'en', plus 'multilingual'). Models without such a tag are not counted; see tag_coverage.
-- From rollup_tags (kind 'language'); with an organisation filter, from the raw tags.
-- Variables: threshold default_threshold(), scope 'language', unknown 'exclude', tasks [], orgs [], n 25.
WITH t AS (
    SELECT tag AS language, hs_class(bucket_lo) AS cls, models, downloads_30d
    FROM rollup_tags
    WHERE NOT hs_by_org() AND kind = 'language' AND hs_keep(is_language_model, pipeline_tag, NULL)
    UNION ALL
    SELECT lower(u.tag), m.cls, 1, COALESCE(m.downloads_30d, 0)
    FROM hs_models() m, unnest(m.tags) AS u(tag)
    WHERE hs_by_org() AND is_language_tag(u.tag)
),
g AS (
    SELECT language, cls, sum(models)::BIGINT AS models, sum(downloads_30d)::BIGINT AS downloads_30d
    FROM t WHERE cls <> 'unknown' GROUP BY ALL
),
top AS (SELECT language FROM g GROUP BY language ORDER BY sum(models) DESC, language
        LIMIT COALESCE(getvariable('n'), 25))
SELECT g.*, g.models / sum(g.models) OVER (PARTITION BY g.language) AS share_of_language
FROM g
WHERE language IN (SELECT language FROM top)
ORDER BY language, cls;
