"""The Overview's headline answer and the fixed-cohort share charts (issue 13 items 1-2), on the fixture DB.

Every expectation is computed here with independent SQL straight on `models` and `model_snapshots` (never through
the page code, the rollups, the hs_* macros or the cohort SQL files); the cohort rules are re-implemented in Python."""

from __future__ import annotations

import datetime as dt
import json
import statistics
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from pipeline.paths import REPO_ROOT

MIN_MODELS = 100  # dashboard/cohort.py MIN_MODELS, restated: the rule is tested, not imported


@pytest.fixture
def app(fixture_db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("HUBSCOPE_DB", str(fixture_db))
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture(scope="module")
def sql(fixture_db: Path):  # noqa: ANN201
    con = duckdb.connect(str(fixture_db), read_only=True)
    yield lambda q, params=None: con.execute(q, params or []).fetchall()
    con.close()


def pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def headline(at: AppTest) -> str:
    (block,) = [m.value for m in at.markdown if m.value.startswith("#### ")]
    return block[5:]


def chart_rows(at: AppTest) -> list[dict]:
    """The rows of the page's first Altair chart (the share-over-time chart)."""
    el = at.get("vega_lite_chart")[0]
    spec = json.loads(el.proto.spec)
    rows = [r for rows in spec.get("datasets", {}).values() for r in rows]
    for ds in el.proto.datasets:
        rows += pa.ipc.open_stream(ds.data.data).read_all().to_pylist()
    return rows


def bounds(sql, threshold: float, scope: str = "language") -> dict[str, float]:  # noqa: ANN001
    """Point shares (unknown sizes excluded) and the unknown-size bounds, from `models` alone."""
    where = "is_language_model" if scope == "language" else "true"
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


def expected_share(point: float, low: float, high: float) -> str:
    return f"between {pct(low)} and {pct(high)}" if high - low > 0.10 else f"{pct(point)} ({pct(low)}–{pct(high)})"


def presence(sql, series: str = "catalog") -> dict[dt.date, set[str]]:  # noqa: ANN001
    rows = sql("SELECT s.snapshot_date, s.model_id FROM model_snapshots s JOIN models m USING (model_id) "
               "WHERE s.series = $1 AND m.is_language_model", [series])  # fmt: skip
    out: dict[dt.date, set[str]] = {}
    for d, m in rows:
        out.setdefault(d, set()).add(m)
    return out


def non_thin(by_date: dict[dt.date, set[str]]) -> list[dt.date]:
    cut = max(MIN_MODELS, 0.25 * statistics.median(len(v) for v in by_date.values()))
    return sorted(d for d, v in by_date.items() if len(v) >= cut)


def cohort_from(by_date: dict[dt.date, set[str]], ok: list[dt.date], start: dt.date) -> set[str]:
    models = set(by_date[start])
    for d in ok:
        if d >= start:
            models &= by_date[d]
    return models


def shares_on(sql, models: set[str], day: dt.date, threshold: float = 10e9) -> tuple[float, dict]:  # noqa: ANN001
    """SLM share of 30-day downloads on `day` over `models` (sized ones), and per-class (models, downloads)."""
    rows = sql(
        """SELECT CASE WHEN m.params_total < $3 THEN 'SLM' ELSE 'LLM' END, count(*), COALESCE(sum(s.downloads_30d), 0)
           FROM model_snapshots s JOIN models m USING (model_id)
           WHERE s.series = 'catalog' AND s.snapshot_date = $1 AND list_contains($2, s.model_id)
             AND m.params_total IS NOT NULL GROUP BY 1""",
        [day, sorted(models), threshold],
    )  # fmt: skip
    per = {c: (n, dl) for c, n, dl in rows}
    total = sum(dl for _, dl in per.values())
    return (per.get("SLM", (0, 0))[1] / total if total else 0.0), per


@pytest.mark.parametrize(("label", "threshold"), [("3B", 3e9), ("10B", 10e9), ("70B", 70e9)])
def test_headline_numbers_equal_sql(app: AppTest, sql, label: str, threshold: float) -> None:  # noqa: ANN001
    app.select_slider(key="threshold").set_value(label).run()
    assert not app.exception
    text = headline(app)
    b = bounds(sql, threshold)
    assert f"under {label} parameters" in text
    assert f"{expected_share(b['m'], b['m_low'], b['m_high'])} of the {b['models']:,} language models" in text
    assert f"{expected_share(b['d'], b['d_low'], b['d_high'])} of their 30-day downloads" in text
    assert "selection" in text and "not the whole Hub" in text and "5 Oct 2026" in text
    # the copy affordance carries the same sentence
    assert any(text in c.value for c in app.code)


@pytest.mark.parametrize("unknown", ["small", "large"])
def test_headline_range_is_the_unknown_size_bounds(app: AppTest, sql, unknown: str) -> None:  # noqa: ANN001
    """Counting every unknown-size model small (large) puts the point figure on the high (low) bound."""
    app.radio(key="unknown").set_value(unknown).run()
    b = bounds(sql, 10e9)
    assert b["unknown"] > 0, "the fixture must hold models of unknown size"
    end = "high" if unknown == "small" else "low"
    text = headline(app)
    for key in ("m", "d"):
        lo, hi = b[f"{key}_low"], b[f"{key}_high"]
        assert expected_share(b[f"{key}_{end}"], lo, hi) in text


def test_wide_range_is_said_not_hidden(app: AppTest, sql) -> None:  # noqa: ANN001
    app.radio(key="scope").set_value("all").run()
    app.select_slider(key="threshold").set_value("3B").run()
    b = bounds(sql, 3e9, scope="all")
    assert b["d_high"] - b["d_low"] > 0.10, "fixture: in all-models scope unknown sizes hold many downloads"
    text = headline(app)
    assert f"between {pct(b['d_low'])} and {pct(b['d_high'])} of their 30-day downloads" in text
    assert "too wide a range for one figure" in text


def test_headline_move_is_a_fixed_cohort_over_the_last_period(app: AppTest, sql) -> None:  # noqa: ANN001
    by_date = presence(sql)
    ok = non_thin(by_date)
    last = ok[-1]
    start = max((d for d in ok if d <= last - dt.timedelta(days=30)), default=ok[0])
    models = cohort_from(by_date, ok, start)
    a, _ = shares_on(sql, models, start)
    b, _ = shares_on(sql, models, last)
    text = headline(app)
    span = f"from {start.day} {start:%b %Y} to {last.day} {last:%b %Y}"
    assert f"fixed cohort of {len(models):,} models recorded on every date {span}" in text
    assert f"from {pct(a)} to {pct(b)}" in text


def test_cohort_chart_equals_an_independent_cohort_query(app: AppTest, sql) -> None:  # noqa: ANN001
    by_date = presence(sql)
    ok = non_thin(by_date)
    need = max(MIN_MODELS, 0.05 * len(by_date[ok[-1]]))
    start = min(d for d in ok if len(cohort_from(by_date, ok, d)) >= need)
    models = cohort_from(by_date, ok, start)
    expected = {}
    for d in (d for d in ok if d >= start):
        for cls, (n, dl) in shares_on(sql, models, d)[1].items():
            expected[(str(d), cls)] = (n, dl)
    got = {(str(r["snapshot_date"])[:10], r["cls"]): (r["models"], r["downloads_30d"]) for r in chart_rows(app)}
    assert got == expected
    assert {r["date_models"] for r in chart_rows(app)} == {len(models)}  # one population on every date


def test_all_models_population_is_every_date(app: AppTest, sql) -> None:  # noqa: ANN001
    """The alternative: all models recorded on each date, every date drawn, thin ones flagged."""
    app.radio(key="overview_population").set_value("all").run()
    assert not app.exception
    expected = {
        (str(d), c): (n, dl)
        for d, c, n, dl in sql(
            """SELECT s.snapshot_date, CASE WHEN m.params_total < 10e9 THEN 'SLM' ELSE 'LLM' END, count(*),
                      COALESCE(sum(s.downloads_30d), 0)
               FROM model_snapshots s JOIN models m USING (model_id)
               WHERE s.series = 'catalog' AND m.is_language_model AND m.params_total IS NOT NULL GROUP BY ALL"""
        )
    }  # fmt: skip
    rows = chart_rows(app)
    assert {(str(r["snapshot_date"])[:10], r["cls"]): (r["models"], r["downloads_30d"]) for r in rows} == expected
    thin = {str(d) for d in set(presence(sql)) - set(non_thin(presence(sql)))}
    assert {str(r["snapshot_date"])[:10] for r in rows if r["thin"]} == thin


def test_a_handful_of_models_is_not_a_market_share(app: AppTest) -> None:
    app.selectbox(key="series").select("trending-top10").run()
    assert not app.exception
    assert any(i.value.startswith("No market share") for i in app.info)
    assert "can't be told" in headline(app)
    app.switch_page("dashboard/pages/trends.py").run()
    assert any(i.value.startswith("No market share") for i in app.info)


def test_headline_comes_first(app: AppTest) -> None:
    """On every screen size the sentence, then the two share tiles, come before anything else in the page."""
    children = list(app.main.children.values())
    assert children[0].type == "title"
    block = children[1]
    assert block.proto.id.endswith("-headline"), "the headline container (.st-key-headline) comes right after the title"
    assert headline(app) in [m.value[5:] for m in block.get("markdown")]
    assert [m.label for m in block.get("metric")] == ["SLM share · models", "SLM share · 30-day downloads"]
