"""AppTest for every dashboard page, against the fixture DB built through the real pipeline.

Expectations are computed here with independent SQL straight on the DB tables (never through the page code,
the rollups or the hs_* macros)."""

from __future__ import annotations

import csv as csv_module
import json
import os
import re
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.charts import LLM_SHADES, SLM_SHADES
from pipeline.paths import REPO_ROOT

PAGES = ["overview", "market_size", "trends", "sizes", "openness", "organisations", "domains", "lineage",
         "explorer", "data", "validation"]  # fmt: skip
LM_SCOPE = "is_language_model"


def page(name: str) -> str:
    return f"dashboard/pages/{name}.py"


@pytest.fixture
def app(fixture_db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("HUBSCOPE_DB", str(fixture_db))
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture(scope="module")
def sql(fixture_db: Path):  # noqa: ANN201
    con = duckdb.connect(str(fixture_db), read_only=True)
    yield lambda q, params=None: con.execute(q, params or []).fetchall()
    con.close()


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


def shares(sql, threshold: float, unknown: str = "exclude") -> tuple[str, str]:  # noqa: ANN001
    """SLM share of language models by count and by 30-day downloads, computed straight from `models`."""
    (s, l_, u, sd, ld, ud), = sql(
        f"""SELECT count(*) FILTER (WHERE params_total < $1), count(*) FILTER (WHERE params_total >= $1),
                   count(*) FILTER (WHERE params_total IS NULL),
                   COALESCE(sum(downloads_30d) FILTER (WHERE params_total < $1), 0),
                   COALESCE(sum(downloads_30d) FILTER (WHERE params_total >= $1), 0),
                   COALESCE(sum(downloads_30d) FILTER (WHERE params_total IS NULL), 0)
            FROM models WHERE {LM_SCOPE}""",
        [threshold],
    )  # fmt: skip
    if unknown == "small":
        s, sd = s + u, sd + ud
    elif unknown == "large":
        l_, ld = l_ + u, ld + ud
    return pct(s / (s + l_)), pct(sd / (sd + ld))


@pytest.mark.parametrize("name", PAGES)
def test_every_page_renders(app: AppTest, name: str) -> None:
    app.switch_page(page(name)).run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.title, f"{name}: no title"


def test_overview_kpis_match_sql(app: AppTest, sql) -> None:  # noqa: ANN001
    ((models, lms),) = sql("SELECT count(*), count(*) FILTER (WHERE is_language_model) FROM models")
    assert metric(app, "Models tracked") == f"{models:,}"
    assert metric(app, "Language models") == f"{lms:,}"
    assert metric(app, "Models in view") == f"{lms:,}"
    by_count, by_downloads = shares(sql, 10e9)
    assert metric(app, "SLM share · models") == by_count
    assert metric(app, "SLM share · 30-day downloads") == by_downloads
    assert any("selection" in w.value for w in app.warning), "the Overview must say the data is a selection"


def test_overview_headline_chart_matches_sql(app: AppTest, sql) -> None:  # noqa: ANN001
    expected = {
        (str(d), c): (n, dl)
        for d, c, n, dl in sql(
            f"""SELECT s.snapshot_date, CASE WHEN m.params_total < 10e9 THEN 'SLM' ELSE 'LLM' END,
                       count(*), COALESCE(sum(s.downloads_30d), 0)
                FROM model_snapshots s JOIN models m USING (model_id)
                WHERE s.series = 'catalog' AND m.{LM_SCOPE} AND m.params_total IS NOT NULL
                GROUP BY ALL"""
        )
    }  # fmt: skip
    # "All models recorded on each date" in 30-day downloads: the Overview now defaults to a fixed cohort
    # (tests/test_answer.py checks that one); this population must still equal the plain SQL above.
    if app.get("radio") and any(r.key == "overview_measure" for r in app.radio):
        app.radio(key="overview_measure").set_value("30d").run()
    app.radio(key="overview_population").set_value("all").run()
    rows = datasets(app)[0]
    got = {(str(r["snapshot_date"])[:10], r["cls"]): (r["models"], r["downloads_30d"]) for r in rows}
    assert got == expected
    assert len({d for d, _ in got}) == sql("SELECT count(DISTINCT snapshot_date) FROM model_snapshots "
                                           "WHERE series = 'catalog'")[0][0]  # fmt: skip


@pytest.mark.parametrize(("label", "threshold"), [("3B", 3e9), ("1B", 1e9), ("70B", 70e9)])
def test_threshold_moves_share_as_sql_says(app: AppTest, sql, label: str, threshold: float) -> None:  # noqa: ANN001
    before = metric(app, "SLM share · models")
    app.select_slider(key="threshold").set_value(label).run()
    assert not app.exception
    by_count, by_downloads = shares(sql, threshold)
    assert metric(app, "SLM share · models") == by_count
    assert metric(app, "SLM share · 30-day downloads") == by_downloads
    assert by_count != before
    # the setting is kept when switching pages
    app.switch_page(page("market_size")).run()
    assert metric(app, "SLM share · models") == by_count


@pytest.mark.parametrize("unknown", ["small", "large"])
def test_unknown_size_handling(app: AppTest, sql, unknown: str) -> None:  # noqa: ANN001
    app.radio(key="unknown").set_value(unknown).run()
    by_count, by_downloads = shares(sql, 10e9, unknown)
    assert metric(app, "SLM share · models") == by_count
    assert metric(app, "SLM share · 30-day downloads") == by_downloads


def test_sensitivity_curve_matches_sql(app: AppTest, sql) -> None:  # noqa: ANN001
    app.switch_page(page("market_size")).run()
    charts = datasets(app)
    curve = next(rows for rows in charts if any("measure" in r and "threshold" in r for r in rows))
    for t in (0.5e9, 3e9, 10e9, 100e9):
        (s, l_), = sql(f"SELECT count(*) FILTER (WHERE params_total < $1), count(*) FILTER (WHERE params_total >= $1) "
                       f"FROM models WHERE {LM_SCOPE}", [t])  # fmt: skip
        (row,) = [r for r in curve if r["threshold"] == t and r.get("measure") == "of models"]
        assert row["share"] == pytest.approx(s / (s + l_))


def test_rollup_and_raw_paths_agree(fixture_db: Path, sql) -> None:  # noqa: ANN001
    """share_over_time and threshold_sensitivity read the rollups, or the raw rows under an organisation filter:
    with every organisation selected both paths must give identical numbers at every grid threshold."""
    from dashboard.data import DashboardDB

    db = DashboardDB(fixture_db)
    try:
        assert db.rollups_in_file, "the pipeline should have built the rollups (sql/rollups.sql) into the file"
        every_org = [a for (a,) in sql("SELECT DISTINCT author FROM models WHERE author IS NOT NULL")]
        assert sql("SELECT count(*) FROM models WHERE author IS NULL")[0][0] == 0
        for t in [r[0] for r in sql("SELECT threshold FROM rollup_grid")][::4]:
            base = {"threshold": t, "scope": "all", "unknown": "small", "series": "catalog"}
            fast = db.query("share_over_time", base)
            slow = db.query("share_over_time", {**base, "orgs": every_org})
            assert fast.sort("snapshot_date", "cls").equals(slow.sort("snapshot_date", "cls")), t
        base = {"scope": "language", "unknown": "exclude"}
        fast = db.query("threshold_sensitivity", base)
        slow = db.query("threshold_sensitivity", {**base, "orgs": every_org})
        assert fast.equals(slow)
        # movers: the precomputed default span (rollup_movers) vs the same dates from the raw snapshot rows
        ((date_from, date_to),) = sql("SELECT date_from, date_to FROM rollup_movers_span WHERE series = 'catalog'")
        base = {"series": "catalog", "n": 10}
        fast = db.query("movers", base)
        slow = db.query("movers", {**base, "date_from": date_from, "date_to": date_to})
        assert fast.height > 0 and fast.equals(slow)
    finally:
        db.close()


def test_empty_filters_say_no_models_match(app: AppTest, sql) -> None:  # noqa: ANN001
    # a task no language model has: with scope = language models nothing matches
    task = sql(f"SELECT pipeline_tag FROM models WHERE pipeline_tag IS NOT NULL GROUP BY 1 "
               f"HAVING NOT bool_or({LM_SCOPE}) ORDER BY count(*) DESC LIMIT 1")[0][0]  # fmt: skip
    app.multiselect(key="task").select(task).run()
    for name in PAGES:
        app.switch_page(page(name)).run()
        assert not app.exception, (name, [e.value for e in app.exception])
        if name not in ("data", "validation"):  # these two describe the whole DB, not the filtered view
            assert any(i.value.startswith("No ") for i in app.info), name


def test_explorer_search_and_downloads(app: AppTest, sql) -> None:  # noqa: ANN001
    app.switch_page(page("explorer")).run()
    app.toggle(key="explorer_tests").set_value(True).run()  # every match, test/CI repos included
    app.text_input(key="explorer_search").input("qwen").run()
    assert not app.exception
    (table,) = app.dataframe
    frame = table.value
    expected = sql(f"SELECT count(*) FROM models WHERE {LM_SCOPE} AND lower(model_id) LIKE '%qwen%'")[0][0]
    assert len(frame) == expected
    assert all("qwen" in m.lower() for m in frame["model_id"])
    assert all(u == f"https://huggingface.co/{m}" for m, u in zip(frame["model_id"], frame["hub_url"], strict=True))
    labels = [b.proto.label for b in app.get("download_button")]
    assert labels == ["Download CSV", "Download Parquet"]


def test_data_page_sql_box(app: AppTest, sql) -> None:  # noqa: ANN001
    from dashboard import data

    assert data.safe_query("SELECT 1", timeout_s=120).error is None  # start the SQL worker outside the 10 s limit
    app.switch_page(page("data")).run()
    assert metric(app, "Refresh attempts recorded") == f"{sql('SELECT count(*) FROM refresh_runs')[0][0]:,}"
    app.text_area(key="sql_text").input("SELECT count(*) AS n FROM models")
    app.button[0].click().run()  # the form's Run button submits the text with it
    assert not app.exception
    results = [d.value for d in app.dataframe if list(d.value.columns) == ["n"]]
    assert results and int(results[0]["n"][0]) == sql("SELECT count(*) FROM models")[0][0]
    app.text_area(key="sql_text").input("DROP TABLE models")
    app.button[0].click().run()
    assert any("Refused" in e.value for e in app.error)


def test_swapped_file_shows_on_next_rerun(fixture_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A refresh replaces the file (os.replace): the next rerun shows the new data, no restart, no error."""
    live = tmp_path / "hub.duckdb"
    shutil.copy(fixture_db, live)
    os.chmod(live, 0o644)
    monkeypatch.setenv("HUBSCOPE_DB", str(live))
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60).run()
    before = int(metric(at, "Models tracked").replace(",", ""))
    new = tmp_path / "hub.duckdb.tmp"
    shutil.copy(fixture_db, new)
    os.chmod(new, 0o644)
    with duckdb.connect(str(new)) as con:
        con.execute("DELETE FROM models WHERE model_id IN (SELECT model_id FROM models ORDER BY model_id LIMIT 10)")
        con.execute("CHECKPOINT")
    os.replace(new, live)
    at.run()
    assert not at.exception
    assert int(metric(at, "Models tracked").replace(",", "")) == before - 10


# The queries each page runs at the default settings (was dashboard/page_queries.py, used only here): a page that
# starts or stops running a query must say so here. The sidebar's queries run on every page.
SIDEBAR = {"threshold_grid", "series_dates", "meta", "task_options", "org_options", "catalog_tables",
           "catalog_columns"}  # fmt: skip
PAGE_QUERIES: dict[str, set[str]] = {
    "overview": {"meta", "overview_kpis"},
    "market_size": {"meta", "overview_kpis", "threshold_sensitivity", "downloads_by_band"},
    "sizes": {"meta", "overview_kpis", "size_histogram", "size_by_task", "size_by_library", "moe", "params_source_mix",
              "device_classes"},
    "openness": {"meta", "license_tiers", "gated_share", "openness_by_month"},
    "organisations": {"meta", "top_orgs", "concentration"},
    "domains": {"meta", "tag_coverage", "tasks_by_class", "languages_by_class", "domain_tags_by_class"},
    "lineage": {"meta", "lineage_coverage", "families", "relation_mix", "class_of_parents"},
    "explorer": {"meta", "explorer"},
    "trends": {"created_coverage", "releases_by_month", "median_size_by_month", "series_date_counts", "movers_span",
               "movers"},
    "validation": {"meta", "validation"},
    "data": {"meta", "rejected_records", "field_coverage", "table_counts", "schema_columns",
             "rollup_info"},
}  # fmt: skip


def test_page_query_list_matches_what_pages_run(app: AppTest, sql, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    """Each page runs exactly the queries listed above (plus the sidebar's and the config ones)."""
    from dashboard import data

    tables = {t for (t,) in sql("SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()")}
    config = {"config_classes" if "config_classes" in tables else "config_classes_fallback",
              "config_bands" if "config_bands" in tables else "config_bands_fallback"}  # fmt: skip
    calls: list[str] = []
    real = data.run
    monkeypatch.setattr(data, "run", lambda name, params=None: calls.append(name) or real(name, params))
    for name, expected in PAGE_QUERIES.items():
        calls.clear()
        app.switch_page(page(name)).run()
        if name == "lineage" and app.get("toggle"):  # low coverage: the charts are behind a toggle
            calls.clear()
            app.toggle(key="lineage_show").set_value(True).run()
        assert not app.exception
        ran = set(calls) - SIDEBAR - config
        if name in ("overview", "trends", "validation", "market_size"):  # + the cohort/headline queries (ANSWER's)
            assert expected <= ran | {"meta"}, name
        else:
            assert ran | {"meta"} == expected, name


def _writable_copy(fixture_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "hub.duckdb"
    shutil.copy(fixture_db, db)
    os.chmod(db, 0o644)
    monkeypatch.setenv("HUBSCOPE_DB", str(db))
    return db


def _markdown_sources(at: AppTest) -> list[str]:
    """The raw markdown of every text element that renders markdown (captions, markdown, notices)."""
    return [e.value for kind in ("caption", "markdown", "info", "warning", "error") for e in getattr(at, kind)]


EVIL_AUTHOR = "[click](https://evil.example) ![p](https://evil.example/p.png) <b>x</b>"


def test_hub_strings_render_as_text_in_captions(fixture_db: Path, tmp_path: Path, sql,  # noqa: ANN001
                                                monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """An author with markdown/HTML, picked in the sidebar, is shown literally: in every caption it is escaped
    (no link, no image, no tag), and the Explorer's table holds it as plain text."""
    db = _writable_copy(fixture_db, tmp_path, monkeypatch)
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
    db = _writable_copy(fixture_db, tmp_path, monkeypatch)
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
    db = _writable_copy(fixture_db, tmp_path, monkeypatch)
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
MY_PAGES = ["market_size", "sizes", "openness", "organisations", "domains", "lineage", "data"]


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
