-- Append one snapshot at the END of a series (pipeline/store/history.py, the steady-state refresh path).
-- Input: temp table _history_new (model_id, downloads_30d, downloads_all_time, likes, trending_score), one row per
-- model; variables history_series, history_at (TIMESTAMP, later than every slot of the series), history_run.
-- A model whose values equal its open span's keeps that span open (no row written); a changed model closes its
-- span at the previous slot and opens a new one; a model that vanished has its span closed; a new or returning
-- model opens a span. Work is proportional to the models that changed, not to the history.

INSERT INTO history_keys
SELECT (SELECT coalesce(max(model_key), 0) FROM history_keys) + row_number() OVER (ORDER BY model_id), model_id
FROM (SELECT model_id FROM _history_new ANTI JOIN history_keys USING (model_id));

CREATE OR REPLACE TEMP TABLE _history_keyed AS
SELECT k.model_key, n.downloads_30d, n.downloads_all_time, n.likes, n.trending_score
FROM _history_new n JOIN history_keys k USING (model_id);

CREATE OR REPLACE TEMP TABLE _history_unchanged AS
SELECT n.model_key
FROM _history_keyed n
JOIN history_spans o ON o.model_key = n.model_key
WHERE o.series = getvariable('history_series') AND o.last_slot IS NULL
  AND o.downloads_30d IS NOT DISTINCT FROM n.downloads_30d
  AND o.downloads_all_time IS NOT DISTINCT FROM n.downloads_all_time
  AND o.likes IS NOT DISTINCT FROM n.likes
  AND o.trending_score IS NOT DISTINCT FROM n.trending_score;

SET VARIABLE history_prev = (SELECT max(slot) FROM history_slots WHERE series = getvariable('history_series'));

UPDATE history_spans SET last_slot = getvariable('history_prev')
WHERE series = getvariable('history_series') AND last_slot IS NULL
  AND model_key NOT IN (SELECT model_key FROM _history_unchanged);

INSERT INTO history_spans
SELECT getvariable('history_series'), model_key, coalesce(getvariable('history_prev') + 1, 0), NULL,
       downloads_30d, downloads_all_time, likes, trending_score
FROM _history_keyed ANTI JOIN _history_unchanged USING (model_key);

INSERT INTO history_slots
SELECT getvariable('history_series'), coalesce(getvariable('history_prev') + 1, 0), getvariable('history_at'),
       CAST(getvariable('history_at') AS DATE), getvariable('history_run'), (SELECT count(*) FROM _history_keyed);

DROP TABLE _history_keyed;
DROP TABLE _history_unchanged;
