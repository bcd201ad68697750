-- Claim 7: the field evolves rapidly.
-- Metric: the download-weighted median age of language models (months from creation to the data's as-of date): half
-- of the 30-day downloads go to models younger than this. SLM, and LLM beside it.
-- Rule (docs/claims.md): creation date known for < 50% of SLM downloads -> the data can't tell; SLM median <= 12
-- months -> supported (downloads go to models under a year old); > 12 months -> not supported.
-- Variables: threshold (default: the configured boundary). Runs as-is in the duckdb CLI.
WITH p AS (SELECT COALESCE(getvariable('threshold'), default_threshold()) AS t,
                  (SELECT max(last_seen_at) FROM models) AS as_of),
m AS (
    SELECT model_class(params_total, p.t) AS cls, COALESCE(downloads_30d, 0) AS dl,
           CASE WHEN created_at IS NOT NULL AND NOT COALESCE(created_at_unknown, false)
                THEN date_diff('day', created_at, p.as_of) / 30.4375 END AS age_months
    FROM models, p WHERE is_language_model AND params_total IS NOT NULL
),
w AS (
    SELECT cls, age_months, sum(dl) OVER (PARTITION BY cls ORDER BY age_months ROWS UNBOUNDED PRECEDING) AS cum,
           sum(dl) OVER (PARTITION BY cls) AS tot
    FROM m WHERE age_months IS NOT NULL AND dl > 0
),
med AS (SELECT cls, min(age_months) FILTER (WHERE cum >= tot / 2) AS median_months FROM w GROUP BY cls),
k AS (
    SELECT (SELECT median_months FROM med WHERE cls = 'SLM') AS slm_med,
           (SELECT median_months FROM med WHERE cls = 'LLM') AS llm_med,
           (SELECT sum(dl) FROM m WHERE cls = 'SLM') AS slm_dl,
           (SELECT sum(dl) FROM m WHERE cls = 'SLM' AND age_months IS NOT NULL) AS slm_dated,
           (SELECT as_of::DATE FROM p) AS as_of
),
f AS (SELECT k.*, slm_dated / NULLIF(slm_dl, 0) AS coverage FROM k)  -- the coverage the rule reads
SELECT
    7 AS claim_no,
    'Download-weighted median age of SLMs, months (as of ' || strftime(as_of, '%-d %b %Y') || ')' AS metric,
    slm_med AS figure, 'months' AS unit, NULL::DOUBLE AS figure_low, NULL::DOUBLE AS figure_high,
    NULL::DOUBLE AS detail_1, NULL AS detail_1_label, NULL AS detail_1_unit,
    llm_med AS detail_2, 'the same median for LLMs, months' AS detail_2_label, 'months' AS detail_2_unit,
    slm_dated::BIGINT AS denominator, '30-day downloads of SLM language models with a known creation date'
        AS denominator_label,
    coverage, 'of SLM downloads have a known creation date' AS coverage_label,
    CASE WHEN coverage IS NULL OR coverage < 0.5 OR slm_med IS NULL THEN 'the data can''t tell'
         WHEN slm_med <= 12 THEN 'supported'
         ELSE 'not supported' END AS verdict,
    'supported when half of SLM downloads go to models at most 12 months old; can''t tell when creation dates are '
        || 'known for < 50% of SLM downloads' AS rule
FROM f;
