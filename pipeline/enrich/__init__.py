"""Enrichment: sizing, licences, lineage, classes. Pure and columnar: no I/O.

The refresh calls it as a stage: the writer selects INPUT_COLUMNS (tags filtered to INPUT_TAGS) for every model,
`enrich(inputs, lineage, reference, config)` returns model_id + ENRICHED_COLUMNS and the params_sources frame,
and the writer stores them with `config.tables()` (the rules the SQL macros read).
"""

from pipeline.enrich.classify import ENRICHED_COLUMNS, INPUT_COLUMNS, enrich
from pipeline.enrich.config import Config, ConfigError, load_config
from pipeline.enrich.sizing import MOE_TAGS, QUANT_TAGS

# Every tag enrich reads; other tags can be dropped before the call (the full tags column is the largest input).
INPUT_TAGS: tuple[str, ...] = (*QUANT_TAGS, *MOE_TAGS)

__all__ = ["ENRICHED_COLUMNS", "INPUT_COLUMNS", "INPUT_TAGS", "Config", "ConfigError", "enrich", "load_config"]
