-- HubScope dashboard rollups and query macros: precomputed at refresh time so the dashboard answers at Hub scale
-- (3M models x 30 snapshots = 90M snapshot rows) without scanning the snapshot table on every click.
--
-- Run by the pipeline inside the NEW DB file after every refresh, right after sql/macros.sql and sql/views.sql:
--     duckdb data/hub.duckdb < sql/rollups.sql
-- Idempotent: every statement is CREATE OR REPLACE over the schema tables. If a DB lacks these objects (older
-- pipeline), the dashboard builds them in its in-memory session instead (dashboard/data.py), from this same file.
--
-- Exactness: the threshold slider only offers the edges of rollup_grid, and every model is stored in the bucket
-- [bucket_lo, next edge). For an edge t, `params_total < t` <=> `bucket_lo < t`, so SLM/LLM totals computed from
-- the rollups equal those computed from the raw rows. (A threshold between two edges would be approximate.)
--
-- Query-time settings (read with getvariable(); the dashboard sets them per cursor with SET VARIABLE; in the CLI
-- leave them unset to get the defaults, or e.g. `SET VARIABLE threshold = 3e9;`):
--   threshold  DOUBLE     SLM/LLM cut-off in parameters, SLM when params_total < threshold   default default_threshold()
--   scope      VARCHAR    'language' (is_language_model) | 'all'                               default 'language'
--   unknown    VARCHAR    models without a parameter count: 'small' | 'large' | 'exclude'      default 'exclude'
--   tasks      VARCHAR[]  keep only these pipeline tags (empty/NULL = all)                     default all
--   orgs       VARCHAR[]  keep only these authors (empty/NULL = all)                           default all

-- The threshold grid: log steps from 0.1B to 500B (1, 1.5, 2, 3, 4, 5, 7 per decade), plus the configured default
-- threshold and every size-band edge (config_classes, config_bands).
CREATE OR REPLACE TABLE rollup_grid AS
SELECT threshold::DOUBLE AS threshold
FROM (VALUES
    (0.1e9), (0.15e9), (0.2e9), (0.3e9), (0.4e9), (0.5e9), (0.7e9),
    (1e9),   (1.5e9),  (2e9),   (3e9),   (4e9),   (5e9),   (7e9),
    (10e9),  (15e9),   (20e9),  (30e9),  (40e9),  (50e9),  (70e9),
    (100e9), (150e9),  (200e9), (300e9), (400e9), (500e9)
) AS g(threshold)
UNION  -- the configured boundary and band edges, so a DB built with another config keeps exact totals there
SELECT slm_max_params FROM config_classes WHERE isfinite(slm_max_params) AND slm_max_params > 0
UNION
SELECT upper FROM config_bands WHERE isfinite(upper) AND upper > 0
ORDER BY threshold;

-- Class of a parameter count under the current settings: model_class (sql/macros.sql) at the slider's threshold;
-- models without a count: 'SLM' | 'LLM' | 'unknown' (excluded) as the `unknown` setting says.
CREATE OR REPLACE MACRO hs_class(p) AS
    COALESCE(
        model_class(p, COALESCE(getvariable('threshold'), default_threshold())),
        CASE COALESCE(getvariable('unknown'), 'exclude') WHEN 'small' THEN 'SLM' WHEN 'large' THEN 'LLM' ELSE 'unknown' END
    );

-- Whether a model passes the scope/task/organisation filters (author NULL = not filtered by organisation).
CREATE OR REPLACE MACRO hs_keep(is_lm, task, org) AS
    (COALESCE(getvariable('scope'), 'language') = 'all' OR is_lm)
    AND (len(COALESCE(getvariable('tasks'), []::VARCHAR[])) = 0 OR list_contains(getvariable('tasks'), task))
    AND (len(COALESCE(getvariable('orgs'), []::VARCHAR[])) = 0 OR list_contains(getvariable('orgs'), org));

-- The models that pass the filters, with their class `cls` under the current settings.
CREATE OR REPLACE MACRO hs_models() AS TABLE
    SELECT m.*, hs_class(m.params_total) AS cls
    FROM models m
    WHERE hs_keep(m.is_language_model, m.pipeline_tag, m.author);

-- Whether the organisation filter is on (then queries read the raw tables: the rollups have no author column).
CREATE OR REPLACE MACRO hs_by_org() AS len(COALESCE(getvariable('orgs'), []::VARCHAR[])) > 0;

-- Latest counts per (scope, task, size bucket): KPIs, the threshold-sensitivity curve, tag coverage (a per-tag
-- test over every model's tags is too slow per click at Hub scale).
CREATE OR REPLACE TABLE rollup_models AS
SELECT
    m.is_language_model,
    m.pipeline_tag,
    CASE WHEN m.params_total IS NULL THEN NULL ELSE COALESCE(g.threshold, 0) END AS bucket_lo,
    count(*)                        AS models,
    COALESCE(sum(m.downloads_30d), 0)::BIGINT AS downloads_30d,
    count(m.downloads_30d)          AS models_with_downloads,
    count(*) FILTER (WHERE len(m.tags) > 0)                                           AS models_with_tags,
    count(*) FILTER (WHERE len(list_filter(m.tags, lambda x: is_language_tag(x))) > 0) AS models_with_language
FROM models m
ASOF LEFT JOIN rollup_grid g ON m.params_total >= g.threshold
GROUP BY ALL;

-- Downloads per (series, snapshot date, scope, task, size bucket): the share-over-time charts. INCREMENTAL: the
-- table and its state (rollup_slots_done, rollup_sized, rollup_state in sql/schema.sql) are kept across refreshes,
-- so a steady-state refresh aggregates only the snapshots added since (history_slots not in rollup_slots_done),
-- plus a correction for the models whose scope, task or size bucket changed (their old contribution out, the new
-- one in, over the snapshots already aggregated). Everything is rebuilt when the rollup's configuration changed
-- (fingerprint of the grid and the config tables) or an aggregated snapshot is gone or renumbered (compact, an
-- out-of-order load). tests/test_history.py checks the result equals a full rebuild.
CREATE TABLE IF NOT EXISTS rollup_snapshots (series VARCHAR, snapshot_date DATE, is_language_model BOOLEAN,
    pipeline_tag VARCHAR, bucket_lo DOUBLE, models BIGINT, downloads_30d BIGINT);
CREATE TABLE IF NOT EXISTS rollup_slots_done (series VARCHAR, slot INTEGER, snapshot_at TIMESTAMP, run_id INTEGER,
    models INTEGER);
CREATE TABLE IF NOT EXISTS rollup_sized (model_key INTEGER, is_language_model BOOLEAN, pipeline_tag VARCHAR,
    bucket_lo DOUBLE);
CREATE TABLE IF NOT EXISTS rollup_state (key VARCHAR, value VARCHAR);

SET VARIABLE rollup_fingerprint = md5(concat_ws('|',
    (SELECT string_agg(CAST(threshold AS VARCHAR), ',' ORDER BY threshold) FROM rollup_grid),
    (SELECT string_agg(concat_ws(':', band_order, label, upper), ',' ORDER BY band_order) FROM config_bands),
    (SELECT string_agg(CAST(slm_max_params AS VARCHAR), ',' ORDER BY slm_max_params) FROM config_classes),
    (SELECT string_agg(pipeline_tag, ',' ORDER BY pipeline_tag) FROM config_language_tags)
));
SET VARIABLE rollup_full =
    getvariable('rollup_fingerprint') IS DISTINCT FROM (SELECT max(value) FROM rollup_state WHERE key = 'fingerprint')
    OR EXISTS (SELECT series, slot, snapshot_at, run_id, models FROM rollup_slots_done
               EXCEPT SELECT series, slot, snapshot_at, run_id, models FROM history_slots);
DELETE FROM rollup_snapshots WHERE getvariable('rollup_full');
DELETE FROM rollup_slots_done WHERE getvariable('rollup_full');
DELETE FROM rollup_sized WHERE getvariable('rollup_full');

-- Every model with history, its scope, task and size bucket now.
CREATE OR REPLACE TEMP TABLE _rollup_sized_now AS
SELECT k.model_key, z.is_language_model, z.pipeline_tag, z.bucket_lo
FROM (
    SELECT m.model_id, m.is_language_model, m.pipeline_tag,
           CASE WHEN m.params_total IS NULL THEN NULL ELSE COALESCE(g.threshold, 0) END AS bucket_lo
    FROM models m
    ASOF LEFT JOIN rollup_grid g ON m.params_total >= g.threshold
) z
JOIN history_keys k USING (model_id);

CREATE OR REPLACE TEMP TABLE _rollup_changed AS
SELECT model_key FROM (SELECT * FROM _rollup_sized_now EXCEPT SELECT * FROM rollup_sized)
UNION
SELECT model_key FROM (SELECT * FROM rollup_sized EXCEPT SELECT * FROM _rollup_sized_now);

CREATE OR REPLACE TEMP TABLE _rollup_new_slots AS
SELECT h.* FROM history_slots h ANTI JOIN rollup_slots_done d USING (series, slot);
-- Few new snapshots: find their models by range over the spans (one pass); many (a rebuild, a bulk load):
-- expand the spans into rows (a range match would compare every span with every snapshot).
SET VARIABLE rollup_by_range = (SELECT count(*) FROM _rollup_new_slots) <= 4;

CREATE OR REPLACE TEMP TABLE _rollup_add AS
WITH latest AS (SELECT series, max(slot) AS latest_slot FROM history_slots GROUP BY series),
by_range AS (
    SELECT d.series, d.snapshot_date, s.model_key, s.downloads_30d
    FROM _rollup_new_slots d
    JOIN latest l USING (series)
    JOIN history_spans s
        ON s.series = d.series AND d.slot >= s.first_slot AND d.slot <= coalesce(s.last_slot, l.latest_slot)
    WHERE getvariable('rollup_by_range')
),
by_expansion AS (
    SELECT d.series, d.snapshot_date, e.model_key, e.downloads_30d
    FROM (
        SELECT s.series, s.model_key, s.downloads_30d,
               unnest(range(s.first_slot, coalesce(s.last_slot, l.latest_slot) + 1)) AS slot
        FROM history_spans s JOIN latest l USING (series)
        WHERE NOT getvariable('rollup_by_range')
    ) e
    JOIN _rollup_new_slots d USING (series, slot)
),
changed AS (  -- the changed models over the snapshots already aggregated
    SELECT d.series, d.snapshot_date, e.model_key, e.downloads_30d
    FROM (
        SELECT s.series, s.model_key, s.downloads_30d,
               unnest(range(s.first_slot, coalesce(s.last_slot, l.latest_slot) + 1)) AS slot
        FROM history_spans s JOIN latest l USING (series) SEMI JOIN _rollup_changed c USING (model_key)
        WHERE NOT getvariable('rollup_full')
    ) e
    JOIN rollup_slots_done dn USING (series, slot)
    JOIN history_slots d USING (series, slot)
),
signed AS (
    SELECT x.series, x.snapshot_date, n.is_language_model, n.pipeline_tag, n.bucket_lo, 1 AS sign, x.downloads_30d
    FROM (SELECT * FROM by_range UNION ALL SELECT * FROM by_expansion UNION ALL SELECT * FROM changed) x
    JOIN _rollup_sized_now n USING (model_key)
    UNION ALL
    SELECT c.series, c.snapshot_date, o.is_language_model, o.pipeline_tag, o.bucket_lo, -1 AS sign, c.downloads_30d
    FROM changed c JOIN rollup_sized o USING (model_key)
)
SELECT series, snapshot_date, is_language_model, pipeline_tag, bucket_lo,
       sum(sign)::BIGINT AS models, COALESCE(sum(sign * downloads_30d), 0)::BIGINT AS downloads_30d
FROM signed
GROUP BY ALL;

CREATE OR REPLACE TEMP TABLE _rollup_merged AS
SELECT series, snapshot_date, is_language_model, pipeline_tag, bucket_lo,
       sum(models)::BIGINT AS models, sum(downloads_30d)::BIGINT AS downloads_30d
FROM (SELECT * FROM rollup_snapshots UNION ALL SELECT * FROM _rollup_add)
GROUP BY ALL
HAVING sum(models) <> 0;
DELETE FROM rollup_snapshots;
INSERT INTO rollup_snapshots SELECT * FROM _rollup_merged ORDER BY ALL;

DELETE FROM rollup_slots_done;
INSERT INTO rollup_slots_done SELECT series, slot, snapshot_at, run_id, models FROM history_slots;
DELETE FROM rollup_sized;
INSERT INTO rollup_sized SELECT * FROM _rollup_sized_now;
DELETE FROM rollup_state WHERE key IN ('fingerprint', 'last_refresh');
INSERT INTO rollup_state VALUES
    ('fingerprint', getvariable('rollup_fingerprint')),
    ('last_refresh', CASE WHEN getvariable('rollup_full') THEN 'full' ELSE 'incremental' END
        || ': ' || (SELECT count(*) FROM _rollup_new_slots) || ' new snapshots, '
        || (SELECT count(*) FROM _rollup_changed) || ' models re-sized');
DROP TABLE _rollup_sized_now;
DROP TABLE _rollup_changed;
DROP TABLE _rollup_new_slots;
DROP TABLE _rollup_add;
DROP TABLE _rollup_merged;

-- Per download series: dates, models and rows (the sidebar's series picker; a distinct count over the decoded
-- rows is too slow per click).
CREATE OR REPLACE TABLE rollup_series AS
SELECT
    d.series,
    d.dates,
    d.first_date,
    d.last_date,
    k.models,
    d.rows
FROM (
    SELECT series, count(DISTINCT snapshot_date) AS dates, min(snapshot_date) AS first_date,
           max(snapshot_date) AS last_date, sum(models)::BIGINT AS rows
    FROM history_slots GROUP BY series
) d
JOIN (SELECT series, count(DISTINCT model_key) AS models FROM history_spans GROUP BY series) k USING (series);

-- Tags per (kind, tag, scope, task, size bucket): Domain focus. kind = 'language' for the Hub's language tags
-- (ISO 639-1 codes and 'multilingual'), 'domain' for other free-form tags (no 'prefix:' tags, not the model's own
-- task or library). A model lists a tag once, so counts are models.
CREATE OR REPLACE TABLE rollup_tags AS
WITH t AS (
    SELECT
        m.is_language_model, m.pipeline_tag, m.library_name, m.params_total, m.downloads_30d,
        lower(u.tag) AS tag
    FROM models m, unnest(m.tags) AS u(tag)
),
k AS (
    SELECT *,
        CASE
            WHEN is_language_tag(tag) THEN 'language'
            WHEN contains(tag, ':') OR tag IS NOT DISTINCT FROM pipeline_tag OR tag IS NOT DISTINCT FROM library_name
                THEN NULL
            ELSE 'domain'
        END AS kind
    FROM t
)
SELECT
    k.kind, k.tag, k.is_language_model, k.pipeline_tag,
    CASE WHEN k.params_total IS NULL THEN NULL ELSE COALESCE(g.threshold, 0) END AS bucket_lo,
    count(*)                                   AS models,
    COALESCE(sum(k.downloads_30d), 0)::BIGINT  AS downloads_30d
FROM k
ASOF LEFT JOIN rollup_grid g ON k.params_total >= g.threshold
WHERE k.kind IS NOT NULL
GROUP BY ALL;

-- Movers (Trends): per series, the default comparison span — from the earliest date that recorded at least half as
-- many models as the latest date (else the previous date) to the latest date — and every model's downloads on
-- both dates, with the attributes the filters need, so the default view never joins the snapshot table.
CREATE OR REPLACE TABLE rollup_movers_span AS
WITH per_date AS (SELECT series, snapshot_date, sum(models) AS n FROM history_slots GROUP BY ALL),
latest AS (SELECT series, arg_max(snapshot_date, snapshot_date) AS date_to, arg_max(n, snapshot_date) AS n_to
           FROM per_date GROUP BY series)
SELECT
    l.series,
    COALESCE(min(p.snapshot_date) FILTER (WHERE p.n >= 0.5 * l.n_to), max(p.snapshot_date)) AS date_from,
    l.date_to
FROM latest l
JOIN per_date p ON p.series = l.series AND p.snapshot_date < l.date_to
GROUP BY l.series, l.date_to;

-- The rows of both dates are found by range over the spans (no decoding of the whole history), once.
CREATE OR REPLACE TEMP TABLE _movers_ends AS
WITH latest AS (SELECT series, max(slot) AS latest_slot FROM history_slots GROUP BY series),
ends AS (
    SELECT d.series, d.slot, d.snapshot_date
    FROM rollup_movers_span sp
    JOIN history_slots d ON d.series = sp.series AND d.snapshot_date IN (sp.date_from, sp.date_to)
)
SELECT e.series, e.snapshot_date, k.model_id, s.downloads_30d
FROM ends e
JOIN latest l USING (series)
JOIN history_spans s
    ON s.series = e.series AND e.slot >= s.first_slot AND e.slot <= coalesce(s.last_slot, l.latest_slot)
JOIN history_keys k USING (model_key)
WHERE s.downloads_30d IS NOT NULL;

CREATE OR REPLACE TABLE rollup_movers AS
SELECT
    sp.series, sp.date_from, sp.date_to,
    m.model_id, m.author, m.is_language_model, m.pipeline_tag, m.params_total,
    a.downloads_30d                    AS downloads_from,
    z.downloads_30d                    AS downloads_to,
    z.downloads_30d - a.downloads_30d  AS change
FROM rollup_movers_span sp
JOIN _movers_ends a ON a.series = sp.series AND a.snapshot_date = sp.date_from
JOIN _movers_ends z ON z.series = sp.series AND z.snapshot_date = sp.date_to AND z.model_id = a.model_id
JOIN models m ON m.model_id = a.model_id;
DROP TABLE _movers_ends;

-- What was built, for the Data page.
CREATE OR REPLACE TABLE rollup_info AS
SELECT
    now()::TIMESTAMP                         AS built_at,
    (SELECT count(*) FROM rollup_grid)      AS grid_edges,
    (SELECT count(*) FROM rollup_models)    AS rollup_models_rows,
    (SELECT count(*) FROM rollup_snapshots) AS rollup_snapshots_rows,
    (SELECT count(*) FROM rollup_tags)      AS rollup_tags_rows,
    (SELECT count(*) FROM rollup_movers)    AS rollup_movers_rows;
