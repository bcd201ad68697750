-- hub-stats dump: the checked rows (`_hs_rows`, sql/hubstats/rows.sql) into the writer's staging tables.
-- Parameters: $at (the snapshot time = the revision's commit time), $run (run_id), $origin (models.origin).
INSERT INTO _stage_models BY NAME
SELECT
    model_id, author, created_at, created_at_unknown, last_modified, pipeline_tag, library_name, tags, gated,
    private, disabled, sha, license_raw, safetensors_total, safetensors_dtypes, gguf_total, gguf_architecture,
    gguf_context_length, base_models, base_relation, downloads_30d, downloads_all_time, likes, trending_score,
    $at AS first_seen_at, $at AS last_seen_at, $run AS last_run_id, $origin AS origin
FROM _hs_rows
WHERE reason IS NULL;
