"""Shared by the dashboard's AppTest modules (test_app.py, test_app_views.py): page paths, readers for metrics and
chart data, a writable DB copy. Their fixtures (`app`, `sql`) are in tests/app_fixtures.py."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from pipeline.paths import REPO_ROOT

PAGES = ["overview", "market_size", "trends", "sizes", "openness", "organisations", "domains", "lineage",
         "explorer", "data", "validation"]  # fmt: skip
if (REPO_ROOT / "dashboard" / "pages" / "claims.py").exists():  # ANSWER's page, registered in app.py once it exists
    PAGES.append("claims")
LM_SCOPE = "is_language_model"


def page(name: str) -> str:
    return f"dashboard/pages/{name}.py"


def metric(at: AppTest, label: str) -> str:
    for m in at.metric:
        if m.label == label:
            return m.value
    raise AssertionError(f"no metric {label!r}: {[m.label for m in at.metric]}")


def pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def datasets(at: AppTest) -> list[list[dict]]:
    """The data of every Altair chart on the page, in page order (one list of rows per chart). Streamlit moves
    the spec's inline `datasets` into Arrow-encoded protos; anything left inline in the spec is read too."""
    out = []
    for el in at.get("vega_lite_chart"):
        spec = json.loads(el.proto.spec)
        rows = [r for rows in spec.get("datasets", {}).values() for r in rows]
        for ds in el.proto.datasets:
            rows += pa.ipc.open_stream(ds.data.data).read_all().to_pylist()
        out.append(rows)
    return out


def bounds(sql, threshold: float, scope: str = "language") -> dict[str, float]:  # noqa: ANN001
    """Point shares (unknown sizes excluded) and the unknown-size bounds, from `models` alone."""
    where = LM_SCOPE if scope == "language" else "true"
    (n, s, l_, u, sd, ld, ud), = sql(
        f"""SELECT count(*), count(*) FILTER (WHERE params_total < $1), count(*) FILTER (WHERE params_total >= $1),
                   count(*) FILTER (WHERE params_total IS NULL),
                   COALESCE(sum(downloads_30d) FILTER (WHERE params_total < $1), 0),
                   COALESCE(sum(downloads_30d) FILTER (WHERE params_total >= $1), 0),
                   COALESCE(sum(downloads_30d) FILTER (WHERE params_total IS NULL), 0)
            FROM models WHERE {where}""",
        [threshold],
    )  # fmt: skip
    total_dl = sd + ld + ud
    return {"models": n, "unknown": u, "m": s / (s + l_), "m_low": s / n, "m_high": (s + u) / n,
            "d": sd / (sd + ld), "d_low": sd / total_dl, "d_high": (sd + ud) / total_dl}  # fmt: skip


def shares(sql, threshold: float, unknown: str = "exclude") -> tuple[str, str]:  # noqa: ANN001
    """SLM share of language models by count and by 30-day downloads, computed straight from `models`: unknown
    sizes left out, or all counted small (the high bound) or all large (the low bound)."""
    b = bounds(sql, threshold)
    end = {"exclude": "", "small": "_high", "large": "_low"}[unknown]
    return pct(b[f"m{end}"]), pct(b[f"d{end}"])


def writable_copy(fixture_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the fixture DB the test may change, served to the app."""
    db = tmp_path / "hub.duckdb"
    shutil.copy(fixture_db, db)
    os.chmod(db, 0o644)
    monkeypatch.setenv("HUBSCOPE_DB", str(db))
    return db
