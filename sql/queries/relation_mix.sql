-- Lineage: how derived models relate to their parent (finetune | quantized | adapter | merge | unknown), by the
-- derived model's class; counts distinct derived models per relation.
-- Variables: threshold default_threshold(), scope 'language', unknown 'exclude', tasks [], orgs [].
SELECT
    l.relation,
    c.cls,
    count(DISTINCT c.model_id)                  AS models,
    count(*)                                    AS links
FROM model_lineage l
JOIN hs_models() c ON c.model_id = l.child_id
GROUP BY ALL
ORDER BY models DESC;
