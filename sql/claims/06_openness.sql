-- Claim 6: "open-source vs proprietary complicates valuation".
-- Metric: the share of language-model 30-day downloads under restricted licences (tiers open-restricted and
-- non-commercial: weights open, use limited), SLM and LLM. The Hub lists open-weight models only; API-only
-- proprietary models are never in this data, so what can be measured is how much of the open market carries terms
-- that a single "open source" valuation would miss.
-- Rule (docs/claims.md): licence tier known for < 50% of downloads -> the data can't tell; restricted share >= 20% in
-- either class -> supported; < 20% in both -> not supported.
-- Variables: threshold (default: the configured boundary). Runs as-is in the duckdb CLI.
WITH p AS (SELECT COALESCE(getvariable('threshold'), default_threshold()) AS t),
m AS (
    SELECT model_class(params_total, p.t) AS cls, license_tier, COALESCE(downloads_30d, 0) AS dl
    FROM models, p WHERE is_language_model AND params_total IS NOT NULL
),
k AS (
    SELECT COALESCE(sum(dl), 0) AS dl,
           COALESCE(sum(dl) FILTER (WHERE license_tier IS NOT NULL AND license_tier <> 'unknown'), 0) AS known,
           COALESCE(sum(dl) FILTER (WHERE cls = 'SLM' AND license_tier IS NOT NULL AND license_tier <> 'unknown'), 0) AS slm_known,
           COALESCE(sum(dl) FILTER (WHERE cls = 'LLM' AND license_tier IS NOT NULL AND license_tier <> 'unknown'), 0) AS llm_known,
           COALESCE(sum(dl) FILTER (WHERE cls = 'SLM' AND license_tier IN ('open-restricted', 'non-commercial')), 0) AS slm_r,
           COALESCE(sum(dl) FILTER (WHERE cls = 'LLM' AND license_tier IN ('open-restricted', 'non-commercial')), 0) AS llm_r
    FROM m
),
f AS (SELECT *, slm_r / NULLIF(slm_known, 0) AS slm_share, llm_r / NULLIF(llm_known, 0) AS llm_share FROM k)
SELECT
    6 AS claim_no,
    'Share of SLM downloads under restricted licences (open-restricted, non-commercial)' AS metric,
    slm_share AS figure, 'share' AS unit, NULL::DOUBLE AS figure_low, NULL::DOUBLE AS figure_high,
    NULL::DOUBLE AS detail_1, NULL AS detail_1_label, NULL AS detail_1_unit,
    llm_share AS detail_2, 'the same share for LLM downloads' AS detail_2_label, 'share' AS detail_2_unit,
    known::BIGINT AS denominator, '30-day downloads of sized language models with a known licence tier'
        AS denominator_label,
    known / NULLIF(dl, 0) AS coverage, 'of sized language-model downloads have a known licence tier' AS coverage_label,
    CASE WHEN dl = 0 OR known / dl < 0.5 THEN 'the data can''t tell'
         WHEN greatest(COALESCE(slm_share, 0), COALESCE(llm_share, 0)) >= 0.20 THEN 'supported'
         ELSE 'not supported' END AS verdict,
    'supported when at least 20% of either class''s downloads carry restricted terms; can''t tell when licence '
        || 'tiers are known for < 50% of downloads. Proprietary API models are never on the Hub' AS rule
FROM f;
