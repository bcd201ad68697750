"""The DB file as a product: views, schema doc, export, Database, run records (compaction: test_compact.py)."""

from __future__ import annotations

import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import duckdb
import orjson
import polars as pl
import pytest
from helpers import sql_rows as rows

from pipeline.cli import main as cli
from pipeline.database import Database, MissingDatabase, NotADatabase, QueryInterrupted, quote_ident
from pipeline.product import schema_doc
from pipeline.product.export import export_snapshots
from pipeline.product.status import RunRecord, all_runs, runs_frame, status_report
from pipeline.store import runlog

VIEWS = [name for name, obj in schema_doc.documented_objects().items() if obj.kind == "view"]


# -- views ---------------------------------------------------------------------------------------------------


def test_the_documented_views_are_the_issue_list() -> None:
    assert set(VIEWS) >= {
        "language_models", "latest_downloads", "download_history", "license_tiers", "lineage_with_roots",
        "org_concentration", "slm_share_by_snapshot",
    }  # fmt: skip


def test_every_view_exists_and_returns_rows(bundled_db: Path) -> None:
    in_db = {v for (v,) in rows(bundled_db, "SELECT view_name FROM duckdb_views() WHERE NOT internal")}
    assert set(VIEWS) == in_db
    for view in VIEWS:
        assert rows(bundled_db, f"SELECT count(*) FROM {view}")[0][0] > 0, view


def test_opening_the_file_directly_needs_nothing_else(bundled_db: Path) -> None:
    """What `duckdb data/hub.duckdb -c "from language_models limit 5"` does: open the file, query a view."""
    got = rows(bundled_db, "FROM language_models LIMIT 5")
    assert len(got) == 5
    # Also when attached under another name (the dashboard's `hub`), views bind to their own file's tables.
    con = duckdb.connect()
    con.execute(f"ATTACH '{bundled_db}' AS elsewhere (READ_ONLY)")
    assert con.sql("SELECT count(*) FROM elsewhere.org_concentration").fetchall()[0][0] > 0
    con.close()


def test_view_semantics(bundled_db: Path) -> None:
    # language_models = models in scope, with the stored class
    assert rows(bundled_db, "SELECT count(*) FROM language_models") == rows(
        bundled_db, "SELECT count(*) FROM models WHERE is_language_model"
    )
    assert rows(bundled_db, "SELECT DISTINCT model_class FROM language_models WHERE params_total < 10e9") == [("SLM",)]
    # latest_downloads: one row per model and series, at that series' latest snapshot of the model
    assert rows(bundled_db, "SELECT count(*) = count(DISTINCT (model_id, series)) FROM latest_downloads") == [(True,)]
    assert rows(
        bundled_db,
        "SELECT count(*) FROM latest_downloads l JOIN (SELECT model_id, series, max(snapshot_at) AS m "
        "FROM model_snapshots GROUP BY ALL) s USING (model_id, series) WHERE l.latest_snapshot_at <> s.m",
    ) == [(0,)]
    # shares add up to 100 % (each row is rounded to 0.001, hence the tolerance on sums over many rows)
    ends = rows(
        bundled_db, "SELECT model_class, max(cumulative_downloads_30d_share_pct) FROM org_concentration GROUP BY ALL"
    )
    assert {c for c, _ in ends} == {"SLM", "LLM", "unknown", "all"} and all(abs(t - 100) < 1e-6 for _, t in ends)
    assert abs(rows(bundled_db, "SELECT sum(downloads_30d_share_pct) FROM license_tiers")[0][0] - 100) < 0.2
    share = rows(
        bundled_db,
        "SELECT min(slm_downloads_30d_share_pct), max(slm_downloads_30d_share_pct) FROM slm_share_by_snapshot",
    )
    assert 0 <= share[0][0] <= share[0][1] <= 100


# -- schema doc ----------------------------------------------------------------------------------------------


def test_every_view_column_is_described(bundled_db: Path) -> None:
    assert schema_doc.missing_descriptions(bundled_db) == []


def test_schema_doc_matches_the_db(bundled_db: Path) -> None:
    problems = schema_doc.check(bundled_db)
    assert problems == [], "\n".join(problems)
    assert cli(["schema-doc", "--check", "--db", str(bundled_db)]) == 0


def test_schema_doc_check_fails_after_a_change(bundled_db: Path, tmp_path: Path) -> None:
    changed = tmp_path / "changed.duckdb"
    shutil.copy(bundled_db, changed)
    con = duckdb.connect(str(changed))
    con.execute("ALTER TABLE models ADD COLUMN surprise INTEGER")
    con.close()
    problems = schema_doc.check(changed)
    assert any("stale" in p for p in problems)
    assert cli(["schema-doc", "--check", "--db", str(changed)]) == 1
    # and a hand-edited doc fails too
    edited = tmp_path / "schema.md"
    edited.write_text(schema_doc.DOC_PATH.read_text().replace("| `model_id` | VARCHAR |", "| `model_id` | TEXT |", 1))
    assert cli(["schema-doc", "--check", "--db", str(bundled_db), "--out", str(edited)]) == 1


def test_comment_parser() -> None:
    docs = schema_doc.parse_comments(
        "-- A thing.\n-- Two lines.\nCREATE TABLE IF NOT EXISTS t (\n    a INTEGER,  -- the a\n    b VARCHAR\n);\n\n"
        "-- A view.\nCREATE OR REPLACE VIEW v AS\nSELECT\n    t.a,  -- first\n    upper(b) AS b_upper,  -- second\n"
        "    round(a / 1e9, 3)\n        AS a_billions  -- third\nFROM t;\n"
    )
    assert docs["t"].description == "A thing. Two lines." and docs["t"].columns == {"a": "the a"}
    assert docs["v"].columns == {"a": "first", "b_upper": "second", "a_billions": "third"}


def test_examples_are_questions_and_run(bundled_db: Path) -> None:
    from pipeline.product.safe_sql import run_safe_query

    examples = schema_doc.load_examples()
    assert len(examples) >= 10
    for example in examples:
        assert example.path.name[:2].isdigit() and example.question.endswith("?"), example.path
        assert run_safe_query(bundled_db, example.sql).frame.height > 0, example.path


# -- export --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_export_round_trips(fixture_db: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / "export"
    assert cli(["export", "--format", fmt, "--out", str(out), "--db", str(fixture_db)]) == 0
    counts = export_snapshots(fixture_db, out, fmt)  # twice: replaces, never duplicates
    con = duckdb.connect()
    reader = "read_parquet" if fmt == "parquet" else "read_csv"
    for table, n in counts.items():
        assert n == rows(fixture_db, f"SELECT count(*) FROM {table}")[0][0] > 0, table
    snapshots = con.sql(
        f"SELECT count(*), count(DISTINCT snapshot_date), any_value(typeof(snapshot_date)), sum(downloads_30d) "
        f"FROM {reader}('{out}/model_snapshots/**/*.{fmt}', hive_partitioning = true)"
    ).fetchall()[0]
    expected = rows(
        fixture_db, "SELECT count(*), count(DISTINCT snapshot_date), 'DATE', sum(downloads_30d) FROM model_snapshots"
    )
    assert snapshots == expected[0]
    partitions = sorted(p.name for p in (out / "model_snapshots").iterdir())
    assert partitions[0].startswith("snapshot_date=") and len(partitions) == expected[0][1]
    for table in ("models", "model_lineage", "refresh_runs"):
        assert con.sql(f"SELECT count(*) FROM {reader}('{out}/{table}.{fmt}')").fetchall()[0][0] == counts[table]
    con.close()


def test_export_parquet_keeps_types(fixture_db: Path, tmp_path: Path) -> None:
    export_snapshots(fixture_db, tmp_path, "parquet")
    con = duckdb.connect()
    exported = {name: dtype for name, dtype, *_ in con.sql(f"DESCRIBE FROM '{tmp_path}/models.parquet'").fetchall()}
    con.close()
    assert exported == {name: dtype for name, dtype, *_ in rows(fixture_db, "DESCRIBE models")} | {
        "safetensors_dtypes": exported["safetensors_dtypes"]  # JSON travels as its text in Parquet
    }


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_export_quotes_column_names_from_a_downloaded_file(fixture_db: Path, tmp_path: Path, fmt: str) -> None:
    """A DB file is something users download: a column name that would end the SELECT and start a COPY to
    another place must stay a name."""
    pwned = tmp_path / "pwned.csv"
    evil = f"child_id\" FROM hub.model_lineage) TO '{pwned}' (FORMAT csv); COPY (SELECT \"child_id"
    db = tmp_path / "evil.duckdb"
    shutil.copy(fixture_db, db)
    db.chmod(0o644)
    con = duckdb.connect(str(db))
    con.execute(f"ALTER TABLE model_lineage RENAME COLUMN child_id TO {quote_ident(evil)}")
    con.close()
    out = tmp_path / "out"
    assert cli(["export", "--format", fmt, "--out", str(out), "--db", str(db)]) == 0
    assert not pwned.exists()
    assert {p.name for p in tmp_path.iterdir()} == {"evil.duckdb", "out"}
    con = duckdb.connect()
    names = [name for name, *_ in con.sql(f"DESCRIBE FROM '{out}/model_lineage.{fmt}'").fetchall()]
    con.close()
    assert names[0] == evil


def test_quote_ident_round_trips_any_name() -> None:
    con = duckdb.connect()
    for name in ("plain", 'with "quotes"', "it's", 'x"; DROP TABLE t; --', "ünï cödé", " "):
        assert con.sql(f"SELECT 1 AS {quote_ident(name)}").columns == [name]
    con.close()


# -- the one Database class -------------------------------------------------------------------------------------


def test_database_reads_the_file_and_its_catalog(fixture_db: Path) -> None:
    with Database(fixture_db) as db:
        assert db.tables()["models"] == "table" and db.tables()["language_models"] == "view"
        assert ("model_id", "VARCHAR") in db.columns("models")
        n = db.query("SELECT count(*) AS n FROM models")["n"][0]
        assert db.query("SELECT count(*) AS n FROM hub.models WHERE downloads_30d >= $d", {"d": 0})["n"][0] == n
        assert db.query_named("status_summary")["models"][0] == n
        result = db.execute("SELECT * FROM range(1000000000000)", max_rows=3)
        assert result.frame.height == 3 and result.truncated
        exact = db.execute("SELECT * FROM range(3)", max_rows=3)
        assert exact.frame["range"].to_list() == [0, 1, 2] and not exact.truncated
        with pytest.raises(QueryInterrupted, match="time limit"):
            db.execute("SELECT count(*) FROM range(1000000000000000)", time_limit=0.5)
        assert db.query("SELECT 1 AS ok")["ok"].to_list() == [1]  # usable after an interrupt
        with pytest.raises(duckdb.Error):
            db.query("CREATE TABLE t AS SELECT 1")  # read-only attach


def test_one_database_is_safe_across_threads(fixture_db: Path) -> None:
    with Database(fixture_db) as db:
        n = db.query("SELECT count(*) AS n FROM models")["n"][0]
        with ThreadPoolExecutor(8) as pool:
            counts = list(pool.map(lambda _: db.query("SELECT count(*) AS n FROM models")["n"][0], range(64)))
    assert counts == [n] * 64


@pytest.mark.parametrize("case", ["junk", "empty", "directory", "truncated", "not ours"])
def test_a_bad_file_is_one_typed_error_naming_the_way_out(fixture_db: Path, tmp_path: Path, case: str) -> None:
    path = tmp_path / "hub.duckdb"
    if case == "junk":
        path.write_bytes(b"<html>not found</html>" * 100)
    elif case == "empty":
        path.write_bytes(b"")
    elif case == "directory":
        path.mkdir()
    elif case == "truncated":
        path.write_bytes(fixture_db.read_bytes()[: fixture_db.stat().st_size // 3])
    else:
        duckdb.connect(str(path)).close()  # a valid DuckDB file without our tables
    with pytest.raises(NotADatabase) as caught, Database(path) as db:
        db.query("SELECT count(*) FROM models")
        db.query("SELECT * FROM model_snapshots")
    message = str(caught.value)
    assert message.startswith(f"{path} is not a HubScope DuckDB database (")
    assert "refresh --from-snapshot data/snapshot" in message and "\n" not in message
    with pytest.raises(MissingDatabase, match="no HubScope DB at"):
        Database(tmp_path / "absent.duckdb")


# -- status: one typed run record ---------------------------------------------------------------------------------


def test_runs_from_the_db_and_the_journal_are_one_type(fixture_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "hub.duckdb"
    shutil.copy(fixture_db, db)
    in_db = all_runs(db)
    journal = runlog.journal_path(db)
    lines = [
        {"run_id": 50, "started_at": "2026-11-30T10:00:00", "status": "running", "pid": 2**22 + 7, "source": "hub",
         "is_full": True},
        {"run_id": 51, "started_at": "2026-11-30T11:00:00.123456", "status": "running", "pid": 2**22 + 9,
         "source": "snapshot", "is_full": False},
        {"run_id": 51, "status": "failed", "finished_at": "2026-11-30 11:05:00", "error": "boom"},
        {"run_id": "7"}, {"run_id": 1.5}, {"run_id": None}, [], "x",
    ]  # fmt: skip
    journal.write_text("\n".join(orjson.dumps(line).decode() for line in lines) + "\n")
    runs = all_runs(db)
    assert [r.run_id for r in runs] == [*[r.run_id for r in in_db], 50, 51]
    assert all(isinstance(r, RunRecord) for r in runs)
    assert all(isinstance(r.started_at, datetime) for r in runs)
    assert runs[-1].status == "failed" and runs[-1].finished_at == datetime(2026, 11, 30, 11, 5)
    assert runs[-2].status == "killed" and runs[-2]["status"] == "killed"  # read like a dict too
    frame = runs_frame(db)
    assert frame.schema["started_at"] == pl.Datetime("us") and frame.schema["run_id"] == pl.Int64
    assert frame.height == len(runs)
    report, ok = status_report(db)
    assert not ok  # the latest attempt failed
    stamps = re.findall(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d+)?", report)
    assert stamps and all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", s) for s in stamps), stamps
    assert "2026-11-30 11:00:00" in report
