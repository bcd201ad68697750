-- Migration 001, the baseline: the layout every file had when migrations began (sql/schema.sql as of then), and
-- the table that records migrations. A fresh file is built from sql/schema.sql instead and records every
-- migration; a file from before migrations (no schema_migrations table) starts from this script, gets its rows
-- copied in by column name, and then the later migrations in order.
CREATE TABLE IF NOT EXISTS schema_migrations (
    version     INTEGER PRIMARY KEY,
    name        VARCHAR NOT NULL,
    applied_at  TIMESTAMP NOT NULL
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
    downloads_30d         BIGINT,                -- latest seen: the Hub's rolling 30-day downloads
    downloads_all_time    BIGINT,                -- latest seen: cumulative downloads (NULL when not fetched)
    likes                 BIGINT,                -- latest seen: likes
    trending_score        DOUBLE,                -- latest seen: the Hub's trendingScore
    first_seen_at         TIMESTAMP NOT NULL,    -- first refresh/snapshot that saw the model
    last_seen_at          TIMESTAMP NOT NULL,    -- last refresh/snapshot that saw the model
    last_run_id           INTEGER NOT NULL,      -- refresh_runs.run_id that last updated this row
    origin                VARCHAR NOT NULL       -- where the row came from, e.g. 'hub', 'snapshot:catalog-2026-10'
);

-- One row per model per refresh (or per recorded date of the bundled history): the download series.
CREATE TABLE IF NOT EXISTS model_snapshots (
    model_id            VARCHAR NOT NULL,        -- models.model_id
    snapshot_at         TIMESTAMP NOT NULL,      -- UTC time of the refresh (recorded date at 00:00 for history)
    snapshot_date       DATE NOT NULL,           -- the UTC date of snapshot_at (the export's partition key)
    run_id              INTEGER NOT NULL,        -- refresh_runs.run_id that stored the row
    series              VARCHAR NOT NULL,        -- 'hub' for refreshes; recorded lists: 'catalog', 'daily-top', 'trending-top10'
    downloads_30d       BIGINT,                  -- the Hub's rolling 30-day downloads at snapshot_at
    downloads_all_time  BIGINT,                  -- cumulative downloads at snapshot_at (NULL when not fetched)
    likes               BIGINT,                  -- likes at snapshot_at
    trending_score      DOUBLE                   -- the Hub's trendingScore at snapshot_at
    -- Unique on (model_id, snapshot_at, series), kept so by the writer (pipeline/store.py), NOT by a PRIMARY KEY:
    -- at Hub scale (3M models x 30 snapshots = 90M rows) that index tripled the file and made every insert into
    -- this table cost gigabytes of memory (BENCHMARKS.md).
);

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
