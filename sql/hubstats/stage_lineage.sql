-- hub-stats dump: the parent links of the good rows of `_hs_rows` (sql/hubstats/rows.sql) into `_stage_lineage`.
-- One link per (child, parent, relation): the first mention wins (baseModels, then cardData, then tags).
INSERT INTO _stage_lineage BY NAME
SELECT child_id, parent_id, relation, source
FROM (
    SELECT model_id AS child_id, e.edge.parent AS parent_id, e.edge.relation AS relation, e.edge.source AS source,
           e.pos
    FROM (SELECT model_id, unnest(edges) AS edge, generate_subscripts(edges, 1) AS pos
          FROM _hs_rows WHERE reason IS NULL) e
)
QUALIFY row_number() OVER (PARTITION BY child_id, parent_id, relation ORDER BY pos) = 1;
