-- Dashboard (sidebar, Overview, Data): one row describing what the DB holds. No variables.
-- Snapshot dates come from history_slots (one row per snapshot), not the decoded model_snapshots rows.
-- One aggregate per table (not a scalar subquery per figure: planning eleven of them cost more than reading).
SELECT
    m.models,
    m.language_models,
    h.first_snapshot_date,
    h.latest_snapshot_date,
    r.last_ok_refresh,
    r.last_ok_source,
    r.any_full_refresh,
    r.runs,
    j.rejected_records,
    m.last_seen_at,
    m.models_from_hub
FROM (
    SELECT count(*) AS models, count(*) FILTER (WHERE is_language_model) AS language_models,
           max(last_seen_at) AS last_seen_at, count(*) FILTER (WHERE origin = 'hub') AS models_from_hub
    FROM models
) m,
(
    SELECT min(snapshot_date) AS first_snapshot_date, max(snapshot_date) AS latest_snapshot_date
    FROM history_slots WHERE models > 0
) h,
(
    SELECT max(finished_at) FILTER (WHERE status = 'ok') AS last_ok_refresh,
           arg_max(source, finished_at) FILTER (WHERE status = 'ok') AS last_ok_source,
           COALESCE(bool_or(is_full) FILTER (WHERE status = 'ok'), false) AS any_full_refresh,
           count(*) AS runs
    FROM refresh_runs
) r,
(SELECT count(*) AS rejected_records FROM rejected_records) j;
