-- Every recorded refresh attempt, newest last. Failed/killed attempts reach this table at the next successful
-- refresh; `python -m pipeline status` also shows the ones only in the run journal (<db>.runs.jsonl).
SELECT run_id, started_at, finished_at, status, source, is_full, filters, pages_fetched,
       models_seen, models_new, models_rejected, snapshot_rows, error, hubscope_version
FROM refresh_runs
ORDER BY run_id;
