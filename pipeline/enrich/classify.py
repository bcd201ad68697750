"""Scope, size bands, SLM/LLM class and deployability; ``enrich`` runs sizing + licences + lineage + classes.

Every rule comes from one `Config` (pipeline/enrich/config.py, from config/hubscope.toml). The same object's
`tables()` are stored in the DB and read by sql/macros.sql, so the stored columns and the SQL macros agree
by construction; tests/test_classify.py builds a DB with another config and checks both follow it.
"""

from __future__ import annotations

import polars as pl

from pipeline.enrich.config import Config, ConfigError, Ladder, load_config
from pipeline.enrich.flags import is_test_repo_expr
from pipeline.enrich.licenses import add_license_columns
from pipeline.enrich.lineage import family_roots
from pipeline.enrich.resolve import CHUNK_ROWS, chunks, lineage_edges, resolve_params

__all__ = ["Config", "ConfigError", "enrich", "load_config", "model_class", "size_band"]


# ----------------------------------------------------------------------- pure-python twins of the SQL macros
def model_class(params_total: int | None, threshold: float) -> str | None:
    """'SLM' when params_total < threshold, 'LLM' otherwise, None without a count (same rule as SQL)."""
    if params_total is None:
        return None
    return "SLM" if params_total < threshold else "LLM"


def size_band(params_total: int | None, bands: Ladder) -> str:
    if params_total is None:
        return "unknown"
    for label, upper in bands:
        if params_total < upper:
            return label
    return bands[-1][0]


# --------------------------------------------------------------------------- vectorized
def class_expr(total: pl.Expr, threshold: float) -> pl.Expr:
    return pl.when(total.is_null()).then(None).when(total < threshold).then(pl.lit("SLM")).otherwise(pl.lit("LLM"))


def band_expr(total: pl.Expr, bands: Ladder) -> pl.Expr:
    expr = pl.when(total.is_null()).then(pl.lit("unknown"))
    for label, upper in bands:
        expr = expr.when(total < upper).then(pl.lit(label))
    return expr.otherwise(pl.lit(bands[-1][0]))


def device_expr(gb: pl.Expr, classes: Ladder) -> pl.Expr:
    expr = pl.when(gb.is_null()).then(pl.lit(None, pl.String))
    for label, upper in classes:
        expr = expr.when(gb <= upper).then(pl.lit(label))
    return expr.otherwise(pl.lit(classes[-1][0]))


# What enrich writes for every model (the writer copies these into `models`), in this order.
ENRICHED_COLUMNS: tuple[str, ...] = (
    "params_total", "params_active", "params_source", "params_flags", "license", "license_tier",
    "is_language_model", "size_band", "model_class", "memory_bf16_gb", "memory_4bit_gb", "device_class",
    "family_root", "is_test_repo",
)  # fmt: skip
# What enrich reads from each model (the writer selects only these).
INPUT_COLUMNS: tuple[str, ...] = (
    "model_id", "pipeline_tag", "library_name", "tags", "license_raw", "safetensors_total", "safetensors_dtypes",
    "gguf_total", "gguf_architecture", "base_models", "base_relation",
)  # fmt: skip


def enrich(
    models: pl.DataFrame,
    lineage: pl.DataFrame | None,
    reference: pl.DataFrame | None,
    config: Config,
    chunk_rows: int = CHUNK_ROWS,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(model_id + ENRICHED_COLUMNS in the order of models, the long params_sources frame: every source's value).

    Row-local work runs over slices of chunk_rows models (memory stays flat at Hub scale); the answer does not
    depend on chunk_rows.
    """
    missing = [c for c in INPUT_COLUMNS if c not in models.columns]
    if missing:
        raise ValueError(f"enrich: input lacks column(s) {', '.join(missing)} (see pipeline.enrich.INPUT_COLUMNS)")
    # Peak memory is what is alive at once: one edge list for both walks, the sources sorted before the classes
    # exist, family roots stacked per slice rather than joined (a join would copy every column again).
    edges = lineage_edges(models, lineage)
    resolved, sources = resolve_params(models, lineage, reference, chunk_rows, edges=edges)
    sources = sources.sort("model_id", "source")
    roots = family_roots(edges, models.get_column("model_id")).select("model_id", "family_root")
    del edges
    if roots.height != models.height:  # duplicate ids: roots has one row per distinct id
        roots = models.select("model_id").join(roots, on="model_id", how="left", maintain_order="left")
    scope = models.select("pipeline_tag", "license_raw")
    parts = [
        _classes(pl.concat([r, s, f.drop("model_id")], how="horizontal"), config).select("model_id", *ENRICHED_COLUMNS)
        for r, s, f in zip(
            chunks(resolved, chunk_rows), chunks(scope, chunk_rows), chunks(roots, chunk_rows), strict=True
        )
    ]
    del resolved, roots
    return pl.concat(parts), sources


def _classes(part: pl.DataFrame, config: Config) -> pl.DataFrame:
    """Licence, scope, band, class, memory and device columns for resolved rows (row-local)."""
    part = add_license_columns(part)
    total = pl.col("params_total")
    # one factor, not "* bytes / 1e9": polars folds that differently for a one-row slice (last-bit differences)
    mem16 = total.cast(pl.Float64) * (config.bytes_per_param_bf16 / 1e9)
    mem4 = total.cast(pl.Float64) * (config.bytes_per_param_4bit / 1e9)
    return part.with_columns(
        pl.col("pipeline_tag").is_in(list(config.language_model_tags)).fill_null(False).alias("is_language_model"),
        band_expr(total, config.size_bands).alias("size_band"),
        class_expr(total, config.slm_max_params).alias("model_class"),
        mem16.alias("memory_bf16_gb"),
        mem4.alias("memory_4bit_gb"),
        device_expr(mem4, config.device_classes).alias("device_class"),
        is_test_repo_expr().alias("is_test_repo"),
    ).drop("pipeline_tag", "license_raw")
