-- Which language models gained the most 30-day downloads between the first and the last catalog snapshot?
WITH ends AS (
    SELECT
        model_id,
        any_value(model_class) AS model_class,
        arg_min(downloads_30d, snapshot_at) AS first_downloads_30d,
        arg_max(downloads_30d, snapshot_at) AS last_downloads_30d
    FROM download_history
    WHERE series = 'catalog' AND is_language_model
    GROUP BY model_id
    HAVING count(*) > 1
)
SELECT model_id, model_class, first_downloads_30d, last_downloads_30d,
       last_downloads_30d - first_downloads_30d AS gain_downloads_30d
FROM ends
ORDER BY gain_downloads_30d DESC, model_id
LIMIT 10;
