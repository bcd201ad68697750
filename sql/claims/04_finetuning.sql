-- Claim 4: SLMs allow "rapid and affordable rerunning / fine-tuning".
-- Metric: fine-tunes and adapters per base model, by the class of the base: the mean number of recorded
-- fine-tune/adapter children of each base that has any, SLM bases over LLM bases (a ratio > 1 = SLMs are fine-tuned
-- more often).
-- Rule (docs/claims.md): fewer than 30 such bases in either class -> the data can't tell; ratio >= 1.2 -> supported;
-- ratio <= 0.8 -> not supported; in between -> the data can't tell.
-- Variables: threshold (default: the configured boundary). Runs as-is in the duckdb CLI.
WITH p AS (SELECT COALESCE(getvariable('threshold'), default_threshold()) AS t),
links AS (
    SELECT l.parent_id, model_class(pm.params_total, p.t) AS cls
    FROM model_lineage l LEFT JOIN models pm ON pm.model_id = l.parent_id, p
    WHERE l.relation IN ('finetune', 'adapter')
),
bases AS (SELECT parent_id, cls, count(*) AS children FROM links WHERE cls IS NOT NULL GROUP BY ALL),
k AS (
    SELECT (SELECT count(*) FROM links) AS links_all,
           (SELECT count(*) FROM links WHERE cls IS NOT NULL) AS links_sized,
           (SELECT count(*) FROM bases WHERE cls = 'SLM') AS slm_bases,
           (SELECT count(*) FROM bases WHERE cls = 'LLM') AS llm_bases,
           (SELECT avg(children) FROM bases WHERE cls = 'SLM') AS slm_mean,
           (SELECT avg(children) FROM bases WHERE cls = 'LLM') AS llm_mean,
           (SELECT count(*) FROM model_lineage) AS lineage_rows
)
SELECT
    4 AS claim_no,
    'Fine-tunes + adapters per base model, SLM bases / LLM bases' AS metric,
    slm_mean / NULLIF(llm_mean, 0) AS figure, 'ratio' AS unit, NULL::DOUBLE AS figure_low, NULL::DOUBLE AS figure_high,
    slm_mean AS detail_1, 'per SLM base (' || slm_bases || ' bases)' AS detail_1_label, 'number' AS detail_1_unit,
    llm_mean AS detail_2, 'per LLM base (' || llm_bases || ' bases)' AS detail_2_label, 'number' AS detail_2_unit,
    links_sized::BIGINT AS denominator,
    'fine-tune/adapter links to a base of known size (' || format('{:,}', lineage_rows) || ' lineage links in all)' AS denominator_label,
    links_sized / NULLIF(links_all, 0) AS coverage, 'of the ' || format('{:,}', links_all) || ' fine-tune/adapter links' AS coverage_label,
    CASE WHEN slm_bases < 30 OR llm_bases < 30 THEN 'the data can''t tell'
         WHEN slm_mean / llm_mean >= 1.2 THEN 'supported'
         WHEN slm_mean / llm_mean <= 0.8 THEN 'not supported'
         ELSE 'the data can''t tell' END AS verdict,
    'supported when SLM bases get at least 1.2x the fine-tunes/adapters of LLM bases, not supported at 0.8x or less; '
        || 'can''t tell in between or with fewer than 30 such bases in a class' AS rule
FROM k;
