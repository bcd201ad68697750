-- Dashboard: the tables and views of the attached DB (which optional config tables it has). No variables.
SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND NOT internal
UNION ALL
SELECT view_name FROM duckdb_views() WHERE database_name = current_database() AND NOT internal
ORDER BY 1;
