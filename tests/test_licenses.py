"""Licence normalization and tiers."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.enrich.licenses import (
    TIER_TABLE,
    TIERS,
    add_license_columns,
    license_tier,
    normalize_license,
    spdx_categories,
)


@pytest.mark.parametrize(
    ("raw", "norm"),
    [
        ("apache-2.0", "apache-2.0"),
        ("Apache 2.0", "apache-2.0"),
        (" MIT License ", "mit"),
        ("MIT", "mit"),
        ("llama3.1", "llama3.1"),
        ("Llama-3.1", "llama3.1"),
        ("gemma", "gemma"),
        ("openrail++", "openrail++"),
        ("cc-by-nc-4.0", "cc-by-nc-4.0"),
        ("other", "other"),
        ("license:mit", "mit"),
        ("['apache-2.0', 'mit']", "apache-2.0"),  # a list rendered as a string: first entry
        ('["cc-by-nc-4.0"]', "cc-by-nc-4.0"),
        ("", None),
        (None, None),
        ("[]", None),
    ],
)
def test_normalize(raw: str | None, norm: str | None) -> None:
    assert normalize_license(raw) == norm


@pytest.mark.parametrize(
    ("lic", "tier"),
    [
        ("apache-2.0", "permissive"),
        ("mit", "permissive"),
        ("bsd-3-clause", "permissive"),
        ("cc0-1.0", "permissive"),
        ("gpl-3.0", "copyleft"),
        ("agpl-3.0", "copyleft"),
        ("cc-by-sa-4.0", "copyleft"),
        ("llama2", "open-restricted"),
        ("llama3.1", "open-restricted"),
        ("gemma", "open-restricted"),
        ("openrail", "open-restricted"),
        ("openrail++", "open-restricted"),
        ("creativeml-openrail-m", "open-restricted"),
        ("other", "open-restricted"),
        ("kimi-k3", "open-restricted"),
        ("cc-by-nc-4.0", "non-commercial"),
        ("cc-by-nc-sa-4.0", "non-commercial"),
        ("qwen-research", "non-commercial"),
        ("unknown", "unknown"),
        (None, "unknown"),
    ],
)
def test_tiers(lic: str | None, tier: str) -> None:
    assert license_tier(lic) == tier


def test_spdx_fallback_uses_package_data() -> None:
    cats = spdx_categories()
    assert cats["apache-2.0"] == "Permissive" and cats["gpl-3.0"] == "Copyleft"
    # ids not in the hand table come from the ScanCode categories
    assert license_tier("zlib") == "permissive"
    assert license_tier("0bsd") == "permissive" and "0bsd" not in TIER_TABLE
    assert license_tier("eupl-1.2") == "copyleft"


def test_tier_table_values_are_tiers() -> None:
    assert set(TIER_TABLE.values()) <= set(TIERS)


def test_vectorized_frame() -> None:
    df = pl.DataFrame({"model_id": ["a", "b", "c", "d"], "license_raw": ["Apache 2.0", None, "['gemma']", "weird-x"]})
    out = add_license_columns(df)
    assert out["license"].to_list() == ["apache-2.0", None, "gemma", "weird-x"]
    assert out["license_tier"].to_list() == ["permissive", "unknown", "open-restricted", "open-restricted"]
    assert out["model_id"].to_list() == ["a", "b", "c", "d"]
