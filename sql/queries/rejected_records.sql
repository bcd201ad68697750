-- Data: records the pipeline could not normalize (kept with the reason), newest first.
-- Variables: max_rows 500.
SELECT run_id, rejected_at, model_id, reason, left(raw_json, 300) AS raw_json_start
FROM rejected_records
ORDER BY rejected_at DESC, run_id DESC
LIMIT COALESCE(getvariable('max_rows'), 500);
