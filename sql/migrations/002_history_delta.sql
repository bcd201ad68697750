-- Migration 002: the download history becomes delta-encoded (pipeline/store/history.py).
-- Before: table model_snapshots, one row per model per snapshot. After: tables history_keys, history_slots and
-- history_spans, and model_snapshots becomes a view over them (sql/schema.sql) giving the same rows back.
-- Every data point is kept: tests/test_history.py decodes a migrated file and compares it row for row.
-- Run on a file that still has the TABLE model_snapshots, before sql/schema.sql creates the view.

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

-- The old rows, then the old table goes (the view of the same name replaces it).
CREATE OR REPLACE TEMP TABLE _history_full AS
SELECT DISTINCT ON (model_id, snapshot_at, series)
    model_id, snapshot_at, snapshot_date, run_id, series, downloads_30d, downloads_all_time, likes, trending_score
FROM model_snapshots;
DROP TABLE model_snapshots;

-- From here: exactly sql/history/encode.sql.
-- (Re-)encode whole series from full rows (pipeline/store/history.py: out-of-order loads, recorded history,
-- compact; sql/migrations/002_history_delta.sql ends with this same text, checked by tests/test_history.py).
-- Input: temp table _history_full (model_id, snapshot_at, snapshot_date, run_id, series, downloads_30d,
-- downloads_all_time, likes, trending_score), unique on (model_id, snapshot_at, series), holding EVERY row of each
-- series it mentions: those series are replaced. Slots are the (snapshot_at, run_id) of a series in order; a span
-- is a maximal run of consecutive slots with identical values (gaps and islands).

INSERT INTO history_keys
SELECT (SELECT coalesce(max(model_key), 0) FROM history_keys) + row_number() OVER (ORDER BY model_id), model_id
FROM (SELECT DISTINCT model_id FROM _history_full ANTI JOIN history_keys USING (model_id));

DELETE FROM history_spans WHERE series IN (SELECT DISTINCT series FROM _history_full);
DELETE FROM history_slots WHERE series IN (SELECT DISTINCT series FROM _history_full);

CREATE OR REPLACE TEMP TABLE _history_slotted AS
WITH slots AS (
    SELECT series, snapshot_at, run_id,
           CAST(row_number() OVER (PARTITION BY series ORDER BY snapshot_at, run_id) - 1 AS INTEGER) AS slot
    FROM (SELECT DISTINCT series, snapshot_at, run_id FROM _history_full)
)
SELECT f.*, s.slot, k.model_key
FROM _history_full f
JOIN slots s USING (series, snapshot_at, run_id)
JOIN history_keys k USING (model_id);

INSERT INTO history_slots
SELECT series, slot, snapshot_at, CAST(snapshot_at AS DATE), run_id, count(*)
FROM _history_slotted
GROUP BY series, slot, snapshot_at, run_id
ORDER BY series, slot;

INSERT INTO history_spans
WITH marked AS (
    SELECT *,
        CASE WHEN slot = lag(slot) OVER w + 1
                  AND downloads_30d IS NOT DISTINCT FROM lag(downloads_30d) OVER w
                  AND downloads_all_time IS NOT DISTINCT FROM lag(downloads_all_time) OVER w
                  AND likes IS NOT DISTINCT FROM lag(likes) OVER w
                  AND trending_score IS NOT DISTINCT FROM lag(trending_score) OVER w
             THEN 0 ELSE 1 END AS starts
    FROM _history_slotted
    WINDOW w AS (PARTITION BY series, model_key ORDER BY slot)
),
grouped AS (
    SELECT *, sum(starts) OVER (PARTITION BY series, model_key ORDER BY slot) AS span FROM marked
),
latest AS (SELECT series, max(slot) AS latest_slot FROM _history_slotted GROUP BY series)
SELECT g.series, g.model_key, min(g.slot),
       CASE WHEN max(g.slot) = any_value(l.latest_slot) THEN NULL ELSE max(g.slot) END,
       any_value(g.downloads_30d), any_value(g.downloads_all_time), any_value(g.likes), any_value(g.trending_score)
FROM grouped g JOIN latest l USING (series)
GROUP BY g.series, g.model_key, g.span
ORDER BY g.series, g.model_key, min(g.slot);

DROP TABLE _history_slotted;

DROP TABLE _history_full;
