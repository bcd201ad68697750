-- Dashboard (sidebar task filter): pipeline tags by number of models. No variables.
SELECT pipeline_tag, count(*) AS models
FROM models
WHERE pipeline_tag IS NOT NULL
GROUP BY pipeline_tag
ORDER BY models DESC, pipeline_tag
LIMIT 200;
