"""AppTest for every dashboard page, against the fixture DB built through the real pipeline.

Expectations are computed here with independent SQL straight on the DB tables (never through the page code,
the rollups or the hs_* macros)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from pipeline.paths import REPO_ROOT
from tests.app_helpers import LM_SCOPE, PAGES, datasets, metric, page, shares

pytest_plugins = ["tests.app_fixtures"]  # the app and sql fixtures


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
        if name not in ("data", "validation"):  # the whole DB, not the filtered view
            assert any(i.value.startswith("No ") for i in app.info), name
        if name == "claims":
            assert any(i.value.startswith("No models match") for i in app.info)


def test_movers_say_why_there_is_nothing_to_compare(app: AppTest, sql) -> None:  # noqa: ANN001
    """A top list with many dates but no model on both ends of the span: the notice names the dates, not 'need two'."""
    app.selectbox(key="series").select("trending-top10").run()
    app.switch_page(page("trends")).run()
    assert not app.exception
    (note,) = [i.value for i in app.info if i.value.startswith("No model of series")]
    (dates,) = sql("SELECT count(DISTINCT snapshot_date) FROM model_snapshots WHERE series = 'trending-top10'")[0]
    assert dates >= 2 and "need two" not in note
    day = {d: f"{d.day} {d:%b %Y}" for (d,) in sql("SELECT DISTINCT snapshot_date FROM model_snapshots "
                                                   "WHERE series = 'trending-top10'")}  # fmt: skip
    ((first, last),) = [(a, b) for a in day for b in day if a < b and f"both {day[a]} and {day[b]}" in note]
    shared = sql("""SELECT count(*) FROM model_snapshots a JOIN model_snapshots z USING (model_id, series)
                    WHERE a.series = 'trending-top10' AND a.snapshot_date = $1 AND z.snapshot_date = $2
                      AND a.downloads_30d <> z.downloads_30d""", [first, last])[0][0]  # fmt: skip
    assert shared == 0, note


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


@pytest.mark.parametrize("kind", ["junk", "truncated", "directory"])
def test_a_db_that_is_not_hubscope_says_so_once(
    fixture_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    bad = tmp_path / "hub.duckdb"
    if kind == "junk":
        bad.write_bytes(os.urandom(4096))
    elif kind == "truncated":
        bad.write_bytes(fixture_db.read_bytes()[: 64 * 1024])
    else:
        bad.mkdir()
    monkeypatch.setenv("HUBSCOPE_DB", str(bad))
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert len(at.error) == 1 and str(bad) in at.error[0].value
    assert "Traceback" not in at.error[0].value
