"""The command line as a new user meets it: every subcommand on bad input gives one line and an exit code, never
a traceback; global options anywhere; flags validated; paths from the package; README's duckdb CLI commands."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from pipeline.cli import ExitCode, build_parser
from pipeline.cli import main as cli
from pipeline.paths import DEFAULT_DB, REPO_ROOT

LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ (DEBUG|INFO|WARNING|ERROR) ")


class _NotFound(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_HEAD = do_GET

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    """A loopback 'Hub' that answers 404 to everything: backfill fails fast instead of waiting out retries."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _NotFound)
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def bad_dbs(fixture_db: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("bad")
    junk = base / "junk.duckdb"
    junk.write_bytes(b"this is not a database\n" * 500)
    directory = base / "dir.duckdb"
    directory.mkdir()
    truncated = base / "truncated.duckdb"
    truncated.write_bytes(fixture_db.read_bytes()[: fixture_db.stat().st_size // 2])
    return {"missing": base / "missing.duckdb", "junk": junk, "directory": directory, "truncated": truncated}


def commands(snapshot: Path, out: Path, endpoint: str) -> dict[str, list[str]]:
    return {
        "status": ["status"],
        "query": ["query", "SELECT count(*) FROM models"],
        "export": ["export", "--out", str(out)],
        "compact": ["compact"],
        "compact --drop-dates": ["compact", "--drop-dates"],
        "refresh": ["refresh", "--from-snapshot", str(snapshot)],
        "backfill": ["backfill", "--from-hub-stats", "--since", "2025-01-01", "--endpoint", endpoint],
        "schema-doc": ["schema-doc", "--check"],
    }


def message_lines(out: str, err: str) -> list[str]:
    """What the user is told: every printed line except the timestamped log lines."""
    return [line for line in (out + err).splitlines() if line.strip() and not LOG_LINE.match(line)]


COMMANDS = ["status", "query", "export", "compact", "compact --drop-dates", "refresh", "backfill", "schema-doc"]


@pytest.mark.parametrize("case", ["missing", "junk", "directory", "truncated"])
@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_on_a_bad_db_says_one_line(
    command: str, case: str, bad_dbs: dict[str, Path], snapshot_slice: Path, endpoint: str, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    db = bad_dbs[case]
    if case == "missing":
        db = tmp_path / "missing.duckdb"  # refresh builds it: each case gets its own
    argv = [*commands(snapshot_slice, tmp_path / "out", endpoint)[command], "--db", str(db)]
    code = cli(argv)
    out, err = capsys.readouterr()
    lines = message_lines(out, err)
    assert "Traceback" not in out + err
    if command == "refresh" and case == "missing":  # a missing DB is what refresh builds
        assert code == ExitCode.OK and db.exists()
        return
    assert code == ExitCode.FAILED, (argv, out, err)
    assert len(lines) == 1, lines
    if case != "missing" and command not in ("backfill",):
        assert "not a HubScope DuckDB database" in lines[0] or "truncated" in lines[0] or "read" in lines[0], lines
    if case == "missing" and command not in ("refresh", "backfill"):
        assert str(db) in lines[0]


def _can_mount() -> bool:
    return os.geteuid() == 0 and shutil.which("mount") is not None


@pytest.fixture
def read_only_dir(tmp_path: Path, fixture_db: Path) -> Iterator[Path]:
    """A directory holding a good DB that nothing may write to: a read-only tmpfs as root (root ignores modes),
    else mode 0555."""
    ro = tmp_path / "ro"
    ro.mkdir()
    if _can_mount():
        if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(ro)], check=False).returncode:
            pytest.skip("cannot mount a tmpfs here")
        shutil.copy(fixture_db, ro / "hub.duckdb")
        subprocess.run(["mount", "-o", "remount,ro", str(ro)], check=True)
        yield ro
        _unmount(ro)
    else:
        shutil.copy(fixture_db, ro / "hub.duckdb")
        ro.chmod(0o555)
        yield ro
        ro.chmod(0o755)


def _unmount(ro: Path) -> None:
    """The query's child process may still be closing the file for a moment after its answer ("target is busy")."""
    for _ in range(50):
        if subprocess.run(["umount", str(ro)], check=False, capture_output=True).returncode == 0:
            return
        time.sleep(0.1)
    subprocess.run(["umount", "--lazy", str(ro)], check=True)


def test_writers_in_a_read_only_directory_say_one_line(
    read_only_dir: Path, snapshot_slice: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(read_only_dir / "hub.duckdb")
    for argv in (
        ["refresh", "--from-snapshot", str(snapshot_slice), "--db", db],
        ["compact", "--db", db],
        ["compact", "--drop-dates", "--db", db],
        ["export", "--out", str(read_only_dir / "out"), "--db", db],
    ):
        code = cli(argv)
        out, err = capsys.readouterr()
        lines = message_lines(out, err)
        assert code == ExitCode.FAILED and "Traceback" not in out + err, (argv, out, err)
        assert len(lines) == 1 and ("Read-only" in lines[0] or "Permission" in lines[0]), (argv, lines)
    # reading is fine there
    assert cli(["query", "SELECT count(*) AS n FROM models", "--db", db]) == ExitCode.OK


def test_global_options_before_or_after_the_command(fixture_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(fixture_db)
    for argv in (
        ["--db", db, "query", "SELECT 41 + 1 AS n", "--format", "csv"],
        ["query", "SELECT 41 + 1 AS n", "--format", "csv", "--db", db],
        ["-v", "query", "--db", db, "SELECT 41 + 1 AS n", "--format", "csv"],
        ["--db", "/nonexistent/elsewhere.duckdb", "query", "SELECT 41 + 1 AS n", "--db", db, "--format", "csv", "-v"],
    ):
        assert cli(argv) == ExitCode.OK, argv
        assert capsys.readouterr().out == "n\n42\n", argv
    args = build_parser().parse_args(["-v", "status"])
    assert args.verbose and args.db is None
    args = build_parser().parse_args(["status", "-v", "--db", "x.duckdb"])
    assert args.verbose and args.db == "x.duckdb"


@pytest.mark.parametrize(
    "argv",
    [
        ["query", "SELECT 1", "--timeout", "nan"],
        ["query", "SELECT 1", "--timeout", "inf"],
        ["query", "SELECT 1", "--timeout", "-1"],
        ["query", "SELECT 1", "--timeout", "0"],
        ["query", "SELECT 1", "--max-rows", "9223372036854775807"],
        ["query", "SELECT 1", "--max-rows", "-1"],
        ["query", "SELECT 1", "--max-rows", "ten"],
        ["refresh", "--rate-limit-budget", "nan"],
        ["refresh", "--limit", "0"],
        ["backfill", "--from-hub-stats", "--since", "yesterday"],
        ["backfill", "--from-hub-stats", "--since", "2025-01-01", "--every", "hour"],
        ["compact", "--keep-all-days", "-3"],
        ["status", "--runs", "0"],
        ["no-such-command"],
        [],
    ],
)
def test_bad_flags_are_usage_errors_in_one_line(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(argv) == ExitCode.USAGE
    out, err = capsys.readouterr()
    assert "Traceback" not in err and len(message_lines(out, err)) == 1, err


def test_flag_combinations_that_make_no_sense(fixture_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(fixture_db)
    assert cli(["refresh", "--from-snapshot", "--author", "Qwen", "--db", db]) == ExitCode.USAGE
    assert cli(["refresh", "--from-hub-stats", "--limit", "5", "--db", db]) == ExitCode.USAGE
    assert cli(["refresh", "--from-snapshot", "--from-hub-stats", "--db", db]) == ExitCode.USAGE
    assert cli(["compact", "--keep-all-days", "9", "--daily-days", "3", "--drop-dates", "--db", db]) == ExitCode.USAGE
    out, err = capsys.readouterr()
    assert "Traceback" not in err


def test_every_result_type_prints(fixture_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sql = (
        "SELECT age(TIMESTAMP '2020-01-01', TIMESTAMP '2019-11-30') AS span, INTERVAL 3 MONTH AS i, "
        "[INTERVAL 1 DAY] AS il, union_value(a := 1) AS u, {'x': [1, 2], 'y': 'z'} AS s, [1, 2] AS l, "
        "map([1], ['a']) AS m, 'ab'::BLOB AS b, 12345678901234567890123456789::HUGEINT AS h, 1.5::DECIMAL(38, 2) AS d, "
        "uuid() IS NOT NULL AS ok, '101'::BIT AS bits, TIME '12:00:00' AS t, DATE '2026-01-02' AS day"
    )
    for fmt in ("table", "csv", "json"):
        assert cli(["query", sql, "--db", str(fixture_db), "--format", fmt]) == ExitCode.OK, fmt
        out, err = capsys.readouterr()
        assert "Traceback" not in err
        assert "1 month 1 day" in out, (fmt, out)
        assert "3 months" in out, (fmt, out)
    assert cli(["query", sql, "--db", str(fixture_db), "--format", "csv"]) == ExitCode.OK
    header, row = capsys.readouterr().out.splitlines()
    assert header.startswith("span,i,il,u,s,l,m,b,h,d,ok,bits,t,day")
    assert '"{""x"":[1,2],""y"":""z""}"' in row and '"[1,2]"' in row  # nested values as JSON text


def test_commands_work_from_any_directory(fixture_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    args = build_parser().parse_args(["refresh", "--from-snapshot", "data/snapshot"])
    assert args.from_snapshot == REPO_ROOT / "data" / "snapshot"  # relative to the install when not here
    assert build_parser().parse_args(["refresh", "--from-snapshot"]).from_snapshot == REPO_ROOT / "data" / "snapshot"
    from pipeline.paths import db_path

    assert db_path(None) == DEFAULT_DB.resolve() and DEFAULT_DB.is_relative_to(REPO_ROOT)
    # The console script (pip install -e ., in requirements-dev.txt), run from an unrelated directory.
    script = Path(sys.executable).with_name("hubscope")
    if not script.exists():
        pytest.skip("the hubscope console script is not installed (pip install -e .)")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "HUBSCOPE_DB")}
    done = subprocess.run(
        [str(script), "query", "SELECT 6 * 7 AS n", "--format", "csv", "--db", str(fixture_db)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0 and done.stdout == "n\n42\n", done.stderr
    done = subprocess.run([str(script), "query", "SELECT 1", "--timeout", "nan"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == ExitCode.USAGE and "Traceback" not in done.stderr


# -- the duckdb CLI a user gets from PyPI (duckdb-cli in requirements-dev.txt) -----------------------------------


def _duckdb_cli() -> str:
    found = shutil.which("duckdb", path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    if not found:
        pytest.skip("the duckdb CLI is not installed (pip install duckdb-cli)")
    return found


def readme_commands() -> list[str]:
    """README's `duckdb -readonly data/hub.duckdb -c "…"` lines, as written."""
    text = (REPO_ROOT / "README.md").read_text()
    return re.findall(r'^duckdb -readonly data/hub\.duckdb -c "([^"]+)"$', text, flags=re.MULTILINE)


def test_readme_and_examples_run_in_the_pypi_duckdb_cli(fixture_db: Path, tmp_path: Path) -> None:
    """The default-built file opens in the 1.x CLI, and README's commands and every sql/examples/*.sql run there."""
    duckdb_cli = _duckdb_cli()
    version = subprocess.run([duckdb_cli, "--version"], capture_output=True, text=True, check=True).stdout
    commands_in_readme = readme_commands()
    assert len(commands_in_readme) == 2, commands_in_readme
    db = tmp_path / "hub.duckdb"
    shutil.copy(fixture_db, db)  # default-built (no --storage-version) by the fixture
    for sql in commands_in_readme + [p.read_text() for p in sorted((REPO_ROOT / "sql" / "examples").glob("*.sql"))]:
        done = subprocess.run(
            [duckdb_cli, "-readonly", str(db), "-csv", "-c", sql], capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0 and "Error" not in done.stderr, (version, sql[:80], done.stderr)
        assert len(done.stdout.splitlines()) >= 2, (sql[:80], done.stdout)  # a header and at least one row


# -- the hub-stats commands, wired to HUBSTATS's functions, against the stand-in dataset host --------------------


def test_backfill_and_a_hub_stats_refresh_through_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from datetime import UTC, datetime

    from hubscope_testing.datasets import Commit, DatasetHost, DatasetRepo
    from hubscope_testing.hubstats_files import revision_files
    from hubscope_testing.standin import StandinHub

    data = REPO_ROOT / "tests" / "data"
    days = revision_files(data / "hubstats-sample-fixture.parquet", data / "hubstats-daily-fixture.parquet", tmp_path)
    chosen = days[:2]
    commits = [
        Commit(day.strftime("%Y%m%d").ljust(40, "b"), datetime(day.year, day.month, day.day, 6, tzinfo=UTC),
               {"models.parquet": path})
        for day, path in chosen
    ]  # fmt: skip
    db = tmp_path / "hub.duckdb"
    with StandinHub([], datasets=DatasetHost([DatasetRepo("cfahlgren1/hub-stats", commits)])) as hub:
        since = chosen[0][0].isoformat()
        argv = ["backfill", "--from-hub-stats", "--since", since, "--every", "day", "--endpoint", hub.url]
        assert cli([*argv, "--db", str(db)]) == ExitCode.OK
        assert "2 revisions chosen, 2 imported, 0 already in the DB, 0 failed" in capsys.readouterr().out
        assert cli(["--db", str(db), *argv]) == ExitCode.OK  # again: nothing new
        assert "0 imported, 2 already in the DB" in capsys.readouterr().out
        assert cli(["refresh", "--from-hub-stats", commits[-1].sha, "--endpoint", hub.url, "--db", str(db)]) == 0
        assert " ok in " in capsys.readouterr().out
    assert cli(["status", "--db", str(db)]) == ExitCode.OK
    assert capsys.readouterr().out.count(" ok ") >= 3


def test_a_filtered_crawl_through_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from hubscope_testing.standin import StandinHub, load_records

    records = load_records(REPO_ROOT / "tests" / "data" / "hub-records-sample.jsonl.gz")[:120]
    db = tmp_path / "hub.duckdb"
    with StandinHub(records, page_size=50) as hub:
        argv = ["refresh", "--endpoint", hub.url, "--limit", "70", "--sort", "downloads", "--rate-limit-budget", "5"]
        assert cli([*argv, "--db", str(db)]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "refresh run 1 ok" in out and " 70 models (70 new" in out, out
