-- Data: when the rollups (sql/rollups.sql) were built and their sizes. No variables.
SELECT * FROM rollup_info;
