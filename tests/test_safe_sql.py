"""The read-only SQL executor (query command and dashboard SQL box): issue 6's "SQL box attacks refused"."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipeline.cli import main as cli
from pipeline.product.safe_sql import (
    MAX_RESULT_BYTES,
    RSS_CAP_BYTES,
    QueryFailed,
    QueryOutOfMemory,
    QueryTimeout,
    UnsafeQuery,
    csv_bytes,
    locked_down_connection,
    run_safe_query,
)


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.csv"
    path.write_text("token,value\nHF_TOKEN,hf_sentinel_do_not_leak\n")
    return path


def attacks(secret: Path, out: Path) -> list[str]:
    s, o = str(secret), str(out)
    return [
        "INSERT INTO models (model_id) VALUES ('x')",
        "UPDATE models SET likes = 0",
        "DELETE FROM models",
        "CREATE TABLE t AS SELECT 1",
        "CREATE VIEW v AS SELECT 1",
        "CREATE MACRO m(x) AS x",
        "DROP TABLE models",
        "ALTER TABLE models ADD COLUMN x INT",
        f"COPY (SELECT * FROM models) TO '{o}/leak.csv'",
        f"COPY models TO '{o}/leak.parquet' (FORMAT parquet)",
        f"ATTACH '{o}/other.duckdb' AS other",
        "DETACH hub",
        "INSTALL httpfs",
        "LOAD httpfs",
        "FORCE INSTALL httpfs",
        "UPDATE EXTENSIONS",
        f"EXPORT DATABASE '{o}/dump'",
        f"IMPORT DATABASE '{o}/dump'",
        "CALL pragma_version()",
        "CHECKPOINT",
        "PRAGMA enable_profiling",
        "SET enable_external_access = true",
        "RESET enable_external_access",
        "SET lock_configuration = false",
        "SET GLOBAL enable_external_access = true",
        f"SET allowed_paths = ['{s}']",
        "PRAGMA threads = 64",
        "USE memory",
        "BEGIN TRANSACTION",
        "PREPARE p AS SELECT 1",
        "VACUUM",
        "SELECT 1; SELECT 2",
        "SELECT 1; DROP TABLE models",
        f"SELECT 1; COPY models TO '{o}/leak2.csv'",
        "PIVOT models ON gated USING count(*)",  # several statements under the hood (MULTI)
        f"SELECT * FROM read_csv('{s}')",
        f"SELECT * FROM read_csv_auto('{s}')",
        f"SELECT * FROM '{s}'",
        f"SELECT content FROM read_text('{s}')",
        "SELECT content FROM read_text('/etc/passwd')",
        f"SELECT * FROM read_blob('{s}')",
        f"SELECT * FROM glob('{secret.parent}/*')",
        f"SELECT * FROM read_parquet('{o}/x.parquet')",
        f"SELECT * FROM parquet_scan('{o}/x.parquet')",
        f"SELECT * FROM read_json('{s}')",
        f"SELECT * FROM read_json_auto('{s}')",
        f"SELECT * FROM sniff_csv('{s}')",
        "SELECT * FROM read_csv('https://huggingface.co/robots.txt')",
        "SELECT * FROM 'https://example.com/data.parquet'",
        f"SELECT * FROM query('SELECT * FROM read_text(''{s}'')')",
        f"SELECT * FROM read_duckdb('{o}/other.duckdb')",
        "SELECT * FROM duckdb_secrets()",
        "",
        "-- only a comment",
    ]


def test_every_attack_is_refused(fixture_db: Path, secret_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    for sql in attacks(secret_file, out):
        with pytest.raises((UnsafeQuery, QueryFailed)) as caught:
            result = run_safe_query(fixture_db, sql, timeout_s=5)
            pytest.fail(f"not refused: {sql!r} → {result.frame}")
        assert "hf_sentinel" not in str(caught.value)
        # Refused, not merely failed: writes/settings by statement type, file reads by the locked engine.
        assert isinstance(caught.value, UnsafeQuery) or "Catalog Error" in str(caught.value), (sql, caught.value)
    assert list(out.iterdir()) == []  # nothing written anywhere


def test_reads_that_are_allowed(fixture_db: Path) -> None:
    for sql in (
        "SELECT count(*) AS n FROM models",
        "FROM language_models SELECT model_id LIMIT 3",
        "WITH t AS (SELECT 1 AS a) SELECT * FROM t",
        "DESCRIBE models",
        "SHOW TABLES",
        "SUMMARIZE SELECT downloads_30d FROM models",
        "SELECT 1 -- trailing comment",
        "  select 42 ;  ",
        "SELECT * FROM hub.models LIMIT 1",
    ):
        assert run_safe_query(fixture_db, sql).frame.height >= 1, sql


def test_engine_layer_holds_without_the_parser(fixture_db: Path, secret_file: Path, tmp_path: Path) -> None:
    """Layer 2 on its own: even statements the parser check would refuse fail in the locked-down connection."""
    spill = tmp_path / "spill"
    con = locked_down_connection(fixture_db, spill)
    try:
        settings = dict(
            con.sql(
                "SELECT name, value FROM duckdb_settings() WHERE name IN ('enable_external_access', "
                "'lock_configuration', 'autoinstall_known_extensions', 'autoload_known_extensions', "
                "'allowed_directories', 'allowed_paths')"
            ).fetchall()
        )
        assert settings == {
            "enable_external_access": "false",
            "lock_configuration": "true",
            "autoinstall_known_extensions": "false",
            "autoload_known_extensions": "false",
            # DuckDB keeps its own temp dir and the attached file (+ WAL sidecars) reachable: the spill dir is
            # private and empty (the default `.tmp` in the working directory would expose what is there), and
            # the DB file holds nothing the query can't read anyway.
            "allowed_directories": f"[{spill}/]",
            "allowed_paths": settings["allowed_paths"],
        }
        allowed = settings["allowed_paths"].strip("[]").split(", ")
        assert {Path(p).name.removeprefix(fixture_db.name) for p in allowed} <= {
            "",
            ".wal",
            ".wal.recovery",
            ".wal.checkpoint",
        }
        for sql in (
            "SET enable_external_access = true",
            "RESET enable_external_access",
            "PRAGMA enable_external_access = true",
            "SET lock_configuration = false",
            f"SET allowed_paths = ['{secret_file}']",
            "SET autoload_known_extensions = true",
            f"SELECT * FROM read_text('{secret_file}')",
            f"SELECT * FROM read_csv('{secret_file}')",
            f"COPY (SELECT 1) TO '{tmp_path}/x.csv'",
            f"ATTACH '{tmp_path}/x.duckdb' AS x",
            "INSTALL httpfs",
            "LOAD httpfs",
            "INSERT INTO models (model_id) VALUES ('x')",
            "DELETE FROM models",
            "DROP TABLE models",
        ):
            with pytest.raises(duckdb.Error):
                con.execute(sql)
        assert con.sql("SELECT current_setting('enable_external_access')").fetchall() == [(False,)]
    finally:
        con.close()
    assert not (tmp_path / "x.csv").exists() and not (tmp_path / "x.duckdb").exists()


def test_ten_million_rows_are_cut_without_materializing(fixture_db: Path) -> None:
    started = time.monotonic()
    result = run_safe_query(fixture_db, "SELECT * FROM range(10000000)")
    assert result.frame.height == 10_000 and result.truncated
    assert time.monotonic() - started < 5
    # A result that never ends is cut too, so nothing was materialized past the limit.
    endless = run_safe_query(fixture_db, "SELECT * FROM range(1000000000000)", max_rows=5)
    assert endless.frame.height == 5 and endless.truncated
    exact = run_safe_query(fixture_db, "SELECT * FROM range(5)", max_rows=5)
    assert exact.frame.height == 5 and not exact.truncated


def test_the_query_order_is_kept_under_the_limit(fixture_db: Path) -> None:
    result = run_safe_query(fixture_db, "SELECT range AS n FROM range(100000) ORDER BY n DESC", max_rows=3)
    assert result.frame["n"].to_list() == [99999, 99998, 99997]


def test_a_query_that_runs_forever_is_stopped(fixture_db: Path) -> None:
    for sql in (
        "SELECT count(*) FROM range(1000000000000000)",
        "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) SELECT count(*) FROM t",
    ):
        started = time.monotonic()
        with pytest.raises(QueryTimeout):
            run_safe_query(fixture_db, sql, timeout_s=0.5)
        assert time.monotonic() - started < 10
    assert run_safe_query(fixture_db, "SELECT 1 AS ok").frame["ok"].to_list() == [1]  # nothing left stuck


def test_query_command_exit_codes(fixture_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(fixture_db)
    assert cli(["query", "SELECT count(*) AS n FROM language_models", "--db", db, "--format", "csv"]) == 0
    out = capsys.readouterr()
    assert out.out.startswith("n\n") and int(out.out.split()[1]) > 0
    assert cli(["query", "DROP TABLE models", "--db", db]) == 2
    assert "refused" in capsys.readouterr().err
    assert cli(["query", "SELECT * FROM read_text('/etc/passwd')", "--db", db]) == 2
    assert cli(["query", "SELECT 1; SELECT 2", "--db", db]) == 2
    assert cli(["query", "SELECT nope FROM models", "--db", db]) == 1
    assert cli(["query", "SELECT count(*) FROM range(1000000000000000)", "--db", db, "--timeout", "0.5"]) == 1
    assert "time limit" in capsys.readouterr().err
    assert cli(["query", "SELECT * FROM range(50)", "--db", db, "--max-rows", "7", "--format", "json"]) == 0
    out = capsys.readouterr()
    assert out.out.count('"range"') == 7 and "more rows exist" in out.err
    assert cli(["query", "SELECT 1", "--db", str(fixture_db.parent / "missing.duckdb")]) == 1


# -- hard limits: a child process per query, killed at the deadline, memory and result bytes capped ----------------


def _warm(db: Path) -> None:
    run_safe_query(db, "SELECT 1")  # the forkserver starts once per process, outside any query's time


@pytest.mark.parametrize(
    "sql",
    [
        "select length(repeat('x', 1000000000))",  # one huge expression: DuckDB cannot interrupt it
        "select range(100000000)",  # a 100M-element list: 7 GB before the limits
        " UNION ALL ".join(["SELECT 1"] * 5_000),  # planning, which no interrupt reaches
    ],
    ids=["repeat-1e9", "range-1e8", "5000-unions"],
)
def test_a_runaway_query_is_stopped_within_its_limit(fixture_db: Path, sql: str) -> None:
    _warm(fixture_db)
    limit = 0.5
    started = time.monotonic()
    with pytest.raises((QueryTimeout, QueryOutOfMemory)) as caught:
        run_safe_query(fixture_db, sql, timeout_s=limit)
    assert time.monotonic() - started < limit + 1.0
    assert "\n" not in str(caught.value) and ("time limit" in str(caught.value) or "memory" in str(caught.value))
    assert caught.value.peak_rss_bytes < RSS_CAP_BYTES


def test_unions_past_the_text_limit_are_refused_at_once(fixture_db: Path) -> None:
    for n in (20_000, 30_000):
        started = time.monotonic()
        with pytest.raises(UnsafeQuery, match="the limit is 100,000"):
            run_safe_query(fixture_db, " UNION ALL ".join(["SELECT 1"] * n), timeout_s=10)
        assert time.monotonic() - started < 1.0


def test_a_huge_result_is_cut_by_bytes_before_it_reaches_the_caller(fixture_db: Path) -> None:
    _warm(fixture_db)
    started = time.monotonic()
    # the attack is 10,000 rows (scripts/measure_sql_limits.py); 2,000 (300 MB) is past the cap as well
    result = run_safe_query(fixture_db, "select repeat('x',150000) s from range(2000)", timeout_s=10)
    assert time.monotonic() - started < 11
    assert result.truncated and result.cut == "bytes"
    assert 0 < result.frame.height < 2_000
    assert result.frame.estimated_size() <= MAX_RESULT_BYTES
    assert result.peak_rss_bytes < RSS_CAP_BYTES
    assert len(csv_bytes(result.frame)) <= MAX_RESULT_BYTES + result.frame.height * 2 + 10


def test_the_memory_limit_stops_a_query_with_one_line(fixture_db: Path) -> None:
    started = time.monotonic()
    with pytest.raises(QueryOutOfMemory, match="memory limit") as caught:
        run_safe_query(fixture_db, "SELECT range(300000000)", timeout_s=8)  # a 2.4 GB list
    assert "\n" not in str(caught.value) and time.monotonic() - started < 8
    assert run_safe_query(fixture_db, "SELECT 1 AS ok").frame["ok"].to_list() == [1]


@pytest.mark.parametrize(
    ("max_rows", "timeout_s"),
    [(10, float("nan")), (10, float("inf")), (10, 0), (10, -1), (-1, 5), (9223372036854775807, 5), (10, 1e9)],
)
def test_limits_are_validated(fixture_db: Path, max_rows: int, timeout_s: float) -> None:
    with pytest.raises(ValueError):
        run_safe_query(fixture_db, "SELECT 1", max_rows=max_rows, timeout_s=timeout_s)


# -- no local paths through the SQL box ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM duckdb_databases()",
        "SELECT path FROM duckdb_databases",
        'SELECT * FROM "duckdb_databases"()',
        "SELECT current_setting('temp_directory')",
        "SELECT CURRENT_SETTING('home_directory')",
        "SELECT * FROM duckdb_settings()",
        "SELECT * FROM duckdb_extensions()",
        "SELECT * FROM duckdb_temporary_files()",
        "SELECT * FROM pragma_database_list",
        "SELECT * FROM query('SELECT * FROM duckdb_databases()')",
        "SUMMARIZE SELECT * FROM duckdb_databases()",
        "WITH d AS (SELECT * FROM duckdb_databases()) SELECT path FROM d",
    ],
)
def test_path_revealing_functions_are_refused(fixture_db: Path, sql: str) -> None:
    with pytest.raises(UnsafeQuery, match="reveals local paths") as caught:
        run_safe_query(fixture_db, sql)
    assert str(fixture_db.parent) not in str(caught.value)


def test_names_in_comments_and_strings_are_not_refused(fixture_db: Path) -> None:
    result = run_safe_query(fixture_db, "SELECT 'current_setting' AS word -- duckdb_databases()\n")
    assert result.frame["word"].to_list() == ["current_setting"]


def test_paths_left_in_results_are_redacted(fixture_db: Path) -> None:
    """Behind the name check: a path of this machine that reaches a result's text is replaced."""
    result = run_safe_query(fixture_db, f"SELECT '{fixture_db}' AS p, 'plain' AS q, [1] AS l")
    assert result.frame.row(0) == (f"<redacted>/{fixture_db.name}", "plain", [1])


# -- every type shown and exported --------------------------------------------------------------------------------


def test_nested_and_odd_types_come_back_and_export_as_csv(fixture_db: Path) -> None:
    result = run_safe_query(
        fixture_db,
        "SELECT [1, 2] AS l, {'a': 1, 'b': [true]} AS s, map([1], ['x']) AS m, INTERVAL 3 MONTH AS i, "
        "[INTERVAL 1 DAY] AS il, union_value(k := 2) AS u, 'ab'::BLOB AS b",
    )
    row = result.frame.row(0, named=True)
    assert row["l"] == [1, 2] and row["s"] == {"a": 1, "b": [True]}
    assert row["i"] == "3 months" and row["il"] == "[1 day]" and row["u"] == "2"
    text = csv_bytes(result.frame).decode()
    header, line = text.splitlines()
    assert header == "l,s,m,i,il,u,b"
    assert line.startswith('"[1,2]","{""a"":1,""b"":[true]}",')
    assert pl.read_csv(csv_bytes(result.frame)).height == 1
    models = run_safe_query(fixture_db, "SELECT * FROM models LIMIT 5")  # the crash: list/struct columns
    assert pl.read_csv(csv_bytes(models.frame)).shape == models.frame.shape


def test_the_query_process_never_reruns_the_callers_main(fixture_db: Path, tmp_path: Path) -> None:
    """Streamlit runs the app as `__main__`; a child that re-imported it would run the whole app per query."""
    import subprocess
    import sys

    runs = tmp_path / "runs.txt"
    script = tmp_path / "app_like.py"
    script.write_text(
        "import sys\n"
        f"open({str(runs)!r}, 'a').write('ran\\n')\n"
        "from pipeline.product.safe_sql import run_safe_query\n"
        f"print(run_safe_query({str(fixture_db)!r}, 'SELECT 6 * 7 AS n').frame['n'][0])\n"
    )  # unguarded on purpose, like a Streamlit script
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, env={"PYTHONPATH": str(root)}
    )
    assert done.returncode == 0 and done.stdout.strip() == "42", done.stderr
    assert runs.read_text() == "ran\n"


def test_the_resident_memory_cap_kills_the_child(fixture_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The parent's own guard, for memory DuckDB does not count: here with the cap lowered to 400 MiB."""
    from pipeline.product import safe_sql

    _warm(fixture_db)
    monkeypatch.setattr(safe_sql, "RSS_CAP_BYTES", 400 * 2**20)
    started = time.monotonic()
    with pytest.raises(QueryOutOfMemory, match="memory limit") as caught:
        run_safe_query(fixture_db, "select length(repeat('x', 1000000000))", timeout_s=30)
    assert time.monotonic() - started < 30
    assert 400 * 2**20 <= caught.value.peak_rss_bytes < RSS_CAP_BYTES  # the real cap, far above the lowered one
