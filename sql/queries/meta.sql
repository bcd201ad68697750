-- Dashboard (sidebar, Overview, Data): one row describing what the DB holds. No variables.
-- Snapshot dates come from history_slots (one row per snapshot), not the decoded model_snapshots rows.
SELECT
    (SELECT count(*) FROM models)                                                AS models,
    (SELECT count(*) FILTER (WHERE is_language_model) FROM models)               AS language_models,
    (SELECT min(snapshot_date) FROM history_slots WHERE models > 0) AS first_snapshot_date,
    (SELECT max(snapshot_date) FROM history_slots WHERE models > 0) AS latest_snapshot_date,
    (SELECT max(finished_at) FROM refresh_runs WHERE status = 'ok')              AS last_ok_refresh,
    (SELECT arg_max(source, finished_at) FROM refresh_runs WHERE status = 'ok')  AS last_ok_source,
    (SELECT COALESCE(bool_or(is_full), false) FROM refresh_runs WHERE status = 'ok') AS any_full_refresh,
    (SELECT count(*) FROM refresh_runs)                                          AS runs,
    (SELECT count(*) FROM rejected_records)                                      AS rejected_records,
    (SELECT max(last_seen_at) FROM models)                                       AS last_seen_at,
    (SELECT count(*) FROM models WHERE origin = 'hub')                           AS models_from_hub;
