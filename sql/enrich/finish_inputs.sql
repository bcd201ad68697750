-- The second row-local pass's rows (pipeline/enrich/stream.py finish): the first pass's own counts with what the
-- walks found (enrich_scratch.inherited, enrich_scratch.roots) joined back, keys turned into ids again.
SELECT
    o.*,
    i.inh_total,
    i.inh_active,
    f.node AS inh_from,
    i.inh_relation,
    i.inh_depth,
    coalesce(i.below_base, false) AS below_base,
    fr.node AS family_root
FROM enrich_scratch.own o
JOIN enrich_scratch.keys k ON k.node = o.model_id
LEFT JOIN enrich_scratch.inherited i ON i.model_id = k.key
LEFT JOIN enrich_scratch.keys f ON f.key = i.inh_from
LEFT JOIN enrich_scratch.roots r ON r.start = k.key
LEFT JOIN enrich_scratch.keys fr ON fr.key = r.root
