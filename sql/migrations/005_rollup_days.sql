-- Migration 005: presence and day values in date space for the fixed-cohort queries (sql/rollups.sql keeps them
-- across refreshes). Created empty: the first refresh after this migration derives them from the spans.
CREATE TABLE IF NOT EXISTS rollup_dates (series VARCHAR, idx INTEGER, snapshot_date DATE);
CREATE TABLE IF NOT EXISTS rollup_presence (series VARCHAR, model_key INTEGER, first_idx INTEGER, last_idx INTEGER);
CREATE TABLE IF NOT EXISTS rollup_day_runs (series VARCHAR, model_key INTEGER, first_idx INTEGER, last_idx INTEGER,
    downloads_30d BIGINT);
