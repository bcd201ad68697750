-- Claim 2: "an SLM is typically derived from an LLM through distillation or pruning".
-- Metric: of the SLMs whose lineage is recorded (a base-model link other than a quantized copy), the share whose base
-- or family root is an LLM; beside it, the share of all SLMs with 'distil' / 'prune' / 'minitron' in their id or tags.
-- Rule (docs/claims.md): lineage recorded for < 50% of SLMs -> the data can't tell; else >= 50% LLM-derived ->
-- supported, < 50% -> not supported. (Quantized copies keep their base's size, so they say nothing about derivation.)
-- Variables: threshold (default: the configured boundary). Runs as-is in the duckdb CLI.
WITH p AS (SELECT COALESCE(getvariable('threshold'), default_threshold()) AS t),
slm AS (
    SELECT model_id, family_root, tags FROM models, p
    WHERE is_language_model AND model_class(params_total, p.t) = 'SLM'
),
links AS (
    SELECT l.child_id, l.parent_id, pm.params_total AS parent_params, rm.params_total AS root_params
    FROM model_lineage l
    JOIN slm ON slm.model_id = l.child_id
    LEFT JOIN models pm ON pm.model_id = l.parent_id
    LEFT JOIN models rm ON rm.model_id = slm.family_root
    WHERE l.relation IS DISTINCT FROM 'quantized'
),
per AS (
    SELECT child_id, bool_or(parent_params >= p.t OR root_params >= p.t) AS from_llm
    FROM links, p GROUP BY child_id
),
k AS (
    SELECT (SELECT count(*) FROM slm) AS slms,
           (SELECT count(*) FROM per) AS with_lineage,
           (SELECT count(*) FROM per WHERE from_llm) AS from_llm,
           (SELECT count(*) FROM slm WHERE regexp_matches(lower(model_id), 'distil|prun|minitron')
               OR len(list_filter(tags, lambda x: regexp_matches(lower(x), 'distil|prun'))) > 0) AS named
),
f AS (  -- the figure and its coverage, which the rule reads (as claim 1 does)
    SELECT k.*, from_llm / NULLIF(with_lineage, 0) AS share, with_lineage / NULLIF(slms, 0) AS coverage FROM k
)
SELECT
    2 AS claim_no,
    'Share of SLMs with recorded lineage whose base or family root is an LLM' AS metric,
    share AS figure, 'share' AS unit, NULL::DOUBLE AS figure_low, NULL::DOUBLE AS figure_high,
    named / NULLIF(slms, 0) AS detail_1, 'SLMs with distil/prune/minitron in id or tags' AS detail_1_label, 'share' AS detail_1_unit,
    NULL::DOUBLE AS detail_2, NULL AS detail_2_label, NULL AS detail_2_unit,
    with_lineage::BIGINT AS denominator, 'SLMs with a recorded non-quantized base model' AS denominator_label,
    coverage, 'of ' || format('{:,}', slms) || ' SLMs have such a lineage record' AS coverage_label,
    CASE WHEN coverage IS NULL OR coverage < 0.5 THEN 'the data can''t tell' WHEN share >= 0.5 THEN 'supported'
         ELSE 'not supported' END AS verdict,
    '"typically" = at least half: supported when >= 50% of SLMs with recorded lineage derive from an LLM; can''t '
        || 'tell when lineage is recorded for < 50% of SLMs' AS rule
FROM f;
