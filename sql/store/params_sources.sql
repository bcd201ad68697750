-- Every source's parameter count (pipeline/store/writer.py, apply_enrichment) becomes exactly the registered frame
-- `sources_next` (model_id, source, params_total, params_active, note; one row per (model_id, source)).
-- Only rows that changed are deleted and inserted: every row written costs an update of the table's key index,
-- and from one refresh to the next almost every count stays the same.

CREATE OR REPLACE TEMP TABLE _params_stale AS
SELECT model_id, source, params_total, params_active, note FROM model_params_sources
EXCEPT
SELECT model_id, source, params_total, params_active, note FROM sources_next;

DELETE FROM model_params_sources p USING _params_stale d WHERE p.model_id = d.model_id AND p.source = d.source;

-- in key order: the key index takes sorted keys several times faster than random ones
INSERT INTO model_params_sources BY NAME
SELECT * FROM (
    SELECT model_id, source, params_total, params_active, note FROM sources_next
    EXCEPT
    SELECT model_id, source, params_total, params_active, note FROM model_params_sources
)
ORDER BY model_id, source;

DROP TABLE _params_stale;
