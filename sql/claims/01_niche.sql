-- Claim 1 (Greer 2024): "the SLM market is a niche compared to LLMs".
-- Metric: SLM share of language-model 30-day downloads (and of models), with the range the unknown sizes allow, and
-- its move on the models a series recorded on both its last date and the latest date >= 30 days before it (sums per
-- size bucket precomputed at refresh time, rollup_claim_move: exact at the threshold grid's edges).
-- Rule (docs/claims.md): niche = under 25% of downloads. Size known for < 50% of downloads -> the data can't tell;
-- the whole range (unknown sizes all large ... all small) below 25% -> supported; the whole range at or above 25% ->
-- not supported; a range across 25% -> the data can't tell.
-- Variables: threshold (default: the configured boundary), series 'catalog'. Runs as-is in the duckdb CLI.
WITH p AS (SELECT COALESCE(getvariable('threshold'), default_threshold()) AS t,
                  COALESCE(getvariable('series'), 'catalog') AS sname),
lm AS (SELECT model_class(params_total, p.t) AS cls, COALESCE(downloads_30d, 0) AS dl FROM models, p
       WHERE is_language_model),
k AS (
    SELECT count(*) AS models, sum(dl) AS dl,
           count(*) FILTER (WHERE cls = 'SLM') AS slm_n, count(*) FILTER (WHERE cls = 'LLM') AS llm_n,
           COALESCE(sum(dl) FILTER (WHERE cls = 'SLM'), 0) AS slm_dl, COALESCE(sum(dl) FILTER (WHERE cls = 'LLM'), 0) AS llm_dl,
           COALESCE(sum(dl) FILTER (WHERE cls IS NULL), 0) AS unknown_dl
    FROM lm
),
ends AS (  -- the series' dates from history_slots (one row per snapshot), not the decoded rows
    SELECT max(snapshot_date) AS d_to,
           max(snapshot_date) FILTER (WHERE snapshot_date <= (SELECT max(snapshot_date) FROM history_slots, p
                                                              WHERE history_slots.series = p.sname) - INTERVAL 30 DAY) AS d_from
    FROM history_slots, p WHERE history_slots.series = p.sname
),
move AS (  -- per size bucket, precomputed at refresh time (rollup_claim_move, sql/rollups.sql)
    SELECT COALESCE(sum(x.dl_to) FILTER (WHERE x.cls = 'SLM'), 0) / NULLIF(sum(x.dl_to), 0)
         - COALESCE(sum(x.dl_from) FILTER (WHERE x.cls = 'SLM'), 0) / NULLIF(sum(x.dl_from), 0) AS change,
           COALESCE(sum(x.rows_to), 0) AS cohort
    FROM (SELECT c.*, model_class(c.bucket_lo, p.t) AS cls FROM rollup_claim_move c, p WHERE c.series = p.sname) x
),
f AS (
    SELECT k.*, move.*, ends.*,
           slm_dl / NULLIF(slm_dl + llm_dl, 0) AS share,
           slm_dl / NULLIF(dl, 0) AS share_low,
           (slm_dl + unknown_dl) / NULLIF(dl, 0) AS share_high,
           slm_n / NULLIF(slm_n + llm_n, 0) AS share_models,
           1 - unknown_dl / NULLIF(dl, 0) AS coverage
    FROM k, move, ends
)
SELECT
    1 AS claim_no,
    'SLM share of language-model 30-day downloads' AS metric,
    share AS figure, 'share' AS unit, share_low AS figure_low, share_high AS figure_high,
    share_models AS detail_1, 'SLM share of language models' AS detail_1_label, 'share' AS detail_1_unit,
    change AS detail_2, 'Move of the SLM download share on the ' || format('{:,}', cohort) || ' models recorded on both '
        || strftime(d_from, '%-d %b %Y') || ' and ' || strftime(d_to, '%-d %b %Y') AS detail_2_label, 'points' AS detail_2_unit,
    dl::BIGINT AS denominator, '30-day downloads of ' || format('{:,}', models) || ' language models' AS denominator_label,
    coverage, 'of those downloads go to models of known size' AS coverage_label,
    CASE WHEN coverage IS NULL OR coverage < 0.5 THEN 'the data can''t tell'
         WHEN share_high < 0.25 THEN 'supported'
         WHEN share_low >= 0.25 THEN 'not supported'
         ELSE 'the data can''t tell' END AS verdict,
    'niche = under 25% of downloads: supported when the whole unknown-size range is below 25%, not supported when '
        || 'it is all at or above 25%; can''t tell when the range straddles 25% or sizes cover < 50% of downloads'
        AS rule
FROM f;
