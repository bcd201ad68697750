-- The run's parent links into model_lineage (pipeline/store/writer.py, merge). Input: temp table _stage_lineage.
-- Links from the records replace the ones those records gave before; outside links (e.g. catalog-gguf) stay and
-- win over a record link with the same (child, parent, relation). Only what changed is deleted or inserted: every
-- row written costs an update of the table's key index, and most links are the same from one refresh to the next.

CREATE OR REPLACE TEMP TABLE _lineage_stale AS
SELECT child_id, parent_id, relation, source FROM model_lineage
WHERE source IN ('baseModels', 'cardData', 'tag') AND child_id IN (SELECT model_id FROM _stage_models)
EXCEPT
SELECT child_id, parent_id, relation, source FROM _stage_lineage;

DELETE FROM model_lineage m USING _lineage_stale d
WHERE m.child_id = d.child_id AND m.parent_id = d.parent_id AND m.relation = d.relation;

-- in key order: the key index takes sorted keys several times faster than random ones
INSERT INTO model_lineage BY NAME
SELECT s.* FROM (
    SELECT DISTINCT ON (child_id, parent_id, relation) * FROM _stage_lineage
    ORDER BY child_id, parent_id, relation, source
) s ANTI JOIN model_lineage m USING (child_id, parent_id, relation)
ORDER BY child_id, parent_id, relation;

DROP TABLE _lineage_stale;
