"""Scope, size bands, SLM/LLM class and deployability; ``enrich`` runs sizing + licences + lineage + classes.

All settings come from config/hubscope.toml (see docs/sizing.md). sql/macros.sql mirrors the class rule and
the bands for query-time reclassing; tests/test_classify.py checks both agree.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipeline.enrich.licenses import add_license_columns
from pipeline.enrich.lineage import family_roots
from pipeline.enrich.sizing import lineage_edges, resolve_params

CONFIG_PATH = Path(__file__).resolve().parents[2] / "config" / "hubscope.toml"

DEFAULT_LM_TAGS = frozenset(
    {
        "text-generation",
        "text2text-generation",
        "image-text-to-text",
        "visual-question-answering",
        "document-question-answering",
        "video-text-to-text",
        "audio-text-to-text",
        "any-to-any",
        "summarization",
        "translation",
        "conversational",
        "question-answering",
        "table-question-answering",
    }
)


def _bound(x: float | int | str) -> float:
    return math.inf if isinstance(x, str) and x.lower() in ("inf", "infinity") else float(x)


@dataclass(frozen=True)
class Config:
    """Analytic settings. A model is SLM when params_total < slm_max_params (strict)."""

    slm_max_params: float = 10e9
    size_bands: tuple[tuple[str, float], ...] = (
        ("<1B", 1e9),
        ("1-3B", 3e9),
        ("3-10B", 10e9),
        ("10-30B", 30e9),
        ("30-100B", 100e9),
        (">100B", math.inf),
    )
    language_model_tags: frozenset[str] = DEFAULT_LM_TAGS
    bytes_per_param_bf16: float = 2.0
    bytes_per_param_4bit: float = 0.5
    device_classes: tuple[tuple[str, float], ...] = (
        ("phone", 4.0),
        ("laptop", 16.0),
        ("single-gpu", 80.0),
        ("multi-gpu", math.inf),
    )
    device_classes_bf16: tuple[tuple[str, float], ...] = (
        ("phone", 4.0),
        ("laptop", 16.0),
        ("single-gpu", 80.0),
        ("multi-gpu", math.inf),
    )


def load_config(path: Path | None = None) -> Config:
    """Read config/hubscope.toml (or path); missing keys keep the dataclass defaults."""
    p = path or CONFIG_PATH
    if not p.exists():
        return Config()
    with p.open("rb") as fh:
        doc = tomllib.load(fh)
    kw: dict = {}
    if "slm_max_params" in doc.get("classes", {}):
        kw["slm_max_params"] = float(doc["classes"]["slm_max_params"])
    bands = doc.get("bands", {})
    if bands.get("labels"):
        if len(bands["labels"]) != len(bands["upper"]):
            raise ValueError("config [bands]: labels and upper differ in length")
        kw["size_bands"] = tuple((lbl, _bound(u)) for lbl, u in zip(bands["labels"], bands["upper"], strict=True))
    if doc.get("scope", {}).get("language_model_tags"):
        kw["language_model_tags"] = frozenset(doc["scope"]["language_model_tags"])
    mem = doc.get("memory", {})
    for k in ("bytes_per_param_bf16", "bytes_per_param_4bit"):
        if k in mem:
            kw[k] = float(mem[k])
    dev = doc.get("devices", {})
    if dev.get("labels"):
        kw["device_classes"] = tuple((lbl, _bound(u)) for lbl, u in zip(dev["labels"], dev["max_gb_4bit"], strict=True))
        if dev.get("max_gb_bf16"):
            kw["device_classes_bf16"] = tuple(
                (lbl, _bound(u)) for lbl, u in zip(dev["labels"], dev["max_gb_bf16"], strict=True)
            )
    return Config(**kw)


# ----------------------------------------------------------------------- pure-python twins of the SQL macros
def model_class(params_total: int | None, threshold: float) -> str | None:
    """'SLM' when params_total < threshold, 'LLM' otherwise, None without a count (same rule as SQL)."""
    if params_total is None:
        return None
    return "SLM" if params_total < threshold else "LLM"


def size_band(params_total: int | None, bands: tuple[tuple[str, float], ...] = Config.size_bands) -> str:
    if params_total is None:
        return "unknown"
    for label, upper in bands:
        if params_total < upper:
            return label
    return bands[-1][0]


# --------------------------------------------------------------------------- vectorized
def class_expr(total: pl.Expr, threshold: float) -> pl.Expr:
    return pl.when(total.is_null()).then(None).when(total < threshold).then(pl.lit("SLM")).otherwise(pl.lit("LLM"))


def band_expr(total: pl.Expr, bands: tuple[tuple[str, float], ...]) -> pl.Expr:
    expr = pl.when(total.is_null()).then(pl.lit("unknown"))
    for label, upper in bands:
        expr = expr.when(total < upper).then(pl.lit(label))
    return expr.otherwise(pl.lit(bands[-1][0]))


def device_expr(gb: pl.Expr, classes: tuple[tuple[str, float], ...]) -> pl.Expr:
    expr = pl.when(gb.is_null()).then(pl.lit(None, pl.String))
    for label, upper in classes:
        expr = expr.when(gb <= upper).then(pl.lit(label))
    return expr.otherwise(pl.lit(classes[-1][0]))


def enrich(
    models: pl.DataFrame,
    lineage: pl.DataFrame,
    reference: pl.DataFrame | None,
    config: Config,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """models + params_total ... family_root, and the long params_sources frame (every source's value)."""
    resolved, sources = resolve_params(models, lineage, reference)
    added = [
        "params_total",
        "params_active",
        "params_source",
        "params_flags",
        "license",
        "license_tier",
        "is_language_model",
        "size_band",
        "model_class",
        "memory_bf16_gb",
        "memory_4bit_gb",
        "device_class",
        "family_root",
    ]
    out = models.drop([c for c in added if c in models.columns])
    out = pl.concat([out, resolved.drop("model_id")], how="horizontal")
    out = add_license_columns(out)

    total = pl.col("params_total")
    mem16 = total.cast(pl.Float64) * config.bytes_per_param_bf16 / 1e9
    mem4 = total.cast(pl.Float64) * config.bytes_per_param_4bit / 1e9
    out = out.with_columns(
        pl.col("pipeline_tag").is_in(list(config.language_model_tags)).fill_null(False).alias("is_language_model"),
        band_expr(total, config.size_bands).alias("size_band"),
        class_expr(total, config.slm_max_params).alias("model_class"),
        mem16.alias("memory_bf16_gb"),
        mem4.alias("memory_4bit_gb"),
        device_expr(mem4, config.device_classes).alias("device_class"),
    )
    edges = lineage_edges(models, lineage)
    roots = family_roots(edges, out.get_column("model_id")).select("model_id", "family_root")
    out = out.join(roots, on="model_id", how="left", maintain_order="left")
    return out, sources.sort("model_id", "source")
