-- The reference counts a child may inherit (pipeline/enrich/stream.py links), ids as keys.
SELECT k.key AS model_id, r.ref_total, r.ref_active
FROM enrich_reference r
JOIN enrich_scratch.keys k ON k.node = r.model_id
