-- Lineage: how many SLMs derive from LLM bases (and the other combinations) — derived model's class x parent's
-- class, over model_lineage links whose child passes the filters. 'parent not tracked' = the parent is not in
-- the DB, so its size is unknown.
-- Variables: threshold default_threshold(), scope 'language', unknown 'exclude', tasks [], orgs [].
SELECT
    c.cls                                                            AS child_cls,
    CASE WHEN p.model_id IS NULL THEN 'parent not tracked' ELSE hs_class(p.params_total) END AS parent_cls,
    count(DISTINCT c.model_id)                                       AS models,
    count(*)                                                         AS links
FROM model_lineage l
JOIN hs_models() c ON c.model_id = l.child_id
LEFT JOIN models p ON p.model_id = l.parent_id
GROUP BY ALL
ORDER BY child_cls DESC, parent_cls;
