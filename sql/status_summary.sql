-- One row: what the DB holds. Used by `python -m pipeline status`.
SELECT
    (SELECT count(*) FROM models)                                        AS models,
    (SELECT count(*) FILTER (WHERE is_language_model) FROM models)       AS language_models,
    (SELECT count(*) FILTER (WHERE model_class = 'SLM') FROM models)     AS slm_default_threshold,
    (SELECT count(*) FILTER (WHERE model_class = 'LLM') FROM models)     AS llm_default_threshold,
    (SELECT count(*) FROM model_snapshots)                               AS snapshot_rows,
    (SELECT count(DISTINCT snapshot_date) FROM model_snapshots)          AS snapshot_dates,
    (SELECT count(*) FROM rejected_records)                              AS rejected_records,
    (SELECT count(*) FROM model_lineage)                                 AS lineage_links,
    (SELECT max(finished_at) FROM refresh_runs WHERE status = 'ok')      AS last_ok_refresh;
