-- Every lineage link (pipeline/enrich/stream.py links), ids as keys.
SELECT c.key AS child_id, p.key AS parent_id, e.relation
FROM enrich_scratch.edges e
JOIN enrich_scratch.keys c ON c.node = e.child_id
JOIN enrich_scratch.keys p ON p.node = e.parent_id
