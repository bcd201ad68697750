"""The read-only SQL executor (query command and dashboard SQL box): issue 6's "SQL box attacks refused"."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import pytest

from pipeline.cli import main as cli
from pipeline.product.safe_sql import (
    QueryFailed,
    QueryTimeout,
    UnsafeQuery,
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
            run_safe_query(fixture_db, sql, timeout_s=1.0)
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
