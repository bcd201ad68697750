-- The baseline: the layout of sql/schema.sql when migrations began, plus the table that records them.
-- Files from before this migration have no schema_migrations table; the writer rebuilds those from
-- sql/schema.sql and copies their rows by column name.
CREATE TABLE IF NOT EXISTS schema_migrations (
    version     INTEGER PRIMARY KEY,
    name        VARCHAR NOT NULL,
    applied_at  TIMESTAMP NOT NULL
);
