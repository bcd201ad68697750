-- Claim 5: SLMs are "suitable for resource-constrained environments".
-- Metric: the share of SLM 30-day downloads that go to models whose 4-bit weights fit a phone or a laptop (the
-- device classes of config/hubscope.toml, models.device_class); the LLM share beside it.
-- Rule (docs/claims.md): device class known for < 50% of SLM downloads -> the data can't tell; >= 75% -> supported;
-- < 75% -> not supported.
-- Variables: threshold (default: the configured boundary). Runs as-is in the duckdb CLI.
WITH p AS (SELECT COALESCE(getvariable('threshold'), default_threshold()) AS t),
m AS (
    SELECT model_class(params_total, p.t) AS cls, device_class, COALESCE(downloads_30d, 0) AS dl
    FROM models, p WHERE is_language_model AND params_total IS NOT NULL
),
k AS (
    SELECT COALESCE(sum(dl) FILTER (WHERE cls = 'SLM'), 0) AS slm_dl,
           COALESCE(sum(dl) FILTER (WHERE cls = 'SLM' AND device_class IS NOT NULL), 0) AS slm_known,
           COALESCE(sum(dl) FILTER (WHERE cls = 'SLM' AND device_class IN ('phone', 'laptop')), 0) AS slm_small,
           COALESCE(sum(dl) FILTER (WHERE cls = 'LLM' AND device_class IS NOT NULL), 0) AS llm_known,
           COALESCE(sum(dl) FILTER (WHERE cls = 'LLM' AND device_class IN ('phone', 'laptop')), 0) AS llm_small
    FROM m
)
SELECT
    5 AS claim_no,
    'Share of SLM downloads to models that fit a phone or laptop (4-bit)' AS metric,
    slm_small / NULLIF(slm_known, 0) AS figure, 'share' AS unit, NULL::DOUBLE AS figure_low, NULL::DOUBLE AS figure_high,
    NULL::DOUBLE AS detail_1, NULL AS detail_1_label, NULL AS detail_1_unit,
    llm_small / NULLIF(llm_known, 0) AS detail_2, 'the same share for LLM downloads' AS detail_2_label, 'share' AS detail_2_unit,
    slm_known::BIGINT AS denominator, '30-day downloads of SLM language models with a device class' AS denominator_label,
    slm_known / NULLIF(slm_dl, 0) AS coverage, 'of SLM downloads have a device class' AS coverage_label,
    CASE WHEN slm_dl = 0 OR slm_known / slm_dl < 0.5 THEN 'the data can''t tell'
         WHEN slm_small / slm_known >= 0.75 THEN 'supported'
         ELSE 'not supported' END AS verdict,
    'supported when at least 75% of SLM downloads go to models that fit a phone or laptop; can''t tell when the '
        || 'device class is known for < 50% of SLM downloads' AS rule
FROM k;
