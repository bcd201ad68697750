-- HubScope schema: the tables of data/hub.duckdb.
-- Runnable as-is:  duckdb new.duckdb < sql/schema.sql
-- Every refresh creates a fresh file from this script, copies the previous file's rows in (INSERT BY NAME,
-- so added columns migrate themselves) and swaps the file in atomically.

CREATE TABLE IF NOT EXISTS schema_info (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
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
    tags                  VARCHAR[],
    gated                 VARCHAR,               -- 'no' | 'auto' | 'manual'; NULL when not fetched
    private               BOOLEAN,
    disabled              BOOLEAN,
    sha                   VARCHAR,
    license_raw           VARCHAR,               -- cardData.license, else the license:X tag, as written
    license               VARCHAR,               -- normalized licence id (lower case SPDX-like), NULL when none
    license_tier          VARCHAR,               -- permissive | copyleft | open-restricted | non-commercial | unknown
    safetensors_total     BIGINT,                -- the Hub's safetensors.total (plain sum over dtypes)
    safetensors_dtypes    JSON,                  -- safetensors.parameters, e.g. {"BF16": 7241732096}
    gguf_total            BIGINT,                -- gguf.total
    gguf_architecture     VARCHAR,
    gguf_context_length   BIGINT,
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
    likes                 BIGINT,
    trending_score        DOUBLE,
    first_seen_at         TIMESTAMP NOT NULL,    -- first refresh/snapshot that saw the model
    last_seen_at          TIMESTAMP NOT NULL,    -- last refresh/snapshot that saw the model
    last_run_id           INTEGER NOT NULL,      -- refresh_runs.run_id that last updated this row
    origin                VARCHAR NOT NULL       -- where the row came from, e.g. 'hub', 'snapshot:catalog-2026-10'
);

-- One row per model per refresh (or per recorded date of the bundled history): the download series.
CREATE TABLE IF NOT EXISTS model_snapshots (
    model_id            VARCHAR NOT NULL,
    snapshot_at         TIMESTAMP NOT NULL,      -- UTC time of the refresh (recorded date at 00:00 for history)
    snapshot_date       DATE NOT NULL,
    run_id              INTEGER NOT NULL,        -- refresh_runs.run_id that stored the row
    series              VARCHAR NOT NULL,        -- which series: 'hub' for refreshes, else the recorded list's name
    downloads_30d       BIGINT,
    downloads_all_time  BIGINT,
    likes               BIGINT,
    trending_score      DOUBLE,
    PRIMARY KEY (model_id, snapshot_at, series)
);

-- Every refresh attempt, including failed and killed ones.
CREATE TABLE IF NOT EXISTS refresh_runs (
    run_id            INTEGER PRIMARY KEY,
    started_at        TIMESTAMP NOT NULL,
    finished_at       TIMESTAMP,
    status            VARCHAR NOT NULL,          -- running | ok | failed | killed
    source            VARCHAR NOT NULL,          -- endpoint URL, or 'snapshot:<dir> (selection, not the whole Hub)'
    is_full           BOOLEAN NOT NULL,          -- TRUE when no filter/limit: unseen models keep their last_seen_at
    filters           JSON,                      -- author/task/search/limit/sort as asked
    pages_fetched     INTEGER,
    models_seen       INTEGER,
    models_new        INTEGER,
    models_rejected   INTEGER,
    snapshot_rows     INTEGER,
    error             VARCHAR,
    hubscope_version  VARCHAR
);

-- Records that could not be normalized: kept whole, with the reason, so nothing is lost.
CREATE TABLE IF NOT EXISTS rejected_records (
    run_id       INTEGER NOT NULL,
    rejected_at  TIMESTAMP NOT NULL,
    model_id     VARCHAR,                        -- when one could be read
    reason       VARCHAR NOT NULL,
    raw_json     VARCHAR NOT NULL
);

-- Parent links: child derives from parent by relation.
CREATE TABLE IF NOT EXISTS model_lineage (
    child_id   VARCHAR NOT NULL,
    parent_id  VARCHAR NOT NULL,
    relation   VARCHAR NOT NULL,                 -- finetune | quantized | adapter | merge | unknown
    source     VARCHAR NOT NULL,                 -- baseModels | cardData | tag | catalog-gguf
    PRIMARY KEY (child_id, parent_id, relation)
);

-- Exact parameter counts from a named reference (the bundled catalog read them from weight files).
CREATE TABLE IF NOT EXISTS reference_params (
    model_id       VARCHAR PRIMARY KEY,
    params_total   BIGINT NOT NULL,
    params_active  BIGINT,
    num_experts    INTEGER,
    source         VARCHAR NOT NULL
);

-- Every parameter count any source gave, so disagreements stay visible.
CREATE TABLE IF NOT EXISTS model_params_sources (
    model_id       VARCHAR NOT NULL,
    source         VARCHAR NOT NULL,             -- reference | safetensors | gguf | base_model | name
    params_total   BIGINT,
    params_active  BIGINT,
    note           VARCHAR,
    PRIMARY KEY (model_id, source)
);
