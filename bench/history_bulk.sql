-- The benchmark's DOCUMENTED BULK PATH for a history axis (bench/history.py). Not the writer: 364 real crawls of
-- 3M models would take days. Starting from a file after ONE real refresh (series 'hub': slot 0 = that run), it
-- rewrites series 'hub' as getvariable('bench_days') daily snapshots ending with the real one, directly in the
-- delta-encoded layout the writer produces (history_slots / history_spans):
-- - every model present on every day (the Hub rarely deletes models; new ones only add to the latest days);
-- - models with 30-day downloads ("active") change their counters between two consecutive days with probability
--   getvariable('bench_churn') (measured from a real daily series, bench/history.py); the others never change
--   (no downloads: nothing rolls);
-- - values of the span s changes before the latest (s = 0 is the real record): downloads_30d higher and
--   downloads_all_time lower by s steps, likes lower every 10 changes, trending_score as recorded. Both counters
--   move strictly with s, so two adjacent spans never hold equal values and the spans are canonical (what
--   encode.sql and compact would write); a 30-day count lowered towards a floor of 0 repeated the 0 over many
--   spans: compact merged the 100k x 365 file's 11.5M spans into 4.6M.
-- Synthetic runs take the ids after every real run (getvariable('bench_first_id') …; the next real refresh takes
-- max(run_id) + 1 as usual) and are recorded in refresh_runs with source 'bench:synthetic-history'.
CREATE OR REPLACE TEMP TABLE _bench_now AS
SELECT model_key, downloads_30d, downloads_all_time, likes, trending_score
FROM history_spans WHERE series = 'hub' AND last_slot IS NULL;  -- the values at the latest snapshot

-- One draw per (model, day) from a hash of both and the seed: a bare random() in this filter was pushed below the
-- unnest and drawn once per model, so an active model changed on every day or on none (churn 1.0 for 44% of them).
CREATE OR REPLACE TEMP TABLE _bench_flags AS
SELECT model_key, j
FROM (
    SELECT model_key, unnest(range(0, getvariable('bench_days') - 1)) AS j
    FROM _bench_now WHERE coalesce(downloads_30d, 0) > 0
)
WHERE hash(model_key, j, getvariable('bench_seed')) < getvariable('bench_churn') * 18446744073709551615.0;

CREATE OR REPLACE TEMP TABLE _bench_spans AS
WITH b AS (
    SELECT model_key, j,
           lag(j) OVER (PARTITION BY model_key ORDER BY j) AS prev_j,
           count(*) OVER (PARTITION BY model_key) - row_number() OVER (PARTITION BY model_key ORDER BY j) + 1 AS s
    FROM _bench_flags
)
SELECT model_key, CAST(coalesce(prev_j + 1, 0) AS INTEGER) AS first_slot, CAST(j AS INTEGER) AS last_slot, s FROM b
UNION ALL
SELECT n.model_key, CAST(coalesce(max(f.j) + 1, 0) AS INTEGER), NULL, 0
FROM _bench_now n LEFT JOIN _bench_flags f USING (model_key)
GROUP BY n.model_key;

DELETE FROM history_spans WHERE series = 'hub';  -- all of it: _bench_now holds the latest values (a file that
-- already holds a bulk history, e.g. the 30-day axis before the 365-day one, must not keep its closed spans)
DELETE FROM history_slots WHERE series = 'hub';

INSERT INTO history_slots
SELECT 'hub', CAST(j AS INTEGER),
       getvariable('bench_at') - to_days(CAST(getvariable('bench_days') - 1 - j AS INTEGER)),
       CAST(getvariable('bench_at') - to_days(CAST(getvariable('bench_days') - 1 - j AS INTEGER)) AS DATE),
       CASE WHEN j = getvariable('bench_days') - 1 THEN getvariable('bench_run')
            ELSE CAST(getvariable('bench_first_id') + j AS INTEGER) END,
       (SELECT count(*) FROM _bench_now)
FROM range(0, getvariable('bench_days')) AS t(j);

INSERT INTO history_spans
SELECT 'hub', s.model_key, s.first_slot, s.last_slot,
       CASE WHEN n.downloads_30d IS NULL THEN NULL
            ELSE n.downloads_30d + s.s * greatest(1, n.downloads_30d // 400) END,
       CASE WHEN n.downloads_all_time IS NULL THEN NULL
            ELSE greatest(0, n.downloads_all_time - s.s * greatest(1, coalesce(n.downloads_30d, 0) // 30)) END,
       CASE WHEN n.likes IS NULL THEN NULL ELSE greatest(0, n.likes - s.s // 10) END,
       n.trending_score
FROM _bench_spans s JOIN _bench_now n USING (model_key)
ORDER BY s.model_key, s.first_slot;

INSERT INTO refresh_runs (run_id, started_at, finished_at, status, source, is_full, filters, models_seen,
                          snapshot_rows, hubscope_version)
SELECT run_id, snapshot_at, snapshot_at, 'ok', 'bench:synthetic-history', true, '{}', models, models, 'bench'
FROM history_slots WHERE series = 'hub' AND run_id >= getvariable('bench_first_id');

DROP TABLE _bench_now;
DROP TABLE _bench_flags;
DROP TABLE _bench_spans;
