-- Migration 003: the incremental rollups keep their state across refreshes (sql/rollups.sql). The tables are
-- created empty; the first refresh after this migration rebuilds the rollups in full (no fingerprint yet).
DROP TABLE IF EXISTS rollup_snapshots;
CREATE TABLE IF NOT EXISTS rollup_snapshots (series VARCHAR, snapshot_date DATE, is_language_model BOOLEAN,
    pipeline_tag VARCHAR, bucket_lo DOUBLE, models BIGINT, downloads_30d BIGINT);
CREATE TABLE IF NOT EXISTS rollup_slots_done (series VARCHAR, slot INTEGER, snapshot_at TIMESTAMP, run_id INTEGER,
    models INTEGER);
CREATE TABLE IF NOT EXISTS rollup_sized (model_key INTEGER, is_language_model BOOLEAN, pipeline_tag VARCHAR,
    bucket_lo DOUBLE);
CREATE TABLE IF NOT EXISTS rollup_state (key VARCHAR, value VARCHAR);
