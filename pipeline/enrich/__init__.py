"""Enrichment: sizing, licences, lineage, classes. Pure and columnar: no I/O.

The refresh calls it as a stage: the writer streams INPUT_COLUMNS (tags filtered to INPUT_TAGS) of every model
through `Passes(config)` in chunks (pipeline/enrich/stream.py: row-local steps per chunk, the lineage walks on
integer keys), which gives the same model_id + ENRICHED_COLUMNS and params_sources rows as
`enrich(inputs, lineage, reference, config)` over all models at once; the writer stores them with
`config.tables()` (the rules the SQL macros read).
"""

from pipeline.enrich.classify import ENRICHED_COLUMNS, INPUT_COLUMNS, enrich
from pipeline.enrich.config import Config, ConfigError, load_config
from pipeline.enrich.resolve import CHUNK_ROWS
from pipeline.enrich.sizing import MOE_TAGS, QUANT_TAGS
from pipeline.enrich.stream import Passes

# Every tag enrich reads; other tags can be dropped before the call (the full tags column is the largest input).
INPUT_TAGS: tuple[str, ...] = (*QUANT_TAGS, *MOE_TAGS)

__all__ = [
    "CHUNK_ROWS",
    "ENRICHED_COLUMNS",
    "INPUT_COLUMNS",
    "INPUT_TAGS",
    "Config",
    "Passes",
    "ConfigError",
    "enrich",
    "load_config",
]
