-- HubScope schema: the tables of data/hub.duckdb.
-- Runnable as-is:  duckdb new.duckdb < sql/schema.sql
-- A refresh starts from a byte copy of the previous file and applies the migrations it lacks
-- (sql/migrations/, recorded in schema_migrations); a new file is built from this script, which is the layout
-- after every migration. Either way the new file is swapped in atomically.

-- Schema migrations applied to this file (sql/migrations/NNN_name.sql); a fresh file records all of them.
CREATE TABLE IF NOT EXISTS schema_migrations (
    version     INTEGER PRIMARY KEY,             -- NNN of sql/migrations/NNN_name.sql
    name        VARCHAR NOT NULL,                -- the name part of the file
    applied_at  TIMESTAMP NOT NULL               -- UTC, when it was applied (or the file was built)
);

-- Facts about the file itself, e.g. the HubScope version that wrote it.
CREATE TABLE IF NOT EXISTS schema_info (
    key   VARCHAR PRIMARY KEY,                   -- e.g. 'hubscope_version', 'last_compaction'
    value VARCHAR NOT NULL                       -- the value, as text
);

-- One row per model: the latest metadata seen for it. Never deleted; a full refresh that no longer sees a
-- model leaves last_seen_at at the last refresh that did.
CREATE TABLE IF NOT EXISTS models (
    model_id              VARCHAR PRIMARY KEY,   -- "org/name" as on the Hub
    author                VARCHAR,               -- organisation or user (the part before "/")
    created_at            TIMESTAMP,             -- UTC; NULL when unknown
    created_at_unknown    BOOLEAN NOT NULL,      -- TRUE for the Hub's sentinel 2022-03-02T23:29:04Z (repo predates tracking) or no date
    last_modified         TIMESTAMP,             -- UTC
    pipeline_tag          VARCHAR,               -- the Hub's task, e.g. text-generation
    library_name          VARCHAR,               -- transformers, gguf, mlx, ...
    tags                  VARCHAR[],             -- the Hub's tags: libraries, languages (e.g. 'en'), 'license:X', 'base_model:…'
    gated                 VARCHAR,               -- 'no' | 'auto' | 'manual'; NULL when not fetched
    private               BOOLEAN,               -- private repos only appear with a token that can see them
    disabled              BOOLEAN,               -- disabled by the Hub
    sha                   VARCHAR,               -- git revision the metadata describes
    license_raw           VARCHAR,               -- cardData.license, else the license:X tag, as written
    license               VARCHAR,               -- normalized licence id (lower case SPDX-like), NULL when none
    license_tier          VARCHAR,               -- permissive | copyleft | open-restricted | non-commercial | unknown
    safetensors_total     BIGINT,                -- the Hub's safetensors.total (plain sum over dtypes)
    safetensors_dtypes    JSON,                  -- safetensors.parameters, e.g. {"BF16": 7241732096}
    gguf_total            BIGINT,                -- gguf.total
    gguf_architecture     VARCHAR,               -- gguf.architecture, e.g. 'llama', 'qwen3'
    gguf_context_length   BIGINT,                -- gguf.context_length in tokens
    base_models           VARCHAR[],             -- direct parents from baseModels / cardData.base_model / base_model: tags
    base_relation         VARCHAR,               -- finetune | quantized | adapter | merge | unknown
    params_total          BIGINT,                -- resolved parameter count (see params_source)
    params_active         BIGINT,                -- active parameters per token for mixture-of-experts, else = params_total
    params_source         VARCHAR,               -- reference | safetensors | gguf | base_model | name | unknown
    params_flags          VARCHAR,               -- corrections/caveats, e.g. 'packed_quant_corrected'
    is_language_model     BOOLEAN,               -- pipeline_tag in the language-model scope (config)
    size_band             VARCHAR,               -- '<1B', '1-3B', ... from config; 'unknown' without a count
    model_class           VARCHAR,               -- 'SLM' | 'LLM' at the default threshold; NULL when size unknown
    memory_bf16_gb        DOUBLE,                -- weights only, 2 bytes/param (total)
    memory_4bit_gb        DOUBLE,                -- weights only, 0.5 bytes/param (total)
    device_class          VARCHAR,               -- smallest device class that holds the 4-bit weights (config)
    family_root           VARCHAR,               -- top ancestor through model_lineage (self when no parent)
    is_test_repo          BOOLEAN,               -- a test/CI fixture repo, not a model anyone uses (pipeline/enrich/flags.py)
    downloads_30d         BIGINT,                -- latest seen: the Hub's rolling 30-day downloads
    downloads_all_time    BIGINT,                -- latest seen: cumulative downloads (NULL when not fetched)
    likes                 BIGINT,                -- latest seen: likes
    trending_score        DOUBLE,                -- latest seen: the Hub's trendingScore
    first_seen_at         TIMESTAMP NOT NULL,    -- first refresh/snapshot that saw the model
    last_seen_at          TIMESTAMP NOT NULL,    -- last refresh/snapshot that saw the model
    last_run_id           INTEGER NOT NULL,      -- refresh_runs.run_id that last updated this row
    origin                VARCHAR NOT NULL       -- where the row came from, e.g. 'hub', 'snapshot:catalog-2026-10'
);

-- The download series, delta-encoded (pipeline/store/history.py writes it; BENCHMARKS.md has the sizes).
-- Most models' counters do not change from one snapshot to the next, so a row is stored per model only when
-- its values changed or it (re)appeared; `model_snapshots` below gives the full per-date series back.

-- Integer keys of the models in the history tables (assigned in order of first appearance).
CREATE TABLE IF NOT EXISTS history_keys (
    model_key   INTEGER NOT NULL,                -- 1, 2, 3, …; unique (kept so by the writer)
    model_id    VARCHAR NOT NULL                 -- models.model_id
);

-- One row per snapshot of a series: its ordinal (`slot`), time and the run that recorded it.
CREATE TABLE IF NOT EXISTS history_slots (
    series         VARCHAR NOT NULL,             -- 'hub' for refreshes; recorded lists: 'catalog', 'daily-top', …
    slot           INTEGER NOT NULL,             -- 0, 1, 2, … in (snapshot_at, run_id) order within the series
    snapshot_at    TIMESTAMP NOT NULL,           -- UTC time of the refresh (recorded date at 00:00 for history)
    snapshot_date  DATE NOT NULL,                -- the UTC date of snapshot_at
    run_id         INTEGER NOT NULL,             -- refresh_runs.run_id that recorded the snapshot
    models         INTEGER NOT NULL              -- models present in the snapshot (its model_snapshots rows)
);

-- One row per run of consecutive slots over which a model was present with the same values: present on every
-- slot of `series` from first_slot to last_slot (NULL: up to the series' latest slot), absent between spans.
CREATE TABLE IF NOT EXISTS history_spans (
    series              VARCHAR NOT NULL,        -- history_slots.series
    model_key           INTEGER NOT NULL,        -- history_keys.model_key
    first_slot          INTEGER NOT NULL,        -- first slot of the span
    last_slot           INTEGER,                 -- last slot of the span; NULL while still present at the latest slot
    downloads_30d       BIGINT,                  -- the Hub's rolling 30-day downloads over the span
    downloads_all_time  BIGINT,                  -- cumulative downloads over the span (NULL when not fetched)
    likes               BIGINT,                  -- likes over the span
    trending_score      DOUBLE                   -- the Hub's trendingScore over the span
);

-- One row per model per refresh (or per recorded date of the bundled history): the download series, decoded.
-- Unique on (model_id, snapshot_at, series). Reading it decodes every span; for one run or one date the macros
-- model_snapshots_of_run(run_id) and model_snapshots_on(series, snapshot_date) read only what they need.
CREATE OR REPLACE VIEW model_snapshots AS
WITH latest AS (SELECT series, max(slot) AS last_slot FROM history_slots GROUP BY series),
expanded AS (
    SELECT s.series, s.model_key, unnest(range(s.first_slot, coalesce(s.last_slot, l.last_slot) + 1)) AS slot,
           s.downloads_30d, s.downloads_all_time, s.likes, s.trending_score
    FROM history_spans s JOIN latest l USING (series)
)
SELECT
    k.model_id,                                  -- models.model_id
    d.snapshot_at,                               -- UTC time of the refresh (recorded date at 00:00 for history)
    d.snapshot_date,                             -- the UTC date of snapshot_at (the export's partition key)
    d.run_id,                                    -- refresh_runs.run_id that stored the row
    d.series,                                    -- 'hub' for refreshes; recorded lists: 'catalog', 'daily-top', 'trending-top10'
    e.downloads_30d,                             -- the Hub's rolling 30-day downloads at snapshot_at
    e.downloads_all_time,                        -- cumulative downloads at snapshot_at (NULL when not fetched)
    e.likes,                                     -- likes at snapshot_at
    e.trending_score                             -- the Hub's trendingScore at snapshot_at
FROM expanded e
JOIN history_slots d USING (series, slot)
JOIN history_keys k USING (model_key);

-- State of the incremental rollups (sql/rollups.sql), kept across refreshes like the history itself.
CREATE TABLE IF NOT EXISTS rollup_snapshots (
    series             VARCHAR,                  -- history_slots.series
    snapshot_date      DATE,                     -- the snapshot's UTC date
    is_language_model  BOOLEAN,                  -- models.is_language_model
    pipeline_tag       VARCHAR,                  -- models.pipeline_tag
    bucket_lo          DOUBLE,                   -- rollup_grid edge at or below params_total (0 below the grid; NULL: unknown size)
    models             BIGINT,                   -- model_snapshots rows in the group
    downloads_30d      BIGINT                    -- their summed 30-day downloads
);
CREATE TABLE IF NOT EXISTS rollup_slots_done (
    series       VARCHAR,                        -- history_slots.series
    slot         INTEGER,                        -- history_slots.slot already aggregated into rollup_snapshots
    snapshot_at  TIMESTAMP,                      -- its time, run and size: a slot changed since is re-aggregated
    run_id       INTEGER,
    models       INTEGER
);
CREATE TABLE IF NOT EXISTS rollup_sized (
    model_key          INTEGER,                  -- history_keys.model_key
    is_language_model  BOOLEAN,                  -- the model's scope, task and size bucket when last aggregated
    pipeline_tag       VARCHAR,
    bucket_lo          DOUBLE
);
CREATE TABLE IF NOT EXISTS rollup_state (
    key    VARCHAR,                              -- 'fingerprint' (of the grid and config tables), 'last_refresh'
    value  VARCHAR
);
-- Presence and day values in date space for the fixed-cohort queries (sql/rollups.sql keeps them incrementally).
CREATE TABLE IF NOT EXISTS rollup_dates (
    series         VARCHAR,                      -- history_slots.series
    idx            INTEGER,                      -- 0, 1, 2, … over the series' distinct snapshot dates
    snapshot_date  DATE
);
CREATE TABLE IF NOT EXISTS rollup_presence (
    series     VARCHAR,
    model_key  INTEGER,                          -- history_keys.model_key
    first_idx  INTEGER,                          -- a run of consecutive dates (rollup_dates.idx) the model was recorded on
    last_idx   INTEGER                           -- NULL: up to the series' latest date
);
CREATE TABLE IF NOT EXISTS rollup_day_runs (
    series         VARCHAR,
    model_key      INTEGER,
    first_idx      INTEGER,                      -- a run of consecutive dates over which the model's downloads_30d of
    last_idx       INTEGER,                      -- the day (latest non-NULL that day) stayed the same; NULL: to the latest
    downloads_30d  BIGINT
);

-- model_snapshots rows of the snapshots that match (NULL matches all), found by range over the spans: no
-- decoding of the whole history.
CREATE OR REPLACE MACRO model_snapshots_where(wanted_run, wanted_series, wanted_date) AS TABLE
WITH d AS (
    SELECT * FROM history_slots
    WHERE (wanted_run IS NULL OR run_id = wanted_run)
      AND (wanted_series IS NULL OR series = wanted_series)
      AND (wanted_date IS NULL OR snapshot_date = wanted_date)
)
SELECT k.model_id, d.snapshot_at, d.snapshot_date, d.run_id, d.series,
       s.downloads_30d, s.downloads_all_time, s.likes, s.trending_score
FROM d
JOIN (SELECT series, max(slot) AS latest_slot FROM history_slots GROUP BY series) l USING (series)
JOIN history_spans s
    ON s.series = d.series AND d.slot >= s.first_slot AND d.slot <= coalesce(s.last_slot, l.latest_slot)
JOIN history_keys k USING (model_key);
-- The rows one run stored; the rows of one date of one series.
CREATE OR REPLACE MACRO model_snapshots_of_run(wanted_run) AS TABLE
SELECT * FROM model_snapshots_where(wanted_run, NULL, NULL);
CREATE OR REPLACE MACRO model_snapshots_on(wanted_series, wanted_date) AS TABLE
SELECT * FROM model_snapshots_where(NULL, wanted_series, wanted_date);

-- Every refresh attempt, including failed and killed ones.
CREATE TABLE IF NOT EXISTS refresh_runs (
    run_id            INTEGER PRIMARY KEY,       -- 1, 2, 3, … in the order attempts started
    started_at        TIMESTAMP NOT NULL,        -- UTC
    finished_at       TIMESTAMP,                 -- UTC; NULL for a run killed before it could finish
    status            VARCHAR NOT NULL,          -- running | ok | failed | killed
    source            VARCHAR NOT NULL,          -- endpoint URL, or 'snapshot:<dir> (selection, not the whole Hub)'
    is_full           BOOLEAN NOT NULL,          -- TRUE when no filter/limit: unseen models keep their last_seen_at
    filters           JSON,                      -- author/task/search/limit/sort as asked
    pages_fetched     INTEGER,                   -- pages of up to 1,000 models read
    models_seen       INTEGER,                   -- models stored by this run
    models_new        INTEGER,                   -- of those, models the DB did not have before
    models_rejected   INTEGER,                   -- records quarantined in rejected_records
    snapshot_rows     INTEGER,                   -- model_snapshots rows this run added
    error             VARCHAR,                   -- why a failed/killed run failed (never contains the token)
    hubscope_version  VARCHAR                    -- version of the pipeline that ran
);

-- Records that could not be normalized: kept whole, with the reason, so nothing is lost.
CREATE TABLE IF NOT EXISTS rejected_records (
    run_id       INTEGER NOT NULL,               -- refresh_runs.run_id of the run that met the record
    rejected_at  TIMESTAMP NOT NULL,             -- UTC
    model_id     VARCHAR,                        -- when one could be read
    reason       VARCHAR NOT NULL,               -- the first problem found, e.g. 'downloads is negative: -4'
    raw_json     VARCHAR NOT NULL                -- the record exactly as received, as JSON
);

-- Parent links: child derives from parent by relation.
CREATE TABLE IF NOT EXISTS model_lineage (
    child_id   VARCHAR NOT NULL,                 -- the derived model
    parent_id  VARCHAR NOT NULL,                 -- the model it derives from (may be absent from models)
    relation   VARCHAR NOT NULL,                 -- finetune | quantized | adapter | merge | unknown
    source     VARCHAR NOT NULL,                 -- baseModels | cardData | tag | catalog-gguf
    PRIMARY KEY (child_id, parent_id, relation)
);

-- Exact parameter counts from a named reference (the bundled catalog read them from weight files).
CREATE TABLE IF NOT EXISTS reference_params (
    model_id       VARCHAR PRIMARY KEY,          -- models.model_id
    params_total   BIGINT NOT NULL,              -- total parameters
    params_active  BIGINT,                       -- active parameters per token (mixture-of-experts), else NULL
    num_experts    INTEGER,                      -- experts in a mixture-of-experts model
    source         VARCHAR NOT NULL              -- where the count was read
);

-- Every parameter count any source gave, so disagreements stay visible.
CREATE TABLE IF NOT EXISTS model_params_sources (
    model_id       VARCHAR NOT NULL,             -- models.model_id
    source         VARCHAR NOT NULL,             -- reference | safetensors | gguf | base_model | name
    params_total   BIGINT,                       -- total parameters by this source
    params_active  BIGINT,                       -- active parameters per token (mixture-of-experts), else NULL
    note           VARCHAR,                      -- how the value was derived or corrected
    PRIMARY KEY (model_id, source)
);
