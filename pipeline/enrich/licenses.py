"""Licence normalization and openness tiers (vectorized over a polars frame).

Normalization: lower case, trim, unwrap list renderings ("['mit']", '["apache-2.0", "mit"]'), strip a
"license:" prefix, then map aliases ("apache 2.0" -> apache-2.0, "llama3.1" stays llama3.1, ...).

Tiers come from ONE table, ``TIER_TABLE`` below (Hub licence ids -> tier). Ids not in it fall back to the
ScanCode LicenseDB category that ships inside the ``license-expression`` package (the maintained SPDX/ScanCode
licence list): Permissive/Public Domain -> permissive, Copyleft* -> copyleft, Proprietary Free/Free
Restricted -> open-restricted, Source-available -> non-commercial (CC *-NC-* and similar). Ids with "-nc",
"noncommercial" or ending in "research" are non-commercial; any other id is a vendor's custom licence and
counts as open-restricted (like "other"). Only a missing licence or "unknown" is ``unknown``.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import polars as pl

TIERS = ("permissive", "copyleft", "open-restricted", "non-commercial", "unknown")

# The tier map: Hub licence ids (as normalized) -> tier. Readable on purpose; extend here.
# "open-restricted" = open weights under a use policy / custom terms (Llama, Gemma, OpenRAIL, "other", ...).
TIER_TABLE: dict[str, str] = {
    # permissive (OSI approved or public-domain dedications)
    "apache-2.0": "permissive",
    "mit": "permissive",
    "bsd-2-clause": "permissive",
    "bsd-3-clause": "permissive",
    "bsd-3-clause-clear": "permissive",
    "bsd": "permissive",
    "isc": "permissive",
    "afl-3.0": "permissive",
    "ecl-2.0": "permissive",
    "bsl-1.0": "permissive",
    "zlib": "permissive",
    "postgresql": "permissive",
    "ncsa": "permissive",
    "unlicense": "permissive",
    "cc0-1.0": "permissive",
    "wtfpl": "permissive",
    "cc-by-2.0": "permissive",
    "cc-by-2.5": "permissive",
    "cc-by-3.0": "permissive",
    "cc-by-4.0": "permissive",
    "odc-by": "permissive",
    "pddl": "permissive",
    "pddl-1.0": "permissive",
    "mit-0": "permissive",
    "openmdw-1.0": "permissive",
    "openmdw-1.1": "permissive",
    "modified-mit": "permissive",
    # copyleft (share-alike)
    "gpl": "copyleft",
    "gpl-2.0": "copyleft",
    "gpl-3.0": "copyleft",
    "lgpl": "copyleft",
    "lgpl-2.1": "copyleft",
    "lgpl-3.0": "copyleft",
    "lgpl-lr": "copyleft",
    "agpl-3.0": "copyleft",
    "mpl-2.0": "copyleft",
    "epl-1.0": "copyleft",
    "epl-2.0": "copyleft",
    "eupl-1.1": "copyleft",
    "eupl-1.2": "copyleft",
    "osl-3.0": "copyleft",
    "artistic-2.0": "copyleft",
    "cc-by-sa-3.0": "copyleft",
    "cc-by-sa-4.0": "copyleft",
    "gfdl": "copyleft",
    "odbl": "copyleft",
    "cdla-sharing-1.0": "copyleft",
    # open weights with use restrictions / custom terms
    "llama2": "open-restricted",
    "llama3": "open-restricted",
    "llama3.1": "open-restricted",
    "llama3.2": "open-restricted",
    "llama3.3": "open-restricted",
    "llama4": "open-restricted",
    "gemma": "open-restricted",
    "openrail": "open-restricted",
    "openrail++": "open-restricted",
    "creativeml-openrail-m": "open-restricted",
    "bigscience-openrail-m": "open-restricted",
    "bigscience-bloom-rail-1.0": "open-restricted",
    "bigcode-openrail-m": "open-restricted",
    "deepfloyd-if-license": "open-restricted",
    "other": "open-restricted",
    "lfm1.0": "open-restricted",
    "nvidia-open-model-license": "open-restricted",
    "qwen": "open-restricted",
    "tongyi-qianwen": "open-restricted",
    "deepseek": "open-restricted",
    "deepseek-license": "open-restricted",
    "falcon-llm-license": "open-restricted",
    "exaone": "open-restricted",
    "apple-ascl": "open-restricted",
    "apple-amlr": "open-restricted",
    "qwen-community-1.0": "open-restricted",
    "minimax-community": "open-restricted",
    "glm-4": "open-restricted",
    "mrl": "open-restricted",
    "intel-research": "open-restricted",
    "c-uda": "open-restricted",
    "h-research": "open-restricted",
    "cdla-permissive-1.0": "permissive",
    "cdla-permissive-2.0": "permissive",
    # non-commercial
    "cc-by-nc-2.0": "non-commercial",
    "cc-by-nc-3.0": "non-commercial",
    "cc-by-nc-4.0": "non-commercial",
    "cc-by-nc-sa-2.0": "non-commercial",
    "cc-by-nc-sa-3.0": "non-commercial",
    "cc-by-nc-sa-4.0": "non-commercial",
    "cc-by-nc-nd-3.0": "non-commercial",
    "cc-by-nc-nd-4.0": "non-commercial",
    "cc-by-nd-4.0": "non-commercial",
    "fair-noncommercial-research-license": "non-commercial",
    "qwen-research": "non-commercial",
    "tongyi-qianwen-research": "non-commercial",
    "non-commercial-only": "non-commercial",
    "polyform-noncommercial-1.0.0": "non-commercial",
    "researchrail": "non-commercial",
    "apple-sample-code-license": "open-restricted",
    # no usable statement
    "unknown": "unknown",
}

# Spellings seen on the Hub -> normalized id.
ALIASES: dict[str, str] = {
    "apache 2.0": "apache-2.0",
    "apache2.0": "apache-2.0",
    "apache-2": "apache-2.0",
    "apache 2": "apache-2.0",
    "apache": "apache-2.0",
    "apache license 2.0": "apache-2.0",
    "apache-2.0 license": "apache-2.0",
    "mit license": "mit",
    "the mit license": "mit",
    "gpl-3": "gpl-3.0",
    "gplv3": "gpl-3.0",
    "gpl3": "gpl-3.0",
    "gpl-3.0-only": "gpl-3.0",
    "agpl-3.0-only": "agpl-3.0",
    "lgpl-3.0-only": "lgpl-3.0",
    "cc-by-nc 4.0": "cc-by-nc-4.0",
    "cc by-nc 4.0": "cc-by-nc-4.0",
    "cc-by-nc": "cc-by-nc-4.0",
    "cc by 4.0": "cc-by-4.0",
    "cc0": "cc0-1.0",
    "llama-2": "llama2",
    "llama 2": "llama2",
    "llama-3": "llama3",
    "llama-3.1": "llama3.1",
    "llama-3.2": "llama3.2",
    "llama-3.3": "llama3.3",
    "llama 3.1": "llama3.1",
    "llama-4": "llama4",
    "gemma-terms-of-use": "gemma",
    "openrail-m": "openrail",
    "bigscience-bloom-rail": "bigscience-bloom-rail-1.0",
    "odc-by-1.0": "odc-by",
    "wtfpl-2.0": "wtfpl",
    "bsd-new": "bsd-3-clause",
    "deepseek-license-agreement": "deepseek",
    "none": "unknown",
    "n/a": "unknown",
    "fair-noncommercial-research": "fair-noncommercial-research-license",
}

# ScanCode LicenseDB category -> tier (fallback for ids not in TIER_TABLE).
CATEGORY_TIER = {
    "Permissive": "permissive",
    "Public Domain": "permissive",
    "Copyleft": "copyleft",
    "Copyleft Limited": "copyleft",
    "Proprietary Free": "open-restricted",
    "Free Restricted": "open-restricted",
    "Source-available": "non-commercial",
}


@functools.cache
def spdx_categories() -> dict[str, str]:
    """Lower-case licence key / SPDX id -> ScanCode category, from the license-expression package's data."""
    import license_expression

    path = Path(license_expression.__file__).parent / "data" / "scancode-licensedb-index.json"
    out: dict[str, str] = {}
    for e in json.loads(path.read_text()):
        cat = e.get("category")
        if not cat or e.get("is_exception"):
            continue
        keys = [e.get("license_key"), e.get("spdx_license_key"), *(e.get("other_spdx_license_keys") or [])]
        for k in keys:
            if k and not k.lower().startswith("licenseref-"):
                out.setdefault(k.lower(), cat)
    return out


def normalize_license(raw: str | None) -> str | None:
    """One raw licence value -> normalized id (None for empty). Lists keep their first entry."""
    out = normalize_expr(pl.Series("x", [raw], dtype=pl.String).to_frame().lazy(), "x").collect()
    return out.item(0, 0)


def license_tier(lic: str | None) -> str:
    """Normalized id -> tier (pure python, same rules as tier_expr)."""
    if lic is None:
        return "unknown"
    if lic in TIER_TABLE:
        return TIER_TABLE[lic]
    if "-nc" in lic or "noncommercial" in lic or "non-commercial" in lic or lic.endswith("research"):
        return "non-commercial"
    cat = spdx_categories().get(lic)
    if cat:
        return CATEGORY_TIER.get(cat, "open-restricted")
    # Not an SPDX/ScanCode id and not in the table: a vendor's own licence ("kimi-k3", "glm-5.3",
    # "nvidia-nemotron-open-model-license"). Open weights under custom terms, like "other".
    return "open-restricted"


def _norm_expr(col: str) -> pl.Expr:
    s = pl.col(col).str.strip_chars().str.to_lowercase()
    # list rendered as a string: "['mit', 'apache-2.0']" -> first element
    s = (
        pl.when(s.str.starts_with("["))
        .then(s.str.extract(r"""^\[\s*['"]?([^'",\]]*)""", 1))
        .otherwise(s)
        .str.strip_chars(" '\"")
    )
    s = s.str.replace(r"^license:", "")
    s = s.replace(ALIASES)
    return pl.when(s.is_null() | (s == "")).then(None).otherwise(s)


def normalize_expr(frame: pl.LazyFrame, col: str = "license_raw") -> pl.LazyFrame:
    return frame.select(_norm_expr(col).alias("license"))


def add_license_columns(models: pl.DataFrame, raw_col: str = "license_raw") -> pl.DataFrame:
    """Adds license (normalized id) and license_tier. Vectorized; the tier map is joined per distinct id."""
    if raw_col not in models.columns:
        models = models.with_columns(pl.lit(None, pl.String).alias(raw_col))
    col = models.get_column(raw_col)
    if col.dtype == pl.List(pl.String):
        col = col.list.first()
    out = models.with_columns(col.cast(pl.String).alias("_lic_raw")).with_columns(
        _norm_expr("_lic_raw").alias("license")
    )
    distinct = out.select(pl.col("license").unique())
    tiers = distinct.with_columns(
        pl.col("license").map_elements(license_tier, return_dtype=pl.String, skip_nulls=False).alias("license_tier")
    )
    return out.drop("_lic_raw").join(tiers, on="license", how="left", nulls_equal=True, maintain_order="left")
