-- The query the Data page's read-only SQL box starts with (the benchmark times it too).
SELECT model_class, count(*) AS models, sum(downloads_30d) AS downloads_30d
FROM models
WHERE is_language_model
GROUP BY ALL
ORDER BY models DESC
