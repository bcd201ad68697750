"""What users run on the DB: read-only SQL, export, compaction, schema doc, status."""
