-- Views stored inside the DB file for people who query it directly (duckdb data/hub.duckdb).
-- Recreated by every refresh. See docs/schema.md for every column.

CREATE OR REPLACE VIEW language_models AS
SELECT * FROM models WHERE is_language_model;
