-- Data: row counts of the tables the dashboard reads. No variables.
SELECT 'models' AS table_name, count(*) AS rows FROM models
UNION ALL SELECT 'model_snapshots', COALESCE(sum(models), 0)::BIGINT FROM history_slots  -- its rows, not decoded
UNION ALL SELECT 'model_lineage', count(*) FROM model_lineage
UNION ALL SELECT 'model_params_sources', count(*) FROM model_params_sources
UNION ALL SELECT 'reference_params', count(*) FROM reference_params
UNION ALL SELECT 'refresh_runs', count(*) FROM refresh_runs
UNION ALL SELECT 'rejected_records', count(*) FROM rejected_records
UNION ALL SELECT 'rollup_models', count(*) FROM rollup_models
UNION ALL SELECT 'rollup_snapshots', count(*) FROM rollup_snapshots;
