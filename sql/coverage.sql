-- Coverage of the analytic columns over the models table: how much of the catalogue (and of its 30-day
-- downloads) has a resolved parameter count, by source; a licence; lineage. Runnable as-is against the DB
-- (tables in the default schema; pipeline/coverage.py runs it the same way).
-- Columns: section, item, models, pct_models, downloads_30d, pct_downloads.
WITH m AS (
    SELECT model_id, params_source, license, coalesce(downloads_30d, 0) AS dl
    FROM models
),
tot AS (
    SELECT count(*) AS n, sum(dl) AS d FROM m
),
linked AS (
    SELECT child_id AS model_id FROM model_lineage
    UNION
    SELECT parent_id FROM model_lineage
),
rows AS (
    -- the resolved share first, then each source
    SELECT 'params' AS section, 'resolved (any source)' AS item, 0 AS ord,
           count(*) FILTER (WHERE coalesce(params_source, 'unknown') <> 'unknown') AS models,
           coalesce(sum(dl) FILTER (WHERE coalesce(params_source, 'unknown') <> 'unknown'), 0) AS downloads_30d
    FROM m
    UNION ALL
    SELECT 'params', 'source: ' || coalesce(params_source, 'unknown'),
           CASE coalesce(params_source, 'unknown')
               WHEN 'reference' THEN 1 WHEN 'safetensors' THEN 2 WHEN 'gguf' THEN 3
               WHEN 'base_model' THEN 4 WHEN 'name' THEN 5 ELSE 6 END,
           count(*), coalesce(sum(dl), 0)
    FROM m GROUP BY coalesce(params_source, 'unknown')
    UNION ALL
    SELECT 'license', 'has a licence', 10, count(*) FILTER (WHERE license IS NOT NULL),
           coalesce(sum(dl) FILTER (WHERE license IS NOT NULL), 0)
    FROM m
    UNION ALL
    SELECT 'lineage', 'has a parent or children', 20,
           count(*) FILTER (WHERE l.model_id IS NOT NULL),
           coalesce(sum(dl) FILTER (WHERE l.model_id IS NOT NULL), 0)
    FROM m LEFT JOIN (SELECT DISTINCT model_id FROM linked) l USING (model_id)
)
SELECT section, item, models,
       round(100.0 * models / nullif(tot.n, 0), 1) AS pct_models,
       downloads_30d,
       round(100.0 * downloads_30d / nullif(tot.d, 0), 1) AS pct_downloads
FROM rows, tot
ORDER BY ord, item;
