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
from tests.app_helpers import bounds, pct

pytest_plugins = ["tests.app_fixtures"]  # the app and sql fixtures

MIN_MODELS = 100  # dashboard/cohort.py MIN_MODELS, restated: the rule is tested, not imported


def headline(at: AppTest) -> str:
    """The sentence: the first text of the container keyed 'headline' (.st-key-headline in the browser)."""
    (block,) = [b for b in at.main.children.values() if str(getattr(b.proto, "id", "")).endswith("-headline")]
    return block.get("markdown")[0].value


def chart_rows(at: AppTest) -> list[dict]:
    """The rows of the page's first Altair chart (the share-over-time chart)."""
    el = at.get("vega_lite_chart")[0]
    spec = json.loads(el.proto.spec)
    rows = [r for rows in spec.get("datasets", {}).values() for r in rows]
    for ds in el.proto.datasets:
        rows += pa.ipc.open_stream(ds.data.data).read_all().to_pylist()
    return rows


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
    need = max(MIN_MODELS, 0.5 * statistics.median(len(v) for v in by_date.values()))
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
    assert [m.label for m in block.get("metric")] == ["SLM share · models", "SLM share · 30-day downloads"]


DAILY_DAYS = [dt.date(2026, 7, 1) + dt.timedelta(days=k) for k in range(6)]


def _all_time(i: int, k: int) -> int:
    """The synthetic all-time counter of model i on day k (model 3's counter goes down on day 4)."""
    return 1000 * (i + 1) + 10 * k * (i + 1) - (500 if (i, k) == (3, 4) else 0)


def _missing(i: int, k: int) -> bool:
    return i % 50 == 7 and k == 3  # three models skip a day, so they are not in the fixed cohort


@pytest.fixture(scope="module")
def daily_db(fixture_db: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """The fixture DB plus a series "synthetic-daily" of all-time counts for 150 language models over 6 days, and the
    daily_downloads view (sql/daily_downloads.sql) — the shape HUBSTATS's daily series has."""
    import shutil

    import polars as pl

    from pipeline.database import load_sql, run_derived

    db = tmp_path_factory.mktemp("daily") / "daily.duckdb"
    shutil.copy(fixture_db, db)
    db.chmod(0o644)
    with duckdb.connect(str(db)) as con:
        ids = [r[0] for r in con.execute("SELECT model_id FROM models WHERE is_language_model ORDER BY model_id "
                                         "LIMIT 150").fetchall()]  # fmt: skip
        rows = [{"model_id": m, "snapshot_date": d, "series": "synthetic-daily", "downloads_all_time": _all_time(i, k)}
                for i, m in enumerate(ids) for k, d in enumerate(DAILY_DAYS) if not _missing(i, k)]  # fmt: skip
        frame = pl.DataFrame(rows)
        kind = con.execute("SELECT table_type FROM information_schema.tables WHERE table_name = 'model_snapshots' "
                           "AND table_schema = 'main'").fetchall()  # fmt: skip
        if kind and kind[0][0] == "BASE TABLE":
            con.execute("INSERT INTO model_snapshots (model_id, snapshot_at, snapshot_date, run_id, series, "
                        "downloads_all_time) SELECT model_id, snapshot_date::TIMESTAMP, snapshot_date, 1, series, "
                        "downloads_all_time FROM frame")  # fmt: skip
        else:  # delta-encoded history: writes go through its module
            from pipeline.store.history import add_recorded_history

            add_recorded_history(con, 1, frame)
        con.execute(load_sql("daily_downloads"))
        run_derived(con, "rollups")
        con.execute("CHECKPOINT")
    return db, ids


def test_daily_downloads_are_the_default_measure(daily_db: tuple[Path, list[str]],
                                                monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    db, ids = daily_db
    monkeypatch.setenv("HUBSCOPE_DB", str(db))
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60).run()
    at.selectbox(key="series").select("synthetic-daily").run()
    assert not at.exception, [e.value for e in at.exception]
    # expected, by hand: the counter's change per day, 0 when it went down; cohort = models with a figure every date
    with duckdb.connect(str(db), read_only=True) as con:
        size = dict(con.execute("SELECT model_id, params_total FROM models").fetchall())
    per_day: dict[tuple[int, dt.date], float] = {}
    for i in range(len(ids)):
        days = [k for k in range(len(DAILY_DAYS)) if not _missing(i, k)]
        for prev, k in zip(days, days[1:], strict=False):
            per_day[(i, DAILY_DAYS[k])] = max(_all_time(i, k) - _all_time(i, prev), 0) / (k - prev)
    dates = DAILY_DAYS[1:]
    cohort = [i for i in range(len(ids)) if all((i, d) in per_day for d in dates) and size[ids[i]] is not None]
    expected = {}
    for d in dates:
        for cls in ("SLM", "LLM"):
            members = [i for i in cohort if (size[ids[i]] < 10e9) == (cls == "SLM")]
            expected[(str(d), cls)] = (len(members), sum(per_day[(i, d)] for i in members))
    rows = chart_rows(at)
    got = {(str(r["snapshot_date"])[:10], r["cls"]): (r["models"], r["downloads_per_day"]) for r in rows}
    assert got.keys() == expected.keys()
    for key, (n, dl) in expected.items():
        assert got[key][0] == n and got[key][1] == pytest.approx(dl), key
    assert "downloads per day" in headline(at)
    assert not [r for r in at.radio if r.label == "Measure"], "this series has no 30-day counts to offer"


def test_without_daily_downloads_the_30_day_count_is_used(app: AppTest) -> None:
    """The catalog series has no all-time counts: no measure choice, the 30-day count, and no error."""
    assert not [r for r in app.radio if r.label == "Measure"]
    assert "SLM share of 30-day downloads" in headline(app)
