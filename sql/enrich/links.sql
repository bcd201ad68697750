-- Enrichment's non-row-local inputs (pipeline/store/writer.py `enrich`, pipeline/enrich/stream.py): every link
-- the walks follow and an integer key for every id they meet, built from the narrow rows of the first pass
-- (enrich_scratch.own, enrich_scratch.base_links) and the registered frame `enrich_reference`.

-- model_lineage plus the records' base_models, self-links dropped, deduplicated (resolve.lineage_edges)
CREATE TABLE enrich_scratch.edges AS
SELECT DISTINCT child_id, parent_id, relation FROM (
    SELECT child_id, parent_id, coalesce(relation, 'unknown') AS relation FROM model_lineage
    UNION ALL
    SELECT child_id, parent_id, relation FROM enrich_scratch.base_links
)
WHERE child_id <> parent_id;

-- numbered in the ids' sort order: the parent choice breaks ties by the parent's id, and keys must sort alike
CREATE TABLE enrich_scratch.keys AS
SELECT node, CAST(row_number() OVER (ORDER BY node) - 1 AS UINTEGER) AS key
FROM (
    SELECT model_id AS node FROM enrich_scratch.own
    UNION SELECT child_id FROM enrich_scratch.edges
    UNION SELECT parent_id FROM enrich_scratch.edges
    UNION SELECT model_id FROM enrich_reference
);
