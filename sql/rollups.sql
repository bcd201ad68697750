-- HubScope dashboard rollups and query macros: precomputed at refresh time so the dashboard answers at Hub scale
-- (3M models x 30 snapshots = 90M snapshot rows) without scanning the snapshot table on every click.
--
-- Run by the pipeline inside the NEW DB file after every refresh, right after sql/macros.sql and sql/views.sql:
--     duckdb data/hub.duckdb < sql/rollups.sql
-- Idempotent: every statement is CREATE OR REPLACE over the schema tables (it needs sql/schema.sql's tables, the
-- rollup state included). If a DB lacks these objects (older pipeline), the dashboard builds them in its in-memory
-- session instead (dashboard/data.py: the state tables from sql/schema.sql, then this same file).
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
CREATE OR REPLACE MACRO hs_grid_steps() AS [
    0.1e9, 0.15e9, 0.2e9, 0.3e9, 0.4e9, 0.5e9, 0.7e9, 1e9, 1.5e9, 2e9, 3e9, 4e9, 5e9, 7e9,
    10e9, 15e9, 20e9, 30e9, 40e9, 50e9, 70e9, 100e9, 150e9, 200e9, 300e9, 400e9, 500e9
];
CREATE OR REPLACE TABLE rollup_grid AS
SELECT unnest(hs_grid_steps())::DOUBLE AS threshold
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
-- table and its state (rollup_slots_done, rollup_sized, rollup_state) are kept across refreshes (sql/schema.sql
-- creates them and the date-space tables below in every file; dashboard/data.py in its in-memory session),
-- so a steady-state refresh aggregates only the snapshots added since (history_slots not in rollup_slots_done),
-- plus a correction for the models whose scope, task or size bucket changed (their old contribution out, the new
-- one in, over the snapshots already aggregated). Everything is rebuilt when the rollup's configuration changed
-- (fingerprint of the grid and the config tables) or an aggregated snapshot is gone or renumbered (compact, an
-- out-of-order load). tests/test_history.py checks the result equals a full rebuild.
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
-- (for the date-space tables below, which hold no size or class: only a change of the history rebuilds them)
SET VARIABLE days_history_kept = NOT EXISTS (SELECT series, slot, snapshot_at, run_id, models FROM rollup_slots_done
                                             EXCEPT SELECT series, slot, snapshot_at, run_id, models FROM history_slots);
CREATE OR REPLACE TEMP TABLE _days_new_slots AS
SELECT h.* FROM history_slots h ANTI JOIN rollup_slots_done d USING (series, slot);
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
-- Few new snapshots: find their models by range over the spans (one pass); many (a rebuild, a bulk load): each
-- span adds its model at its first slot and takes it out after its last, and running sums over the slots give
-- every slot's totals (O(spans); expanding spans into model-days is 1.1B rows at 3M models x 365 days).
SET VARIABLE rollup_by_range = (SELECT count(*) FROM _rollup_new_slots) <= 4;
CREATE OR REPLACE TEMP TABLE _rollup_groups AS  -- (scope, task, size bucket) numbered: running sums by integers
SELECT *, dense_rank() OVER (ORDER BY is_language_model, pipeline_tag, bucket_lo) AS group_id FROM _rollup_sized_now;

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
steps AS (
    SELECT s.series, g.group_id, x.slot, sum(x.sign) AS models, sum(x.sign * coalesce(s.downloads_30d, 0)) AS downloads
    FROM history_spans s
    JOIN latest l USING (series)
    JOIN _rollup_groups g USING (model_key)
    CROSS JOIN LATERAL (VALUES (s.first_slot, 1), (coalesce(s.last_slot, l.latest_slot) + 1, -1)) x(slot, sign)
    WHERE NOT getvariable('rollup_by_range')
    GROUP BY ALL
),
running AS (  -- a zero step of every group at every new slot, so that the running sums have a row there
    SELECT series, group_id, slot, sum(models) OVER w AS models, sum(downloads) OVER w AS downloads, at_new_slot
    FROM (
        SELECT *, false AS at_new_slot FROM steps
        UNION ALL
        SELECT d.series, g.group_id, d.slot, 0, 0, true
        FROM _rollup_new_slots d JOIN (SELECT DISTINCT series, group_id FROM steps) g USING (series)
    )
    WINDOW w AS (PARTITION BY series, group_id ORDER BY slot)  -- (the default frame takes the slot's own steps)
),
by_steps AS (
    SELECT d.series, d.snapshot_date, g.is_language_model, g.pipeline_tag, g.bucket_lo,
           sum(r.models)::BIGINT AS models, sum(r.downloads)::BIGINT AS downloads_30d
    FROM running r
    JOIN _rollup_new_slots d USING (series, slot)
    JOIN (SELECT DISTINCT group_id, is_language_model, pipeline_tag, bucket_lo FROM _rollup_groups) g USING (group_id)
    WHERE r.at_new_slot AND r.models <> 0
    GROUP BY ALL
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
    FROM (SELECT * FROM by_range UNION ALL SELECT * FROM changed) x
    JOIN _rollup_sized_now n USING (model_key)
    UNION ALL
    SELECT c.series, c.snapshot_date, o.is_language_model, o.pipeline_tag, o.bucket_lo, -1 AS sign, c.downloads_30d
    FROM changed c JOIN rollup_sized o USING (model_key)
)
SELECT series, snapshot_date, is_language_model, pipeline_tag, bucket_lo,
       sum(sign)::BIGINT AS models, COALESCE(sum(sign * downloads_30d), 0)::BIGINT AS downloads_30d
FROM signed
GROUP BY ALL
UNION ALL
FROM by_steps;

CREATE OR REPLACE TEMP TABLE _rollup_merged AS
SELECT series, snapshot_date, is_language_model, pipeline_tag, bucket_lo,
       sum(models)::BIGINT AS models, sum(downloads_30d)::BIGINT AS downloads_30d
FROM (SELECT * FROM rollup_snapshots UNION ALL SELECT * FROM _rollup_add)
GROUP BY ALL
HAVING sum(models) <> 0;
DELETE FROM rollup_snapshots;
INSERT INTO rollup_snapshots SELECT * FROM _rollup_merged ORDER BY ALL;

-- Presence and 30-day downloads per model in DATE space, for the fixed-cohort queries (sql/queries/cohort_*.sql),
-- which must not decode the whole history per click. `idx` numbers a series' distinct dates 0, 1, 2, …:
-- rollup_presence holds one row per run of consecutive dates on which a model was recorded (at least one snapshot
-- that day); rollup_day_runs one row per run of consecutive dates over which the model's downloads_30d of the day
-- (its latest non-NULL value that day, as arg_max gives) stayed the same. last_idx NULL: up to the latest date.
-- INCREMENTAL like rollup_snapshots: one new snapshot on a new date closes/opens only the runs that changed;
-- anything else (a rebuild, a bulk load, a second snapshot on the same date) re-derives both from the spans.
-- (A configuration change does not touch them: they hold no size or class.)
SET VARIABLE days_incremental = getvariable('days_history_kept')
    AND (SELECT count(*) FROM _days_new_slots) <= 1
    AND (SELECT count(*) FROM rollup_dates) > 0
    AND (NOT EXISTS (SELECT 1 FROM _days_new_slots)
         OR (SELECT bool_and(n.snapshot_date >= d.last_date)  -- one row even for several new slots (not taken)
             FROM _days_new_slots n
             JOIN (SELECT series, max(snapshot_date) AS last_date FROM rollup_dates GROUP BY series) d USING (series))
            IS TRUE);
DELETE FROM rollup_dates WHERE NOT getvariable('days_incremental');
DELETE FROM rollup_presence WHERE NOT getvariable('days_incremental');
DELETE FROM rollup_day_runs WHERE NOT getvariable('days_incremental');

-- full: dates, then each span's dates; a span's last date goes to the model's next span when that starts the same
-- day (the later snapshot of the day wins), so effective runs never overlap.
INSERT INTO rollup_dates
SELECT series, (row_number() OVER (PARTITION BY series ORDER BY snapshot_date) - 1)::INTEGER, snapshot_date
FROM (SELECT DISTINCT series, snapshot_date FROM history_slots)
WHERE NOT getvariable('days_incremental');

-- The spans of the models with keys in [lo, hi), with their dates' idx. The two INSERTs below read it over the
-- range [days_key_lo, days_key_hi): unset (as here in the CLI), every key at once; the pipeline repeats every
-- statement that names those variables per range of keys (pipeline/database.py, derived_statements), so that their
-- per-model windows fit the memory cap at Hub scale (3M models x 365 days is ~345M spans).
-- About 4M spans per range unless `days_spans_per_range` says otherwise (3M x 365 is ~345M spans: 87 ranges).
SET VARIABLE days_key_ranges = CASE WHEN getvariable('days_incremental') THEN 1 ELSE greatest(1, ceil(
    (SELECT count(*) FROM history_spans) / coalesce(getvariable('days_spans_per_range'), 4e6)))::INTEGER END;
-- (An open span ends on the latest date, max_idx. Equality joins on the span's own columns only: joining on
-- coalesce(last_slot, <the series' latest slot>) let the planner pair every span with every slot first.)
CREATE OR REPLACE TEMP MACRO _days_spans(lo, hi) AS TABLE
WITH slot_idx AS (SELECT h.series, h.slot, d.idx FROM history_slots h JOIN rollup_dates d USING (series, snapshot_date)),
max_idx AS (SELECT series, max(idx) AS max_idx FROM rollup_dates GROUP BY series)
SELECT s.series, s.model_key, s.first_slot, a.idx AS first_idx, coalesce(b.idx, m.max_idx) AS last_idx, m.max_idx,
       s.downloads_30d
FROM history_spans s
JOIN max_idx m USING (series)
JOIN slot_idx a ON a.series = s.series AND a.slot = s.first_slot
LEFT JOIN slot_idx b ON b.series = s.series AND b.slot = s.last_slot
WHERE NOT getvariable('days_incremental') AND s.model_key >= lo AND s.model_key < hi;

INSERT INTO rollup_presence
WITH b AS (
    SELECT *, CASE WHEN first_idx <= lag(last_idx) OVER w + 1 THEN 0 ELSE 1 END AS brk
    FROM _days_spans(coalesce(getvariable('days_key_lo'), 0), coalesce(getvariable('days_key_hi'), 2147483647))
    WINDOW w AS (PARTITION BY series, model_key ORDER BY first_slot)
),
g AS (SELECT *, sum(brk) OVER (PARTITION BY series, model_key ORDER BY first_slot ROWS UNBOUNDED PRECEDING) AS grp
      FROM b)
SELECT series, model_key, min(first_idx),
       CASE WHEN max(last_idx) = any_value(max_idx) THEN NULL ELSE max(last_idx) END
FROM g GROUP BY series, model_key, grp
ORDER BY ALL;  -- in key order: the columns compress far better

INSERT INTO rollup_day_runs
WITH e AS (
    SELECT series, model_key, first_idx, max_idx, downloads_30d,
           CASE WHEN lead(first_idx) OVER w = last_idx THEN last_idx - 1 ELSE last_idx END AS last_idx
    FROM _days_spans(coalesce(getvariable('days_key_lo'), 0), coalesce(getvariable('days_key_hi'), 2147483647))
    WHERE downloads_30d IS NOT NULL
    WINDOW w AS (PARTITION BY series, model_key ORDER BY first_slot)
),
b AS (
    SELECT *, CASE WHEN first_idx = lag(last_idx) OVER w + 1 AND downloads_30d = lag(downloads_30d) OVER w
                   THEN 0 ELSE 1 END AS brk
    FROM e WHERE last_idx >= first_idx WINDOW w AS (PARTITION BY series, model_key ORDER BY first_idx)
),
g AS (SELECT *, sum(brk) OVER (PARTITION BY series, model_key ORDER BY first_idx ROWS UNBOUNDED PRECEDING) AS grp
      FROM b)
SELECT series, model_key, min(first_idx),
       CASE WHEN max(last_idx) = any_value(max_idx) THEN NULL ELSE max(last_idx) END, any_value(downloads_30d)
FROM g GROUP BY series, model_key, grp
ORDER BY ALL;

-- The filter columns of every model with history under its integer key, so the cohort queries join on integers.
CREATE OR REPLACE TABLE rollup_keyed AS
SELECT k.model_key, m.model_id, m.author, m.is_language_model, m.pipeline_tag, m.params_total
FROM history_keys k JOIN models m USING (model_id)
ORDER BY k.model_key;

-- What the rollups that decode a snapshot's rows read of every model (rollup_validation, rollup_claim_*, below),
-- under its history key (NULL: no history) and with its author as an integer, so the rows are joined and summed
-- on integers, not on model ids and names. created_at: NULL when unknown.
CREATE OR REPLACE TABLE rollup_model_facts AS
SELECT k.model_key, dense_rank() OVER (ORDER BY m.author) AS author_id, m.is_language_model, m.params_total,
       m.safetensors_total IS NOT NULL AS with_safetensors,
       m.model_id IN (SELECT child_id FROM model_lineage WHERE source = 'baseModels') AS with_base_models,
       CASE WHEN m.created_at IS NOT NULL AND NOT COALESCE(m.created_at_unknown, false) THEN m.created_at END
           AS created_at,
       m.downloads_30d, m.downloads_all_time
FROM models m LEFT JOIN history_keys k USING (model_id)
ORDER BY k.model_key;

-- The essay's claims over dates (sql/claims/01_niche.sql's move, 07b_age_over_time.sql) read sums per size bucket,
-- computed here from the spans of the few slots they need: the slot of each month's last snapshot date (07b) and
-- every slot of the move's two dates (01), so that no page view decodes whole dates at Hub scale. Class by
-- bucket: exact at the grid's thresholds, like every rollup. The picked slots of a series are numbered 1, 2, …
-- in slot order; a span [first_slot, last] covers the picks numbered (picks before first_slot, picks up to
-- last], found by two equality joins on a per-slot count of picks instead of a range join of every span.
CREATE OR REPLACE TEMP TABLE _claim_picks AS
WITH h AS (
    SELECT series, slot, snapshot_date,
           slot = max(slot) OVER (PARTITION BY series, snapshot_date) AS date_last,
           snapshot_date = max(snapshot_date) OVER (PARTITION BY series, date_trunc('month', snapshot_date))
               AS month_last,
           max(snapshot_date) OVER (PARTITION BY series) AS d_to
    FROM history_slots
),
e AS (SELECT *, max(snapshot_date) FILTER (WHERE snapshot_date <= d_to - INTERVAL 30 DAY) OVER (PARTITION BY series)
                    AS d_from FROM h)
SELECT series, slot, snapshot_date, date_last AND month_last AS is_month_end,
       snapshot_date = d_from AS is_move_from, snapshot_date = d_to AS is_move_to,
       row_number() OVER (PARTITION BY series ORDER BY slot) AS pick_no
FROM e WHERE (date_last AND month_last) OR snapshot_date = d_from OR snapshot_date = d_to;

CREATE OR REPLACE TEMP TABLE _claim_counts AS  -- per slot: picks up to it (2147483647: a span still open)
SELECT series, slot, upto, upto - picked AS before
FROM (SELECT h.series, h.slot, (p.slot IS NOT NULL)::INTEGER AS picked,
             count(p.slot) OVER (PARTITION BY h.series ORDER BY h.slot) AS upto
      FROM history_slots h LEFT JOIN _claim_picks p USING (series, slot))
UNION ALL
SELECT series, 2147483647, count(*), count(*) FROM _claim_picks GROUP BY series;

CREATE OR REPLACE TEMP TABLE _claim_facts AS  -- the sized language models with history, their bucket from above
SELECT n.model_key, n.bucket_lo, f.created_at
FROM _rollup_sized_now n JOIN rollup_model_facts f USING (model_key)
WHERE n.is_language_model AND n.bucket_lo IS NOT NULL;

CREATE OR REPLACE TEMP TABLE _claim_rows AS  -- one row per (model, picked slot): what those snapshots recorded
SELECT p.series, p.snapshot_date, p.is_month_end, p.is_move_from, p.is_move_to, c.model_key, c.downloads_30d AS dl
FROM (
    SELECT s.series, s.model_key, COALESCE(s.downloads_30d, 0) AS downloads_30d,
           unnest(range(a.before + 1, b.upto + 1)) AS pick_no
    FROM history_spans s
    JOIN _claim_counts a ON a.series = s.series AND a.slot = s.first_slot
    JOIN _claim_counts b ON b.series = s.series AND b.slot = coalesce(s.last_slot, 2147483647)
    WHERE b.upto > a.before
) c
JOIN _claim_picks p USING (series, pick_no)
SEMI JOIN _claim_facts f USING (model_key);

-- Claim 7 over time (sql/claims/07b_age_over_time.sql): per series, month's last date, size bucket and age in days
-- (NULL: unknown creation date), the models and their 30-day downloads on that date.
CREATE OR REPLACE TABLE rollup_claim_ages AS
SELECT r.series, r.snapshot_date, f.bucket_lo, date_diff('day', f.created_at, r.snapshot_date) AS age_days,
       count(*) AS models, sum(r.dl)::BIGINT AS downloads_30d
FROM _claim_rows r JOIN _claim_facts f USING (model_key)
WHERE r.is_month_end
GROUP BY ALL
ORDER BY ALL;

-- Claim 1's move (sql/claims/01_niche.sql): per series and size bucket, the models recorded on both the series'
-- last date and the latest date at least 30 days before it, with their rows on the last date and their downloads
-- summed over each date's rows.
CREATE OR REPLACE TABLE rollup_claim_move AS
WITH pair AS (
    SELECT series, model_key, count(*) FILTER (WHERE is_move_to) AS rows_to,
           sum(dl) FILTER (WHERE is_move_from) AS dl_from, sum(dl) FILTER (WHERE is_move_to) AS dl_to
    FROM _claim_rows WHERE is_move_from OR is_move_to
    GROUP BY ALL
    HAVING count(*) FILTER (WHERE is_move_from) > 0 AND count(*) FILTER (WHERE is_move_to) > 0
)
SELECT p.series, f.bucket_lo, sum(p.rows_to)::BIGINT AS rows_to, sum(p.dl_from)::BIGINT AS dl_from,
       sum(p.dl_to)::BIGINT AS dl_to
FROM pair p JOIN _claim_facts f USING (model_key)
GROUP BY ALL
ORDER BY ALL;
DROP TABLE _claim_picks;
DROP TABLE _claim_counts;
DROP TABLE _claim_facts;
DROP TABLE _claim_rows;

-- incremental: the one new snapshot's models (by range over the spans). On a new date (idx = the series' last
-- + 1) runs that did not go on are closed; a second snapshot of the latest date (idx = the last) changes that
-- date's value where it differs (the later snapshot wins the day), splitting or merging the runs around it.
SET VARIABLE days_top = (SELECT max(d.idx) FROM rollup_dates d JOIN _days_new_slots n USING (series));
SET VARIABLE days_same = COALESCE(getvariable('days_incremental')
    AND (SELECT max(snapshot_date) FROM _days_new_slots)
        = (SELECT max(d.snapshot_date) FROM rollup_dates d JOIN _days_new_slots n USING (series)), false);
SET VARIABLE days_idx = getvariable('days_top') + CASE WHEN getvariable('days_same') THEN 0 ELSE 1 END;
CREATE OR REPLACE TEMP TABLE _days_new AS
SELECT n.series, getvariable('days_idx') AS idx, n.snapshot_date, s.model_key, s.downloads_30d
FROM _days_new_slots n
JOIN history_spans s ON s.series = n.series AND n.slot >= s.first_slot AND n.slot <= coalesce(s.last_slot, n.slot)
WHERE getvariable('days_incremental');
UPDATE rollup_presence SET last_idx = getvariable('days_idx') - 1
WHERE getvariable('days_incremental') AND NOT getvariable('days_same') AND last_idx IS NULL
  AND series IN (SELECT series FROM _days_new_slots)
  AND model_key NOT IN (SELECT model_key FROM _days_new);
INSERT INTO rollup_presence
SELECT series, model_key, idx, NULL FROM _days_new n
WHERE NOT EXISTS (SELECT 1 FROM rollup_presence p
                  WHERE p.series = n.series AND p.model_key = n.model_key AND p.last_idx IS NULL)
ORDER BY model_key;
-- same date: the models whose value of the day changes, their run over the day before, then their runs rewritten
CREATE OR REPLACE TEMP TABLE _days_changed AS
SELECT n.series, n.model_key, n.downloads_30d, r.first_idx AS prev_first, r.downloads_30d AS prev_value
FROM _days_new n
LEFT JOIN rollup_day_runs r ON r.series = n.series AND r.model_key = n.model_key
    AND r.first_idx <= getvariable('days_idx') - 1 AND coalesce(r.last_idx, getvariable('days_top')) >= getvariable('days_idx') - 1
WHERE getvariable('days_same') AND n.downloads_30d IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM rollup_day_runs o WHERE o.series = n.series AND o.model_key = n.model_key
                  AND o.last_idx IS NULL AND o.downloads_30d = n.downloads_30d);
DELETE FROM rollup_day_runs r
WHERE getvariable('days_same') AND coalesce(r.last_idx, getvariable('days_top')) >= getvariable('days_idx') - 1
  AND EXISTS (SELECT 1 FROM _days_changed c WHERE c.series = r.series AND c.model_key = r.model_key);
INSERT INTO rollup_day_runs
SELECT series, model_key, prev_first, getvariable('days_idx') - 1, prev_value FROM _days_changed
WHERE prev_first IS NOT NULL AND prev_value <> downloads_30d
UNION ALL
SELECT series, model_key, CASE WHEN prev_value = downloads_30d THEN prev_first ELSE getvariable('days_idx') END, NULL,
       downloads_30d
FROM _days_changed;
-- new date
UPDATE rollup_day_runs SET last_idx = getvariable('days_idx') - 1
WHERE getvariable('days_incremental') AND NOT getvariable('days_same') AND last_idx IS NULL
  AND series IN (SELECT series FROM _days_new_slots)
  AND model_key NOT IN (SELECT model_key FROM _days_new n WHERE n.downloads_30d = rollup_day_runs.downloads_30d);
INSERT INTO rollup_day_runs
SELECT series, model_key, idx, NULL, downloads_30d FROM _days_new n
WHERE NOT getvariable('days_same') AND n.downloads_30d IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM rollup_day_runs r
                  WHERE r.series = n.series AND r.model_key = n.model_key AND r.last_idx IS NULL)
ORDER BY model_key;
INSERT INTO rollup_dates SELECT DISTINCT series, idx, snapshot_date FROM _days_new WHERE NOT getvariable('days_same');
DROP TABLE _days_new;
DROP TABLE _days_changed;
DROP TABLE _days_new_slots;
DELETE FROM rollup_state WHERE key = 'days';
INSERT INTO rollup_state VALUES ('days', CASE WHEN getvariable('days_incremental') THEN 'incremental' ELSE 'full' END);

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
DROP TABLE _rollup_groups;
DROP TABLE _rollup_changed;
DROP TABLE _rollup_new_slots;
DROP TABLE _rollup_add;
DROP TABLE _rollup_merged;

-- Fixed-cohort sums (sql/queries/cohort_*.sql). A model whose presence in a series is ONE run still open (a
-- "regular" model: nearly all) is in the fixed cohort starting on date d iff its run starts on or before d, so the
-- cohort queries read the regular models summed by (series, scope, task, size bucket, run start) — counts in
-- rollup_regular_starts, day values as steps in rollup_regular_steps — and only the others ("irregular": gone, or
-- gone and back) model by model, from copies of their runs. Derived from the date-space tables on every refresh.
CREATE OR REPLACE TEMP TABLE _cohort_sized AS  -- (scope, task, size bucket) numbered: the sums group integers
SELECT *, dense_rank() OVER (ORDER BY is_language_model, pipeline_tag, bucket_lo) AS key_id FROM rollup_sized;
CREATE OR REPLACE TEMP TABLE _cohort_regular AS
SELECT p.series, dense_rank() OVER (ORDER BY p.series) AS series_id, p.model_key, min(p.first_idx) AS start_idx,
       any_value(z.key_id) AS key_id
FROM rollup_presence p JOIN _cohort_sized z USING (model_key)  -- models with a row in `models`, as rollup_keyed
GROUP BY p.series, p.model_key HAVING count(*) = 1 AND bool_and(p.last_idx IS NULL);

CREATE OR REPLACE TABLE rollup_irregular_presence AS
SELECT p.* FROM rollup_presence p ANTI JOIN _cohort_regular r USING (series, model_key) ORDER BY ALL;
CREATE OR REPLACE TABLE rollup_irregular_day_runs AS
SELECT d.* FROM rollup_day_runs d ANTI JOIN _cohort_regular r USING (series, model_key) ORDER BY ALL;

CREATE OR REPLACE TABLE rollup_regular_starts AS
SELECT r.series, k.is_language_model, k.pipeline_tag, k.bucket_lo, r.start_idx, r.n AS models
FROM (SELECT series, key_id, start_idx, count(*) AS n FROM _cohort_regular GROUP BY ALL) r
JOIN (SELECT DISTINCT key_id, is_language_model, pipeline_tag, bucket_lo FROM _cohort_sized) k USING (key_id)
ORDER BY ALL;

-- + a day run's value on its first date, - after its last: summed up to a date, the date's total of those models
-- (grouped by integers: a group key of text from the join made this 10x slower)
CREATE OR REPLACE TABLE rollup_regular_steps AS
WITH runs AS (
    SELECT r.series_id, r.key_id, r.start_idx, d.first_idx, d.last_idx, d.downloads_30d
    FROM rollup_day_runs d JOIN _cohort_regular r ON r.model_key = d.model_key AND r.series = d.series
),
steps AS (
    SELECT series_id, key_id, start_idx, idx, sum(v) AS v FROM (
        SELECT series_id, key_id, start_idx, first_idx AS idx, sum(downloads_30d) AS v FROM runs GROUP BY ALL
        UNION ALL
        SELECT series_id, key_id, start_idx, last_idx + 1, -sum(downloads_30d) FROM runs
        WHERE last_idx IS NOT NULL GROUP BY ALL
    ) GROUP BY ALL HAVING sum(v) <> 0
)
SELECT n.series, k.is_language_model, k.pipeline_tag, k.bucket_lo, s.start_idx, s.idx, s.v::BIGINT AS downloads_30d
FROM steps s
JOIN (SELECT DISTINCT series_id, series FROM _cohort_regular) n USING (series_id)
JOIN (SELECT DISTINCT key_id, is_language_model, pipeline_tag, bucket_lo FROM _cohort_sized) k USING (key_id)
ORDER BY ALL;
DROP TABLE _cohort_sized;
DROP TABLE _cohort_regular;

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
WITH sized AS (  -- the size bucket once per model, before the tags multiply the rows
    SELECT
        m.is_language_model, m.pipeline_tag, m.library_name, m.downloads_30d, m.tags,
        CASE WHEN m.params_total IS NULL THEN NULL ELSE COALESCE(g.threshold, 0) END AS bucket_lo
    FROM models m
    ASOF LEFT JOIN rollup_grid g ON m.params_total >= g.threshold
),
t AS (
    SELECT s.is_language_model, s.pipeline_tag, s.library_name, s.bucket_lo, s.downloads_30d, lower(u.tag) AS tag
    FROM sized s, unnest(s.tags) AS u(tag)
),
lang AS (SELECT tag, is_language_tag(tag) AS is_language FROM (SELECT DISTINCT tag FROM t)),  -- once per tag
k AS (
    SELECT t.*,
        CASE
            WHEN l.is_language THEN 'language'
            WHEN contains(t.tag, ':') OR t.tag IS NOT DISTINCT FROM t.pipeline_tag
                OR t.tag IS NOT DISTINCT FROM t.library_name
                THEN NULL
            ELSE 'domain'
        END AS kind
    FROM t LEFT JOIN lang l ON l.tag IS NOT DISTINCT FROM t.tag
)
SELECT
    kind, tag, is_language_model, pipeline_tag, bucket_lo,
    count(*)                                 AS models,
    COALESCE(sum(downloads_30d), 0)::BIGINT  AS downloads_30d
FROM k
WHERE kind IS NOT NULL
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

-- Building blocks of the share-over-time queries (sql/queries/cohort_*.sql, share_over_time.sql). A macro argument
-- named like `days` is the NAME of a CTE of the calling query (read with query_table), so each step runs once.
-- (Here at the end: a table macro without such an argument is bound when created, so its tables must exist.)

-- SLM vs LLM per date with each date's denominator, from `agg` (snapshot_date, cls, models, downloads): unknown-size
-- models (cls 'unknown') are counted in unknown_models/unknown_downloads and left out of the shares.
CREATE OR REPLACE MACRO hs_shares(agg) AS TABLE
    WITH a AS (FROM query_table(agg)),
    d AS (
        SELECT snapshot_date, sum(models)::BIGINT AS date_models, sum(downloads) AS date_downloads,
               COALESCE(sum(models) FILTER (WHERE cls = 'unknown'), 0)::BIGINT AS unknown_models,
               COALESCE(sum(downloads) FILTER (WHERE cls = 'unknown'), 0) AS unknown_downloads
        FROM a GROUP BY snapshot_date
    )
    SELECT a.snapshot_date, a.cls, a.models, a.downloads,
           a.downloads / NULLIF(d.date_downloads - d.unknown_downloads, 0) AS share_downloads,
           a.models / NULLIF(d.date_models - d.unknown_models, 0)          AS share_models,
           d.date_models, d.date_downloads, d.unknown_models, d.unknown_downloads
    FROM a JOIN d USING (snapshot_date)
    WHERE a.cls <> 'unknown';

-- Thin dates: `per_date` (snapshot_date, date_models, any other columns pass through) plus min_count =
-- greatest(min_models, a quarter of the median date) and back_rank (1 = the latest non-thin date; NULL = thin).
CREATE OR REPLACE MACRO hs_thin_ranks(per_date) AS TABLE
    WITH p AS (FROM query_table(per_date)),
    cut AS (SELECT greatest(COALESCE(getvariable('min_models'), 100), 0.25 * median(date_models)) AS min_count FROM p)
    SELECT p.*, cut.min_count,
           CASE WHEN p.date_models >= cut.min_count
                THEN row_number() OVER (PARTITION BY p.date_models >= cut.min_count ORDER BY p.snapshot_date DESC)
           END AS back_rank
    FROM p, cut;

-- Per non-thin date of `days` (hs_thin_ranks): n = the fixed cohort starting there, the models of `tails`
-- (tail, n models) whose tail (how many of the latest non-thin dates they are recorded on without a gap) reaches it.
CREATE OR REPLACE MACRO hs_cohort_sizes(days, tails) AS TABLE
    SELECT d.snapshot_date, d.back_rank,
           COALESCE(sum(t.n) OVER (ORDER BY d.back_rank DESC ROWS UNBOUNDED PRECEDING), 0) AS n
    FROM (FROM query_table(days) WHERE back_rank IS NOT NULL) d
    LEFT JOIN (SELECT tail, sum(n) AS n FROM query_table(tails) GROUP BY tail) t ON t.tail = d.back_rank;

-- The cohort's first date (its back_rank): cohort_from if it is a non-thin date; else by cohort_rule: 'period' = the
-- latest non-thin date at least 30 days (one download window) before the last date, else the earliest non-thin
-- date; 'chart' = the earliest non-thin date whose cohort (`sizes`, hs_cohort_sizes) has at least
-- greatest(min_models, half the median date); else the last date.
CREATE OR REPLACE MACRO hs_cohort_start(days, sizes) AS TABLE
    WITH d AS (FROM query_table(days)),
    ok AS (FROM d WHERE back_rank IS NOT NULL)
    SELECT COALESCE(
        (SELECT back_rank FROM ok WHERE snapshot_date = getvariable('cohort_from')),
        CASE WHEN COALESCE(getvariable('cohort_rule'), 'chart') = 'period'
            THEN COALESCE((SELECT min(back_rank) FROM ok
                           WHERE snapshot_date <= (SELECT snapshot_date FROM ok WHERE back_rank = 1) - INTERVAL 30 DAY),
                          (SELECT max(back_rank) FROM ok))
            ELSE (SELECT max(back_rank) FROM query_table(sizes)
                  WHERE n >= greatest(COALESCE(getvariable('min_models'), 100), 0.5 * (SELECT median(date_models) FROM d)))
        END,
        1
    ) AS back_rank;

-- 30-day measure, from the date-space rollups (rollup_dates, rollup_presence, rollup_day_runs, rollup_keyed) and the
-- fixed-cohort sums (rollup_regular_*, rollup_irregular_*), never the decoded model_snapshots. The sums hold no
-- author and classes by size bucket, so they are read only without an organisation filter and at a threshold of
-- the grid's steps (exact there); a constant per query (variables only), so the path not taken reads nothing.
CREATE OR REPLACE MACRO hs_cohort_summed() AS  -- (threshold unset, e.g. in the CLI: model by model)
    NOT hs_by_org() AND COALESCE(list_contains(hs_grid_steps(), getvariable('threshold')), false);

-- Presence runs (first_idx..last_idx) of the models counted one by one (the irregular ones; all without the sums)
-- that pass the filters, with their class.
CREATE OR REPLACE MACRO hs_cohort_presence() AS TABLE
    SELECT p.model_key, p.first_idx, COALESCE(p.last_idx, t.top) AS last_idx, hs_class(m.params_total) AS cls
    FROM (SELECT * FROM rollup_irregular_presence WHERE hs_cohort_summed()
          UNION ALL SELECT * FROM rollup_presence WHERE NOT hs_cohort_summed()) p
    CROSS JOIN (SELECT max(idx) AS top FROM rollup_dates WHERE series = COALESCE(getvariable('series'), 'catalog')) t
    JOIN rollup_keyed m USING (model_key)  -- hs_models() by integer key
    WHERE p.series = COALESCE(getvariable('series'), 'catalog')
      AND hs_keep(m.is_language_model, m.pipeline_tag, m.author);

-- Their day values: runs of dates (idx) with one downloads_30d each (last_idx NULL: up to the latest date).
CREATE OR REPLACE MACRO hs_cohort_day_runs() AS TABLE
    SELECT model_key, first_idx, last_idx, downloads_30d
    FROM (SELECT * FROM rollup_irregular_day_runs WHERE hs_cohort_summed()
          UNION ALL SELECT * FROM rollup_day_runs WHERE NOT hs_cohort_summed())
    WHERE series = COALESCE(getvariable('series'), 'catalog');

-- The regular models that pass the filters, per class and run start (none without the sums).
CREATE OR REPLACE MACRO hs_cohort_starts() AS TABLE
    SELECT hs_class(bucket_lo) AS cls, start_idx, sum(models)::BIGINT AS models
    FROM rollup_regular_starts
    WHERE hs_cohort_summed() AND series = COALESCE(getvariable('series'), 'catalog')
      AND hs_keep(is_language_model, pipeline_tag, NULL)
    GROUP BY ALL;

-- Their day-value steps per class, run start and date idx.
CREATE OR REPLACE MACRO hs_cohort_regular_steps() AS TABLE
    SELECT hs_class(bucket_lo) AS cls, start_idx, idx, downloads_30d AS v
    FROM rollup_regular_steps
    WHERE hs_cohort_summed() AND series = COALESCE(getvariable('series'), 'catalog')
      AND hs_keep(is_language_model, pipeline_tag, NULL);

-- Per date of the window: the models recorded (`pres` runs: +1 where one starts, -1 after it ends; `starts`: +n
-- where they start; summed up to the date), thin or not (hs_thin_ranks). Columns snapshot_date, idx, date_models,
-- min_count, back_rank.
CREATE OR REPLACE MACRO hs_cohort_days(pres, starts) AS TABLE
    WITH steps AS (
        SELECT idx, sum(n) AS n FROM (
            SELECT first_idx AS idx, count(*) AS n FROM query_table(pres) GROUP BY ALL
            UNION ALL SELECT last_idx + 1, -count(*) FROM query_table(pres) GROUP BY ALL
            UNION ALL SELECT start_idx, sum(models) FROM query_table(starts) GROUP BY ALL
        ) GROUP BY idx
    ),
    per_date AS (
        SELECT snapshot_date, idx, date_models FROM (
            SELECT d.idx, d.snapshot_date, sum(COALESCE(x.n, 0)) OVER (ORDER BY d.idx) AS date_models
            FROM rollup_dates d LEFT JOIN steps x USING (idx)
            WHERE d.series = COALESCE(getvariable('series'), 'catalog')
        )
        WHERE date_models > 0 AND snapshot_date >= COALESCE(getvariable('since'), DATE '1900-01-01')
    )
    FROM hs_thin_ranks('per_date');

-- Tails (see hs_cohort_sizes), n models each: per model of `pres` (start_idx NULL) and per group of `starts`
-- (model_key NULL: an open run from start_idx reaches back to the earliest non-thin date on or after it). A run
-- covers the non-thin ranks lo..hi (runs are disjoint); the first rank no run covers is 1 or the end of a run no
-- other run follows on.
CREATE OR REPLACE MACRO hs_cohort_tails(pres, starts, days) AS TABLE
    WITH rank_at AS MATERIALIZED (  -- per date idx: the rank of the latest non-thin date at or before it, of the
        SELECT d.idx,               -- earliest at or after it
               last_value(ok.back_rank IGNORE NULLS) OVER (ORDER BY d.idx ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
                   AS rank_le,
               first_value(ok.back_rank IGNORE NULLS) OVER (ORDER BY d.idx ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)
                   AS rank_ge
        FROM rollup_dates d LEFT JOIN (SELECT idx, back_rank FROM query_table(days) WHERE back_rank IS NOT NULL) ok USING (idx)
        WHERE d.series = COALESCE(getvariable('series'), 'catalog')
    ),
    ranked AS (
        SELECT p.model_key, p.cls, b.rank_le AS lo, a.rank_ge AS hi
        FROM query_table(pres) p JOIN rank_at a ON a.idx = p.first_idx JOIN rank_at b ON b.idx = p.last_idx
        WHERE b.rank_le <= a.rank_ge
    )
    SELECT r.model_key, NULL::INTEGER AS start_idx, any_value(r.cls) AS cls,
           CASE WHEN min(r.lo) > 1 THEN 0 ELSE min(r.hi) FILTER (WHERE n.model_key IS NULL) END AS tail, 1::BIGINT AS n
    FROM ranked r LEFT JOIN ranked n ON n.model_key = r.model_key AND n.lo = r.hi + 1
    GROUP BY r.model_key
    UNION ALL
    SELECT NULL, s.start_idx, s.cls, a.rank_ge, s.models
    FROM query_table(starts) s JOIN rank_at a ON a.idx = s.start_idx
    WHERE a.rank_ge IS NOT NULL;

-- Downloads-per-day measure, from `daily` = 'daily_downloads' (the view of sql/daily_downloads.sql, one row per
-- model, series and date; an argument, so a DB without the view still gets the macro): a model is present on a
-- date when it has a daily figure there. The rows of the models that pass the filters.
CREATE OR REPLACE MACRO hs_daily_rows(daily) AS TABLE
    SELECT d.model_id, d.snapshot_date, COALESCE(d.downloads_per_day, 0) AS downloads_per_day, m.cls
    FROM query_table(daily) d
    JOIN hs_models() m USING (model_id)
    WHERE d.series = COALESCE(getvariable('series'), 'hubstats-daily')
      AND d.snapshot_date >= COALESCE(getvariable('since'), DATE '1900-01-01');

-- Per date: the models present and thin or not (hs_thin_ranks), from `rows` (hs_daily_rows).
CREATE OR REPLACE MACRO hs_daily_days(rows) AS TABLE
    WITH per_date AS (SELECT snapshot_date, count(*) AS date_models FROM query_table(rows) GROUP BY ALL)
    FROM hs_thin_ranks('per_date');

-- Per model of `rows`: its tail (see hs_cohort_sizes); its own rank among its non-thin dates equals the date's rank
-- as long as it has no gap.
CREATE OR REPLACE MACRO hs_daily_tails(rows, days) AS TABLE
    SELECT model_id, count(*) FILTER (WHERE own_rank = back_rank) AS tail, 1 AS n
    FROM (
        SELECT s.model_id, ok.back_rank, row_number() OVER (PARTITION BY s.model_id ORDER BY ok.back_rank) AS own_rank
        FROM query_table(rows) s JOIN query_table(days) ok USING (snapshot_date)
        WHERE ok.back_rank IS NOT NULL
    )
    GROUP BY model_id;

-- Validation (sql/queries/validation.sql reads it): each published figure (data/published_figures.csv, its path in
-- variable `published_figures`, which the pipeline sets: pipeline.database.run_derived; unset, data/published_figures.csv
-- relative to the working directory, the repository root in this file's `duckdb` example) beside ours, both with their
-- denominators. Rebuilt in full by every refresh: the figures read one whole snapshot's rows (3M at Hub scale),
-- which would cost seconds per page view, and the models' current sizes, which change with any refresh. Ours are
-- computed on the whole-Hub snapshot (a full crawl or a hub-stats dump: refresh_runs.is_full, series 'hub') nearest
-- to the figure's data date; without one, over every model of the DB with its latest values (then `basis` says the
-- DB is a selection and the figures are not comparable in level). Downloads are all-time where the basis has them,
-- else the Hub's 30-day count (`downloads_used` says which). Sizes and safetensors/baseModels presence are the
-- models' current ones.
CREATE OR REPLACE TABLE rollup_validation AS
WITH pub AS (  -- the file's layout is fixed (comma, double quotes): no dialect sniffing
    SELECT * FROM read_csv(coalesce(getvariable('published_figures'), 'data/published_figures.csv'), header = true,
        auto_detect = false,
        columns = {'figure_id': 'VARCHAR', 'figure': 'VARCHAR', 'published_value': 'DOUBLE', 'unit': 'VARCHAR',
                   'metric': 'VARCHAR', 'downloads': 'VARCHAR', 'data_date': 'DATE',
                   'published_denominator': 'VARCHAR', 'source': 'VARCHAR'})
),
full_snapshots AS (  -- from the slot table: a slot with rows is a snapshot (no decoding of the history)
    SELECT s.run_id, min(s.snapshot_at) AS snapshot_at
    FROM history_slots s JOIN refresh_runs r USING (run_id)
    WHERE r.status = 'ok' AND r.is_full AND s.series = 'hub' AND s.models > 0
    GROUP BY s.run_id
),
basis AS (  -- the nearest whole-Hub snapshot for each data date (NULL run_id: none in the DB)
    SELECT d.data_date, arg_min(f.run_id, abs(date_diff('second', d.data_date::TIMESTAMP, f.snapshot_at))) AS run_id,
           arg_min(f.snapshot_at, abs(date_diff('second', d.data_date::TIMESTAMP, f.snapshot_at))) AS snapshot_at
    FROM (SELECT DISTINCT data_date FROM pub) d LEFT JOIN full_snapshots f ON true
    GROUP BY d.data_date
),
runs AS (SELECT DISTINCT run_id FROM basis),  -- each basis measured once, however many data dates share it
basis_slots AS MATERIALIZED (  -- materialized: the span join below then sees only these slots, not every one
    SELECT b.run_id, d.slot, d.series, max(d.slot) OVER () AS latest_slot
    FROM history_slots d LEFT JOIN runs b ON d.run_id = b.run_id
    WHERE d.series = 'hub'
    QUALIFY b.run_id IS NOT NULL
),
rows AS (  -- the basis run's rows, decoded from the spans that cover its slot (model_snapshots_where's join), with
    -- the models' facts keyed by integers (rollup_model_facts, sql/rollups.sql)
    SELECT b.run_id, m.author_id, m.params_total, m.with_safetensors, m.with_base_models,
           coalesce(s.downloads_30d, 0) AS d30, s.downloads_all_time AS d_all
    FROM basis_slots b
    JOIN history_spans s
        ON s.series = b.series AND b.slot >= s.first_slot AND b.slot <= coalesce(s.last_slot, b.latest_slot)
    JOIN rollup_model_facts m USING (model_key)
    UNION ALL
    SELECT b.run_id, m.author_id, m.params_total, m.with_safetensors, m.with_base_models,
           coalesce(m.downloads_30d, 0), m.downloads_all_time
    FROM runs b CROSS JOIN rollup_model_facts m WHERE b.run_id IS NULL
),
kind AS (  -- all-time downloads when every model of the basis has them, else the 30-day count
    SELECT run_id, count(d_all) = count(*) AND count(*) > 0 AS all_time FROM rows GROUP BY run_id
),
measured AS (
    SELECT r.*, k.all_time, CASE WHEN k.all_time THEN r.d_all ELSE r.d30 END AS d
    FROM rows r JOIN kind k ON k.run_id IS NOT DISTINCT FROM r.run_id
),
totals AS (
    SELECT
        run_id, any_value(all_time) AS all_time,
        count(*) AS models, count(params_total) AS models_sized,
        sum(d)::DOUBLE AS downloads, sum(d) FILTER (params_total IS NOT NULL)::DOUBLE AS downloads_sized,
        sum(d30)::DOUBLE AS downloads_30d, sum(d_all)::DOUBLE AS downloads_all_time,
        sum(d) FILTER (params_total < 1e9)::DOUBLE AS under_1e9,
        sum(d) FILTER (params_total < 5e8)::DOUBLE AS under_5e8,
        sum(d) FILTER (params_total < 2e8)::DOUBLE AS under_2e8,
        sum(d) FILTER (params_total < 1e8)::DOUBLE AS under_1e8,
        count(*) FILTER (with_safetensors) AS with_safetensors,
        count(*) FILTER (with_base_models) AS with_base_models
    FROM measured GROUP BY run_id
),
top_authors AS (  -- the 50 largest per-author sums (max(x, n): the n largest values, no ranking of all)
    SELECT run_id, list_sum(max(d, 50))::DOUBLE AS top50 FROM (
        SELECT run_id, author_id, sum(d) AS d FROM measured GROUP BY run_id, author_id
    ) GROUP BY run_id
),
top_models AS (SELECT run_id, list_sum(max(d, 200))::DOUBLE AS top200 FROM measured GROUP BY run_id),
ours AS (
    SELECT
        p.figure_id,
        CASE p.metric
            WHEN 'models' THEN t.models
            WHEN 'downloads' THEN t.downloads
            WHEN 'sized_under_1e9' THEN t.under_1e9 / nullif(t.downloads_sized, 0)
            WHEN 'sized_under_5e8' THEN t.under_5e8 / nullif(t.downloads_sized, 0)
            WHEN 'sized_under_2e8' THEN t.under_2e8 / nullif(t.downloads_sized, 0)
            WHEN 'sized_under_1e8' THEN t.under_1e8 / nullif(t.downloads_sized, 0)
            WHEN 'all_under_1e9' THEN t.under_1e9 / nullif(t.downloads, 0)
            WHEN 'top50_authors' THEN a.top50 / nullif(t.downloads, 0)
            WHEN 'top200_models' THEN tm.top200 / nullif(t.downloads, 0)
            WHEN 'with_safetensors' THEN t.with_safetensors / nullif(t.models, 0)
            WHEN 'with_base_models' THEN t.with_base_models / nullif(t.models, 0)
            WHEN 'd30_over_all_time' THEN t.downloads_30d / nullif(t.downloads_all_time, 0)
        END AS our_value,
        CASE
            WHEN p.metric LIKE 'sized_%' THEN format('{:,} models of known size', t.models_sized)
            WHEN p.metric = 'd30_over_all_time' THEN format('{:,} models with both counts', t.models)
            ELSE format('{:,} models', t.models)
        END AS our_denominator,
        CASE WHEN p.metric = 'd30_over_all_time' THEN 'both'
             WHEN p.metric IN ('models', 'with_safetensors', 'with_base_models') THEN '-'
             WHEN t.all_time THEN 'all-time' ELSE '30-day' END AS downloads_used
    FROM pub p
    JOIN basis b USING (data_date)
    LEFT JOIN totals t ON t.run_id IS NOT DISTINCT FROM b.run_id
    LEFT JOIN top_authors a ON a.run_id IS NOT DISTINCT FROM b.run_id
    LEFT JOIN top_models tm ON tm.run_id IS NOT DISTINCT FROM b.run_id
)
SELECT
    p.figure_id,
    p.figure,
    p.source,
    p.data_date,
    p.unit,
    p.published_value,
    p.published_denominator,
    o.our_value,
    o.our_denominator,
    o.downloads_used,
    b.snapshot_at AS basis_snapshot_at,                       -- NULL: no whole-Hub snapshot in the DB
    b.run_id IS NOT NULL AS comparable,                       -- a whole-Hub snapshot was the basis
    CASE WHEN b.run_id IS NULL THEN 'every model in the DB (a selection, not the whole Hub)'
         ELSE 'whole-Hub snapshot of ' || strftime(b.snapshot_at, '%Y-%m-%d') END AS basis
FROM pub p
JOIN ours o USING (figure_id)
JOIN basis b USING (data_date)
ORDER BY p.data_date, p.figure_id;
