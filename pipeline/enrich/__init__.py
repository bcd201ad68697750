"""Enrichment: sizing, licences, lineage, classes. Pure and columnar: no I/O."""
