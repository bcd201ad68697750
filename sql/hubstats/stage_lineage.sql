-- hub-stats dump: the parent links of the good rows of `_hs_rows` (sql/hubstats/rows.sql) into `_stage_lineage`:
-- each parent mention (c_parent / c_rel, in order) of another model, less the 'unknown' mentions of a parent the
-- row names with a known relation (`known`). One link per (child, parent, relation): the first mention's source
-- (baseModels, then cardData, then tags) wins.
INSERT INTO _stage_lineage BY NAME
SELECT child_id, parent_id, relation, arg_min(hs_source(pos, n_bm, n_card), pos) AS source
FROM (
    SELECT model_id AS child_id, n_bm, n_card, known,
           unnest(c_parent) AS parent_id, unnest(c_rel) AS relation, generate_subscripts(c_parent, 1) AS pos
    FROM _hs_rows WHERE reason IS NULL AND len(c_parent) > 0
)
WHERE parent_id <> child_id AND (relation <> 'unknown' OR NOT list_contains(known, parent_id))
GROUP BY child_id, parent_id, relation;
