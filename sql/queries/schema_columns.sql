-- Data: every column of the DB's tables and views (the live catalog; sql/schema.sql is shown beside it).
-- No variables.
SELECT table_name, column_index, column_name, data_type, is_nullable
FROM duckdb_columns()
WHERE database_name = current_database() AND schema_name = 'main'
ORDER BY table_name, column_index;
