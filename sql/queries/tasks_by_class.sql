-- Domain focus: tasks (pipeline tags) by class — models, downloads, and the task's share of its class.
-- The 20 tasks with most models. Variables: threshold default_threshold(), scope 'language', unknown 'exclude', tasks [],
-- orgs [], n 20.
WITH t AS (
    SELECT COALESCE(pipeline_tag, '(no task)') AS task, cls, count(*) AS models,
           COALESCE(sum(downloads_30d), 0)::BIGINT AS downloads_30d
    FROM hs_models()
    WHERE cls <> 'unknown'
    GROUP BY ALL
),
top AS (SELECT task FROM t GROUP BY task ORDER BY sum(models) DESC, task LIMIT COALESCE(getvariable('n'), 20))
SELECT
    t.task, t.cls, t.models, t.downloads_30d,
    t.models / sum(t.models) OVER (PARTITION BY t.cls)  AS share_of_class_models,
    t.models / sum(t.models) OVER (PARTITION BY t.task) AS slm_or_llm_share_of_task
FROM t
WHERE t.task IN (SELECT task FROM top)
ORDER BY t.task, t.cls;
