-- Migration 004: models.is_test_repo, the enrichment's flag for test/CI fixture repos (pipeline/enrich/flags.py).
-- Added at the end here; the writer rebuilds `models` from sql/schema.sql every refresh, so the column takes its
-- documented place there at the first refresh.
ALTER TABLE models ADD COLUMN IF NOT EXISTS is_test_repo BOOLEAN;
