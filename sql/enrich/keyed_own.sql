-- What the inheritance walk reads of every model (pipeline/enrich/stream.py links), ids as keys.
SELECT k.key AS model_id, o.own_total, o.own_active, o.is_gguf
FROM enrich_scratch.own o
JOIN enrich_scratch.keys k ON k.node = o.model_id
