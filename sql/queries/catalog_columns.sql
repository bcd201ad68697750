-- Dashboard: the columns of one table of the attached DB (which optional columns it has).
-- Variables: table_name 'models'.
SELECT column_name, data_type
FROM duckdb_columns()
WHERE database_name = current_database() AND table_name = COALESCE(getvariable('table_name'), 'models')
ORDER BY column_index;
