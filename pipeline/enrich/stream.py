"""Enrichment in passes, for a caller that streams models in chunks and keeps the results outside Python.

`enrich` (classify.py) holds every model's rows at once; at Hub scale (3M models) that is several GB. The same
rules split into three pure steps, so the caller (pipeline/store/writer.py) never holds more than one chunk of
wide rows:

1. `Passes.own(chunk)`: row-local. Every own source's count (resolve.own_counts) plus the columns step 3 needs,
   and the chunk's base_models links.
2. `Passes.links(own, edges, reference)`: the non-row-local part (GGUF repos below their base, inheritance, family
   roots) over integer node keys only: own = model_id (key), own_total, own_active, is_gguf for every model;
   edges = child_id, parent_id (keys), relation; reference = model_id (key), ref_total, ref_active. Returns the
   inherited columns (key -> inh_*, below_base) and the roots (start -> root keys).
3. `Passes.finish(chunk)`: row-local again, over step 1's rows with step 2's columns joined back (inh_from and
   family_root as ids): model_id + ENRICHED_COLUMNS and the chunk's params_sources rows.

Keys must follow the ids' sort order: the parent choice breaks ties by the parent's id. The answer equals
`enrich`'s whatever the chunking (tests/test_enrich_stream.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from pipeline.enrich.classify import ENRICHED_COLUMNS, _classes
from pipeline.enrich.config import Config
from pipeline.enrich.lineage import MAX_DEPTH as ROOT_DEPTH
from pipeline.enrich.lineage import _walk
from pipeline.enrich.resolve import (
    _below_quantized_base,
    _inherit,
    _pool,
    _reference,
    _resolved,
    choose_parent,
    lineage_edges,
    own_counts,
)

# Step 1 keeps these input columns beside the own counts (step 3's licence and scope rules read them).
CARRIED = ("pipeline_tag", "license_raw")
# Step 2's inherited columns, in the order step 3 expects them after own's.
INHERITED = ("inh_total", "inh_active", "inh_from", "inh_relation", "inh_depth", "below_base")


@dataclass(frozen=True)
class Passes:
    """The three steps bound to one config."""

    config: Config

    def reference_counts(self, reference: pl.DataFrame | None) -> pl.DataFrame | None:
        """The stored reference counts as both steps read them: model_id, ref_total, ref_active, one row per id
        (None without any)."""
        return _reference(reference)

    def own(self, chunk: pl.DataFrame, ref: pl.DataFrame | None) -> tuple[pl.DataFrame, pl.DataFrame]:
        """(own counts + CARRIED for the chunk's models, the chunk's base_models links: child_id, parent_id,
        relation). `ref` is reference_counts' answer."""
        own = pl.concat([own_counts(chunk, ref), chunk.select(*CARRIED)], how="horizontal")
        return own, lineage_edges(chunk.select("model_id", "base_models", "base_relation"), None)

    def links(
        self, own: pl.DataFrame, edges: pl.DataFrame, ref: pl.DataFrame | None
    ) -> tuple[pl.DataFrame, pl.DataFrame]:
        """(inherited: model_id, INHERITED for models that inherit or sit below their quantized base; roots:
        start, root, depth for every model), ids as keys. The same steps as resolve_params and family_roots."""
        parents = choose_parent(edges)
        fixed = _below_quantized_base(own, parents, _pool(own, ref))
        fixed_own = own.join(
            fixed.select("model_id", pl.col("inh_total").alias("_base_total")), on="model_id", how="left"
        ).with_columns(pl.coalesce("_base_total", "own_total").alias("own_total"))
        need = fixed_own.filter(pl.col("own_total").is_null()).select("model_id")
        found = _inherit(need, parents, _pool(fixed_own.drop("_base_total"), ref))
        del need, fixed_own
        inherited = pl.concat(
            [
                found.with_columns(pl.lit(False).alias("below_base")),
                fixed.with_columns(pl.lit(True).alias("below_base")),
            ]
        ).select("model_id", *INHERITED)
        start = own.select(pl.col("model_id").alias("start")).unique()
        return inherited, _walk(start, parents.select("child_id", "parent_id"), ROOT_DEPTH)

    def finish(self, part: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        """(model_id + ENRICHED_COLUMNS, params_sources rows) for step 1's rows with INHERITED and family_root."""
        resolved, sources = _resolved(part.drop("family_root", *CARRIED))
        scope = part.select(*CARRIED, "family_root")
        enriched = _classes(pl.concat([resolved, scope], how="horizontal"), self.config)
        return enriched.select("model_id", *ENRICHED_COLUMNS), sources
