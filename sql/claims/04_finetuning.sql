-- Claim 4: SLMs allow "rapid and affordable rerunning / fine-tuning".
-- Two parts, one row.
-- (a) Fine-tunes and adapters per base model, by the class of the base: the mean number of recorded
--     fine-tune/adapter children of each base that has any, SLM bases over LLM bases (a ratio > 1 = SLMs are
--     fine-tuned more often). Rule: fewer than 30 such bases in either class -> the data can't tell; ratio >= 1.2 ->
--     supported; ratio <= 0.8 -> not supported; in between -> the data can't tell.
-- (b) Release cadence: new versions per family per month. A family = the models sharing a family_root (top ancestor
--     through model_lineage), with at least 2 members of known creation date; its cadence = (dated members - 1) /
--     months from its first dated member to the data's as-of date (at least 1 month). Median over families by the
--     class of the root, SLM over LLM. Rule: fewer than 30 families in either class, or creation dates known for
--     < 50% of family members -> the data can't tell; ratio >= 1.2 -> supported; <= 0.8 -> not supported; else can't tell.
-- Verdict of the claim (docs/claims.md): supported when one part is supported and the other is not "not supported";
-- not supported when one part is not supported and the other is not "supported"; otherwise the data can't tell.
-- Variables: threshold (default: the configured boundary). Runs as-is in the duckdb CLI.
WITH p AS (SELECT COALESCE(getvariable('threshold'), default_threshold()) AS t,
                  (SELECT max(last_seen_at) FROM models) AS as_of),
links AS (
    SELECT l.parent_id, model_class(pm.params_total, p.t) AS cls
    FROM model_lineage l LEFT JOIN models pm ON pm.model_id = l.parent_id, p
    WHERE l.relation IN ('finetune', 'adapter')
),
bases AS (SELECT parent_id, cls, count(*) AS children FROM links WHERE cls IS NOT NULL GROUP BY ALL),
fam AS (
    SELECT family_root, count(*) AS members,
           count(*) FILTER (WHERE created_at IS NOT NULL AND NOT COALESCE(created_at_unknown, false)) AS dated,
           min(created_at) FILTER (WHERE created_at IS NOT NULL AND NOT COALESCE(created_at_unknown, false)) AS first_at
    FROM models
    -- a family of 2 or more has a member that is not its own root: only those roots are grouped (not every model)
    WHERE family_root IN (SELECT family_root FROM models WHERE family_root <> model_id)
    GROUP BY family_root HAVING count(*) >= 2
),
fams AS (
    SELECT fam.*, model_class(r.params_total, p.t) AS cls,
           CASE WHEN dated >= 2 THEN (dated - 1) / greatest(date_diff('day', first_at, p.as_of) / 30.4375, 1) END
               AS per_month
    FROM fam LEFT JOIN models r ON r.model_id = fam.family_root, p
),
k AS (  -- one aggregate per input (a scalar subquery per figure costs more to plan than to run)
    SELECT * FROM
        (SELECT count(*) AS links_all, count(*) FILTER (WHERE cls IS NOT NULL) AS links_sized FROM links),
        (SELECT count(*) FILTER (WHERE cls = 'SLM') AS slm_bases, count(*) FILTER (WHERE cls = 'LLM') AS llm_bases,
                avg(children) FILTER (WHERE cls = 'SLM') AS slm_mean, avg(children) FILTER (WHERE cls = 'LLM') AS llm_mean
         FROM bases),
        (SELECT count(*) AS lineage_rows FROM model_lineage),
        (SELECT count(*) AS models_all FROM models),
        (SELECT sum(members) AS family_members, sum(dated) AS family_dated FROM fam),
        (SELECT count(*) FILTER (WHERE cls = 'SLM' AND per_month IS NOT NULL) AS slm_families,
                count(*) FILTER (WHERE cls = 'LLM' AND per_month IS NOT NULL) AS llm_families,
                median(per_month) FILTER (WHERE cls = 'SLM') AS slm_cadence,
                median(per_month) FILTER (WHERE cls = 'LLM') AS llm_cadence
         FROM fams)
),
v AS (
    SELECT k.*,
           CASE WHEN slm_bases < 30 OR llm_bases < 30 THEN 'the data can''t tell'
                WHEN slm_mean / llm_mean >= 1.2 THEN 'supported'
                WHEN slm_mean / llm_mean <= 0.8 THEN 'not supported'
                ELSE 'the data can''t tell' END AS finetune_verdict,
           CASE WHEN slm_families < 30 OR llm_families < 30 OR family_dated / family_members < 0.5
                     OR llm_cadence = 0 THEN 'the data can''t tell'
                WHEN slm_cadence / llm_cadence >= 1.2 THEN 'supported'
                WHEN slm_cadence / llm_cadence <= 0.8 THEN 'not supported'
                ELSE 'the data can''t tell' END AS cadence_verdict
    FROM k
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
    -- (b) release cadence
    slm_cadence / NULLIF(llm_cadence, 0) AS detail_3,
    'Release cadence (new versions per family per month, median), SLM-rooted / LLM-rooted families' AS detail_3_label,
    'ratio' AS detail_3_unit,
    slm_cadence AS detail_4, 'per SLM-rooted family (' || slm_families || ' families)' AS detail_4_label,
    'per month' AS detail_4_unit,
    llm_cadence AS detail_5, 'per LLM-rooted family (' || llm_families || ' families)' AS detail_5_label,
    'per month' AS detail_5_unit,
    family_members / models_all AS family_coverage,
    format('{:,}', family_members) || ' of the ' || format('{:,}', models_all) || ' models belong to a family of 2 or '
        || 'more (lineage is recorded for few models); creation date known for ' || format('{:,}', family_dated)
        || ' of them' AS family_coverage_label,
    'fine-tunes: ' || finetune_verdict || '; release cadence: ' || cadence_verdict AS part_verdicts,
    CASE WHEN finetune_verdict = 'supported' AND cadence_verdict <> 'not supported'
              OR cadence_verdict = 'supported' AND finetune_verdict <> 'not supported' THEN 'supported'
         WHEN finetune_verdict = 'not supported' AND cadence_verdict <> 'supported'
              OR cadence_verdict = 'not supported' AND finetune_verdict <> 'supported' THEN 'not supported'
         ELSE 'the data can''t tell' END AS verdict,
    'each part supported at an SLM/LLM ratio of at least 1.2, not supported at 0.8 or less, can''t tell in between or '
        || 'with fewer than 30 bases (families) in a class or creation dates known for < 50% of family members; the '
        || 'claim is supported when one part is supported and the other not contradicting it, not supported the same '
        || 'way, else can''t tell' AS rule
FROM v;
