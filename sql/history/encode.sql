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
