-- Which model families have the most quantized derivatives?
SELECT
    family_root,
    count(DISTINCT child_id) AS quantized_children_count,
    count(DISTINCT parent_id) AS quantized_parents_count
FROM lineage_with_roots
WHERE relation = 'quantized'
GROUP BY family_root
ORDER BY quantized_children_count DESC, family_root
LIMIT 10;
