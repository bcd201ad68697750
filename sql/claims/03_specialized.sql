-- Claim 3: SLMs are "specialized for specific tasks or domains" ("sharpshooters, not scatterguns").
-- Metric: how SLMs and LLMs spread over pipeline tasks (all models, not only language models: specialists sit in
-- other tasks): normalised Shannon entropy of the task mix (0 = one task, 1 = evenly over every task seen), and the
-- share of the largest task. A class of specialists spreads over more tasks than a class of generalists.
-- Rule (docs/claims.md): a task recorded for < 50% of sized models -> the data can't tell; SLM entropy >= LLM
-- entropy + 0.10 -> supported; SLM entropy <= LLM entropy -> not supported; in between -> the data can't tell.
-- Variables: threshold (default: the configured boundary). Runs as-is in the duckdb CLI.
WITH p AS (SELECT COALESCE(getvariable('threshold'), default_threshold()) AS t),
m AS (SELECT model_class(params_total, p.t) AS cls, pipeline_tag FROM models, p WHERE params_total IS NOT NULL),
c AS (SELECT cls, pipeline_tag, count(*) AS n FROM m WHERE pipeline_tag IS NOT NULL GROUP BY ALL),
tasks AS (SELECT count(DISTINCT pipeline_tag) AS k FROM c),
e AS (
    SELECT cls,
           -sum((n / tot) * ln(n / tot)) / NULLIF(ln((SELECT k FROM tasks)), 0) AS entropy,
           max(n) / max(tot) AS top_share
    FROM (SELECT *, sum(n) OVER (PARTITION BY cls) AS tot FROM c)
    GROUP BY cls
),
k AS (
    SELECT (SELECT entropy FROM e WHERE cls = 'SLM') AS slm_h, (SELECT entropy FROM e WHERE cls = 'LLM') AS llm_h,
           (SELECT top_share FROM e WHERE cls = 'SLM') AS slm_top, (SELECT top_share FROM e WHERE cls = 'LLM') AS llm_top,
           (SELECT count(*) FROM m) AS sized, (SELECT count(*) FROM m WHERE pipeline_tag IS NOT NULL) AS tagged,
           (SELECT k FROM tasks) AS k
)
SELECT
    3 AS claim_no,
    'Normalised entropy of the task mix, SLM (LLM beside it)' AS metric,
    slm_h AS figure, 'entropy' AS unit, NULL::DOUBLE AS figure_low, NULL::DOUBLE AS figure_high,
    llm_h AS detail_1, 'LLM entropy of the task mix' AS detail_1_label, 'entropy' AS detail_1_unit,
    slm_top - llm_top AS detail_2,
    'Largest task''s share: SLM ' || round(100 * slm_top, 1) || '% vs LLM ' || round(100 * llm_top, 1) || '% (difference)'
        AS detail_2_label, 'points' AS detail_2_unit,
    tagged::BIGINT AS denominator, 'sized models with a pipeline task, over ' || k || ' tasks' AS denominator_label,
    tagged / NULLIF(sized, 0) AS coverage, 'of the ' || format('{:,}', sized) || ' sized models have a pipeline task' AS coverage_label,
    CASE WHEN sized = 0 OR tagged / sized < 0.5 OR slm_h IS NULL OR llm_h IS NULL THEN 'the data can''t tell'
         WHEN slm_h >= llm_h + 0.10 THEN 'supported'
         WHEN slm_h <= llm_h THEN 'not supported'
         ELSE 'the data can''t tell' END AS verdict,
    'supported when SLMs spread over tasks clearly more than LLMs (entropy at least 0.10 higher); not supported when '
        || 'no more; can''t tell in between or when tasks cover < 50% of sized models' AS rule
FROM k;
