"""AppTest for what a reader sees (issues 9 and 13): Hub strings shown as text, the Data page after failed and killed
runs, nested SQL-box results, URL notices, test/CI repos out of rankings, the DB's config driving defaults and
colours, words in tooltips and axes, chart data equal to independent SQL on the fixture DB."""

from __future__ import annotations

import csv as csv_module
import json
import os
import re
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.charts import LLM_SHADES, SLM_SHADES
from pipeline.paths import REPO_ROOT
from tests.app_helpers import LM_SCOPE, datasets, page, writable_copy

pytest_plugins = ["tests.app_fixtures"]  # the app and sql fixtures


def _markdown_sources(at: AppTest) -> list[str]:
    """The raw markdown of every text element that renders markdown (captions, markdown, notices)."""
    return [e.value for kind in ("caption", "markdown", "info", "warning", "error") for e in getattr(at, kind)]


EVIL_AUTHOR = "[click](https://evil.example) ![p](https://evil.example/p.png) <b>x</b>"


def test_hub_strings_render_as_text_in_captions(fixture_db: Path, tmp_path: Path, sql,  # noqa: ANN001
                                                monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """An author with markdown/HTML, picked in the sidebar, is shown literally: in every caption it is escaped
    (no link, no image, no tag), and the Explorer's table holds it as plain text."""
    db = writable_copy(fixture_db, tmp_path, monkeypatch)
    (top,) = sql(f"SELECT model_id FROM models WHERE {LM_SCOPE} ORDER BY downloads_30d DESC NULLS LAST LIMIT 1")[0]
    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE models SET author = $a WHERE model_id = $m", {"a": EVIL_AUTHOR, "m": top})
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60).run()
    at.multiselect(key="org").select(EVIL_AUTHOR).run()
    for name in ("explorer", "organisations", "lineage", "market_size", "sizes"):
        at.switch_page(page(name)).run()
        assert not at.exception, (name, [e.value for e in at.exception])
        sources = _markdown_sources(at)
        assert not [s for s in sources if "[click](" in s or "![p](" in s or "<b>" in s], name
    at.switch_page(page("explorer")).run()
    assert any(r"\[click\]\(https\:" in s for s in _markdown_sources(at)), "the filter line names the author"
    (table,) = at.dataframe
    assert list(table.value["author"]) == [EVIL_AUTHOR]


def _journal_failed_and_killed(db: Path) -> None:
    """What a refresh that failed and one killed with -9 leave in the journal (ISO text, as the writer logs)."""
    import subprocess

    from pipeline.store import runlog

    dead = subprocess.Popen(["true"])
    dead.wait()
    start = "2026-12-01T10:00:00.123456+00:00"
    runlog.append(db, {"run_id": 2, "started_at": start, "status": "running", "source": "hub: crawl", "is_full": False,
                       "pid": os.getpid()})  # fmt: skip
    runlog.append(db, {"run_id": 2, "status": "failed", "finished_at": "2026-12-01T10:00:05+00:00",
                       "error": "ConnectionError: cannot reach http://127.0.0.1:9"})  # fmt: skip
    runlog.append(db, {"run_id": 3, "started_at": "2026-12-01T11:00:00", "status": "running", "source": "hub: crawl",
                       "is_full": True, "pid": dead.pid})  # fmt: skip


def test_data_page_renders_after_failed_and_killed_refresh(fixture_db: Path, tmp_path: Path, sql,  # noqa: ANN001
                                                           monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    db = writable_copy(fixture_db, tmp_path, monkeypatch)
    _journal_failed_and_killed(db)
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60).run()
    at.switch_page(page("data")).run()
    assert not at.exception, [e.value for e in at.exception]
    runs = next(d.value for d in at.dataframe if "status" in d.value.columns)
    by_id = {int(r): s for r, s in zip(runs["run_id"], runs["status"], strict=True)}
    ok_runs = sql("SELECT count(*) FROM refresh_runs WHERE status = 'ok'")[0][0]
    assert by_id[2] == "failed" and by_id[3] == "killed" and list(by_id.values()).count("ok") == ok_runs
    # one timestamp format for DB runs (datetimes) and journal runs (ISO text with or without an offset)
    assert all(re.fullmatch(r"\d{1,2} \w{3} \d{4} \d\d:\d\d UTC", t) for t in runs["started_at"]), list(
        runs["started_at"]
    )
    assert "1 Dec 2026 10:00 UTC" in list(runs["started_at"])


def test_sql_box_shows_and_exports_nested_values(app: AppTest, sql) -> None:  # noqa: ANN001
    from dashboard import data

    # The SQL box's first query starts safe_sql's worker process (seconds on a loaded 2-core machine): warm it
    # so the 10 s limit below measures the queries, not the start-up.
    assert data.safe_query("SELECT 1", timeout_s=120).error is None
    app.switch_page(page("data")).run()
    for query in ("SELECT * FROM models LIMIT 5",
                  "SELECT [1, 2] AS l, {'a': 1, 'b': 'x'} AS s, map {'k': 2} AS m, INTERVAL 3 DAY AS i"):  # fmt: skip
        app.text_area(key="sql_text").input(query)
        app.button[0].click().run()
        assert not app.exception, (query, [e.value for e in app.exception])
        assert not app.error, (query, [e.value for e in app.error])
    (shown,) = [d.value for d in app.dataframe if list(d.value.columns) == ["l", "s", "m", "i"]]
    assert json.loads(shown["l"][0]) == [1, 2] and json.loads(shown["s"][0]) == {"a": 1, "b": "x"}
    outcome = data.safe_query(
        "SELECT tags, [1, 2] AS l FROM models WHERE len(tags) > 1 ORDER BY model_id LIMIT 300", timeout_s=120
    )
    assert outcome.error is None, outcome.error
    csv = data.csv_bytes(outcome.frame).decode()
    expected = sql("SELECT to_json(tags) FROM models WHERE len(tags) > 1 ORDER BY model_id LIMIT 1")
    assert (
        csv.splitlines()[0] == "tags,l" and len(list(csv_module.reader(csv.splitlines()))) == 1 + outcome.frame.height
    )
    first = next(csv_module.reader(csv.splitlines()[1:2]))
    assert json.loads(first[0]) == json.loads(expected[0][0]) and json.loads(first[1]) == [1, 2]
    # the result is cut to a byte budget before it reaches st.dataframe / the CSV, and the page says so
    small = data.safe_query("SELECT repeat('x', 1000) AS s FROM range(5000)", max_bytes=100_000, timeout_s=120)
    assert small.error is None and small.cut_bytes and 0 < small.frame.height < 5000
    assert small.frame.estimated_size() <= 100_000


def test_bad_url_values_give_a_notice(fixture_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUBSCOPE_DB", str(fixture_db))
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60)
    at.query_params.update({"scope": "all", "threshold": "0.1B", "window": "forever"})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    (notice,) = [i.value for i in at.info if i.value.startswith("Link settings")]
    assert "scope=all read as All models" in notice and "threshold=0.1B read as 100M" in notice
    assert "window=forever is not one of" in notice
    assert at.select_slider(key="threshold").value == "100M" and at.radio(key="scope").value == "all"
    assert at.selectbox(key="window").value == "all"
    assert not [w.value for w in at.warning if "Session State" in w.value], "no widget-default warning"


TEST_PATTERN = r"(^|/)[a-z0-9-]*internal-testing/|tiny-random|(^|[/_-])(dummy|debug)([_-]|$)"


def _test_repo_rule(sql) -> str:  # noqa: ANN001
    """The flag the enrichment writes when the DB has it, else the dashboard's id patterns."""
    cols = {c for (c,) in sql("SELECT column_name FROM duckdb_columns() WHERE table_name = 'models'")}
    return "is_test_repo" if "is_test_repo" in cols else f"regexp_matches(lower(model_id), '{TEST_PATTERN}')"


def test_explorer_leaves_test_repos_out_by_default(app: AppTest, sql) -> None:  # noqa: ANN001
    tests = {m for (m,) in sql(f"SELECT model_id FROM models WHERE {LM_SCOPE} AND {_test_repo_rule(sql)}")}
    assert tests, "the fixture should hold a test/CI repo"
    app.switch_page(page("explorer")).run()
    shown = set(app.dataframe[0].value["model_id"])
    assert not shown & tests
    app.toggle(key="explorer_tests").set_value(True).run()
    assert tests <= set(app.dataframe[0].value["model_id"]) | tests  # capped table: present when in range
    assert int(app.dataframe[0].value.shape[0]) == min(5000, len(shown) + len(tests))


def test_config_tables_drive_default_and_band_colours(fixture_db: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """A DB built with a 7B boundary and other bands: the sidebar default, the sensitivity curve's 'default' mark
    and the band chart's order and colours follow the DB, not config/hubscope.toml or a constant."""
    db = writable_copy(fixture_db, tmp_path, monkeypatch)
    bands = [("<2B", 2e9), ("2-7B", 7e9), ("7-40B", 40e9), (">40B", None)]
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE OR REPLACE TABLE config_classes AS SELECT 7e9::DOUBLE AS slm_max_params")
        con.execute("CREATE OR REPLACE TABLE config_bands (band_order INTEGER, label VARCHAR, upper DOUBLE)")
        con.executemany("INSERT INTO config_bands VALUES (?, ?, ?)", [(i, b, u) for i, (b, u) in enumerate(bands)])
        con.execute("UPDATE schema_info SET value = '7000000000' WHERE key = 'slm_max_params'")
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60).run()
    assert at.select_slider(key="threshold").value == "7B"
    at.switch_page(page("market_size")).run()
    assert not at.exception, [e.value for e in at.exception]
    curve = next(rows for rows in datasets(at) if any("measure" in r and "threshold" in r for r in rows))
    marks = [r for r in curve if "label" in r]
    assert {r["label"]: r["threshold"] for r in marks} == {"default (as built)": 7e9}
    specs = [json.loads(el.proto.spec) for el in at.get("vega_lite_chart")]
    scale = next(s["encoding"]["color"]["scale"] for s in specs
                 if s.get("encoding", {}).get("color", {}).get("field") == "size_band")  # fmt: skip
    assert scale["domain"] == ["<2B", "2-7B", "7-40B", ">40B", "unknown"]
    greens, oranges = set(SLM_SHADES), set(LLM_SHADES)
    assert [c in greens for c in scale["range"][:4]] == [True, True, False, False]
    assert all(c in oranges for c in scale["range"][2:4])
    at.select_slider(key="threshold").set_value("40B").run()
    at.switch_page(page("market_size")).run()
    specs = [json.loads(el.proto.spec) for el in at.get("vega_lite_chart")]
    scale = next(s["encoding"]["color"]["scale"] for s in specs
                 if s.get("encoding", {}).get("color", {}).get("field") == "size_band")  # fmt: skip
    assert [c in greens for c in scale["range"][:4]] == [True, True, True, False]


RAW = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$|^cls$")  # snake_case: a column name as the DB spells it
# claims draws no chart (a table and metrics only), so it has no tooltip or axis to check
MY_PAGES = ["overview", "trends", "market_size", "sizes", "openness", "organisations", "domains", "lineage", "data"]


def _titles(node: object, out: list[str]) -> list[str]:
    """Every tooltip field's and axis's shown title in a Vega-Lite spec (the title, else the field name)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "tooltip":
                for tip in value if isinstance(value, list) else [value]:
                    if isinstance(tip, dict) and "field" in tip:
                        out.append(tip.get("title") or tip["field"])
            elif key in ("x", "y") and isinstance(value, dict) and "field" in value and "title" in value:
                out.append(value["title"] or "")
            _titles(value, out)
    elif isinstance(node, list):
        for item in node:
            _titles(item, out)
    return out


@pytest.mark.parametrize("name", MY_PAGES)
def test_tooltips_and_axes_say_words(app: AppTest, name: str) -> None:
    """No tooltip field or axis is titled with a raw column name (`cls`, `downloads_30d`, `share_…`)."""
    app.switch_page(page(name)).run()
    if app.get("toggle") and name == "lineage":
        app.toggle(key="lineage_show").set_value(True).run()
    titles = [t for el in app.get("vega_lite_chart") for t in _titles(json.loads(el.proto.spec), [])]
    assert titles, name
    assert [t for t in titles if RAW.match(t)] == [], name


def test_organisations_panels_share_one_scale_and_match_sql(app: AppTest, sql) -> None:  # noqa: ANN001
    app.switch_page(page("organisations")).run()
    specs = [json.loads(el.proto.spec) for el in app.get("vega_lite_chart")][:2]
    rule = _test_repo_rule(sql)
    expected = {}
    for cls, cond in (("SLM", "params_total < 10e9"), ("LLM", "params_total >= 10e9")):
        expected[cls] = sql(f"""SELECT author, sum(downloads_30d)::BIGINT FROM models
                                WHERE {LM_SCOPE} AND {cond} AND NOT {rule}
                                GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 15""")  # fmt: skip
    top = max(d for rows in expected.values() for _, d in rows)
    assert [s["encoding"]["x"]["scale"]["domain"] for s in specs] == [[0, top], [0, top]]
    charts = datasets(app)[:2]
    for rows, cls in zip(charts, ("SLM", "LLM"), strict=True):
        assert [(r["author"], r["downloads_30d"]) for r in rows] == [tuple(e) for e in expected[cls]]
        assert all(r["downloads_30d_text"].endswith(("k", "M", "B")) or r["downloads_30d"] < 1000 for r in rows)


def test_gated_share_is_among_recorded_and_matches_sql(app: AppTest, sql) -> None:  # noqa: ANN001
    app.switch_page(page("openness")).run()
    rows = next(r for r in datasets(app) if r and "gated" in r[0])
    got = {(r["cls"], r["gated"]): r["share_recorded"] for r in rows}
    expected = sql(f"""SELECT CASE WHEN params_total < 10e9 THEN 'SLM' ELSE 'LLM' END AS cls, gated,
                              count(*) / sum(count(*)) OVER (PARTITION BY cls)
                       FROM models WHERE {LM_SCOPE} AND params_total IS NOT NULL AND gated IS NOT NULL
                       GROUP BY 1, 2""")  # fmt: skip
    assert got == pytest.approx({(c, g): s for c, g, s in expected})
    assert "not recorded" not in {g for _, g in got}


def test_page_icon_is_local_and_banner_says_the_scope_once(fixture_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The tab icon is an emoji (no icon font fetched from a CDN); the scope box says the selection sentence once."""
    import ast

    tree = ast.parse((REPO_ROOT / "app.py").read_text())
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)]
    (call,) = [n for n in calls if n.func.attr == "set_page_config"]
    icon = next(k.value.value for k in call.keywords if k.arg == "page_icon")
    assert not icon.startswith((":", "http")) and len(icon) <= 2, icon
    monkeypatch.setenv("HUBSCOPE_DB", str(fixture_db))

    def banner_page() -> None:
        from dashboard import scope

        scope.banner()
        scope.caveat()

    at = AppTest.from_function(banner_page, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    (box,) = [w.value for w in at.warning] or [i.value for i in at.info]
    assert box.count("not the whole Hub") <= 1 and box.count("What this data covers") == 1
    (line,) = [c.value for c in at.caption]
    assert "Data as of" in line and "rebuilt" in line


def test_trends_flag_the_partial_month(app: AppTest, sql) -> None:  # noqa: ANN001
    """The month the data stops in (5 Oct 2026 → Oct 2026) is flagged, faded and named on releases and median size."""
    ((as_of,),) = sql("SELECT max(snapshot_date) FROM model_snapshots")
    app.switch_page(page("trends")).run()
    assert not app.exception
    name = f"{as_of:%b %Y}"
    specs = [json.loads(el.proto.spec) for el in app.get("vega_lite_chart")]
    monthly = [(s, [r for r in rows if "partial" in r]) for s, rows in zip(specs, datasets(app), strict=True)]
    monthly = [(s, rows) for s, rows in monthly if rows]
    assert len(monthly) == 2  # releases per month, median size
    for spec, rows in monthly:
        assert f"({name} is partial)" in json.dumps(spec)
        assert {r["month"] for r in rows if r["partial"]} == {as_of.replace(day=1)}
    assert any(f"{name} is partial" in c.value.replace("\\", "") for c in app.caption)


def test_a_window_of_n_months_spans_n_calendar_months() -> None:
    import datetime as dt

    from dashboard.state import _months_before

    assert _months_before(dt.date(2026, 10, 5), 3) == dt.date(2026, 8, 1)
    assert _months_before(dt.date(2026, 10, 5), 12) == dt.date(2025, 11, 1)
    assert _months_before(dt.date(2026, 1, 31), 1) == dt.date(2026, 1, 1)
