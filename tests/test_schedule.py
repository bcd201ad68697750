"""Scheduled refresh: the lock, the storage-version option, readers during a swap, and the deploy recipes."""

from __future__ import annotations

import configparser
import os
import re
import shutil
import struct
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from pipeline.cli import main
from pipeline.database import file_identity
from pipeline.store.lock import EXIT_LOCKED, RefreshLock

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable


def refresh_argv(snapshot: Path, db: Path, *extra: str) -> list[str]:
    return ["refresh", "--from-snapshot", str(snapshot), "--db", str(db), *extra]


# -- the lock ------------------------------------------------------------------------------------------------


def test_second_refresh_is_refused_while_one_holds_the_lock(
    snapshot_slice: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "hub.duckdb"
    with RefreshLock(db):
        assert main(refresh_argv(snapshot_slice, db)) == EXIT_LOCKED
    assert "another refresh of this DB is running" in capsys.readouterr().err
    assert not db.exists()  # the refused run did nothing
    assert main(refresh_argv(snapshot_slice, db)) == 0  # released: the next one runs


def test_second_refresh_process_exits_75_at_once(snapshot_slice: Path, tmp_path: Path) -> None:
    """Across processes, as cron would run them: one holds the lock, `python -m pipeline refresh` exits 75."""
    db = tmp_path / "hub.duckdb"
    holder = subprocess.Popen(
        [PY, "-c", f"import sys, time\nfrom pathlib import Path\nfrom pipeline.store.lock import RefreshLock\n"
         f"with RefreshLock(Path({str(db)!r})):\n    print('locked', flush=True)\n    time.sleep(60)\n"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        second = subprocess.run(
            [PY, "-m", "pipeline", *refresh_argv(snapshot_slice, db)], cwd=ROOT, capture_output=True, text=True,
            env={**os.environ, "TQDM_DISABLE": "1"}, timeout=60,
        )  # fmt: skip
        assert second.returncode == EXIT_LOCKED, second.stderr
        assert time.monotonic() - started < 30  # at once, not after waiting
        assert re.search(rf"refresh refused: another refresh of this DB is running \(pid {holder.pid}\)", second.stderr)
    finally:
        holder.kill()
        holder.wait()


# -- storage version -----------------------------------------------------------------------------------------


def storage_of(db: Path) -> tuple[str, int]:
    """(the storage_version tag DuckDB reports for the attached file, the version number in the file header).
    The header is the 8-byte checksum then b'DUCK' then a little-endian uint64: 64 is what DuckDB 0.10–1.x
    read and write; 2.0's own format has a different number."""
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{db}' AS f (READ_ONLY)")
        tag = con.sql("SELECT tags['storage_version'] FROM duckdb_databases() WHERE database_name = 'f'").fetchall()
    finally:
        con.close()
    head = db.read_bytes()[:20]
    assert head[8:12] == b"DUCK"
    return tag[0][0], struct.unpack("<Q", head[12:20])[0]


def test_storage_version_option_is_honoured(snapshot_slice: Path, tmp_path: Path) -> None:
    old = tmp_path / "old.duckdb"
    assert main(refresh_argv(snapshot_slice, old, "--storage-version", "v1.0.0")) == 0
    assert storage_of(old) == ("v1.0.0+", 64)
    # a second refresh onto the same file writes the version it is asked for, each time
    assert main(refresh_argv(snapshot_slice, old, "--storage-version", "v1.0.0")) == 0
    assert storage_of(old) == ("v1.0.0+", 64)
    new = tmp_path / "new.duckdb"
    assert main(refresh_argv(snapshot_slice, new, "--storage-version", "v2.0.0")) == 0
    tag, number = storage_of(new)
    assert tag.startswith("v2.") and number != 64
    # and back: a v2 file refreshed with the default is rewritten in the default (1.x-readable) format
    assert main(refresh_argv(snapshot_slice, new)) == 0
    assert storage_of(new) == ("v1.0.0+", 64)
    # the old-format file is complete: views work
    con = duckdb.connect(str(old), read_only=True)
    assert con.sql("SELECT count(*) FROM language_models").fetchall()[0][0] > 0
    con.close()


def test_unknown_storage_version_fails_cleanly(snapshot_slice: Path, tmp_path: Path) -> None:
    db = tmp_path / "hub.duckdb"
    assert main(refresh_argv(snapshot_slice, db, "--storage-version", "v9.9.9")) == 1
    assert not db.exists() and not list(tmp_path.glob("hub.duckdb.tmp-*"))


# -- readers while a refresh swaps the file ------------------------------------------------------------------

READER = textwrap.dedent(
    """
    import os, sys, time, duckdb
    db, stop = sys.argv[1], sys.argv[2]
    ok = errors = 0
    deadline = time.monotonic() + 120  # a guard: the test stops the readers once its refreshes are done
    while time.monotonic() < deadline and not (ok and os.path.exists(stop)):
        try:
            if ok % 2:  # the duckdb CLI way (-readonly) and the dashboard way (in-memory + ATTACH READ_ONLY)
                con = duckdb.connect(db, read_only=True)
                con.sql("FROM language_models LIMIT 5").fetchall()
            else:
                con = duckdb.connect()
                con.execute(f"ATTACH '{db}' AS hub (READ_ONLY)")
                con.sql("SELECT count(*) FROM hub.org_concentration").fetchall()
            con.close()
            ok += 1
            if ok == 1:
                print("reading", flush=True)
            time.sleep(0.01)  # fast, but not a busy loop taking both cores from the refreshes it waits for
        except Exception as err:
            errors += 1
            print("ERROR", type(err).__name__, err, file=sys.stderr)
    print(ok, errors)
    """
)


def test_readers_and_a_refresh_at_the_same_time(snapshot_slice: Path, tmp_path: Path) -> None:
    """Two reader processes query the file every 10 ms while three refreshes swap it; they stop when told to."""
    db = tmp_path / "hub.duckdb"
    stop = tmp_path / "stop"
    assert main(refresh_argv(snapshot_slice, db)) == 0
    readers = [
        subprocess.Popen([PY, "-c", READER, str(db), str(stop)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
        for _ in range(2)
    ]  # fmt: skip
    files = {file_identity(db)}
    try:
        for r in readers:  # both are in (each has read the file once) before the first swap
            assert r.stdout is not None and r.stdout.readline().strip() == "reading"
        for _ in range(3):
            assert main(refresh_argv(snapshot_slice, db)) == 0  # never blocked by the readers
            files.add(file_identity(db))
    finally:
        stop.touch()
        outputs = [r.communicate(timeout=60) for r in readers]
    assert len(files) == 4  # each refresh swapped in a new file (inode numbers alone may be reused)
    con = duckdb.connect(str(db), read_only=True)
    assert con.sql("SELECT max(run_id) FROM refresh_runs").fetchall() == [(4,)]
    con.close()
    for out, err in outputs:
        ok, errors = map(int, out.split())
        assert errors == 0 and ok > 0, err


# -- recipes -------------------------------------------------------------------------------------------------

CRON_FIELD = re.compile(r"^(\*|\d+(-\d+)?)(/\d+)?(,(\d+(-\d+)?)(/\d+)?)*$")
CRON_RANGES = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 7)]


def test_crontab_lines_parse() -> None:
    lines = [
        line.strip()
        for line in (ROOT / "deploy/cron/hubscope.crontab").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    env = [line for line in lines if re.match(r"^[A-Z_]+=", line)]
    jobs = [line for line in lines if line not in env]
    assert {line.split("=")[0] for line in env} >= {"SHELL", "HUBSCOPE_DB"}
    assert len(jobs) == 2
    for job in jobs:
        fields = job.split(None, 5)
        assert len(fields) == 6, job  # 5 time fields + the command
        for field, (lo, hi) in zip(fields[:5], CRON_RANGES, strict=True):
            assert CRON_FIELD.match(field), field
            assert all(lo <= int(n) <= hi for n in re.findall(r"\d+", field.split("/")[0])), field
        command = fields[5]
        assert "%" not in command  # cron turns % into newlines
        assert "flock -n" in command and "| logger -t hubscope" in command and "cd /opt/hubscope" in command
    refresh = next(j for j in jobs if "pipeline refresh" in j)
    assert 'HF_TOKEN="$(cat /etc/hubscope/hf_token' in refresh
    assert any("pipeline compact" in j for j in jobs)
    # the command is valid sh
    for job in jobs:
        assert subprocess.run(["sh", "-n", "-c", job.split(None, 5)[5]]).returncode == 0


def _unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read_string(path.read_text())
    return parser


def test_systemd_units() -> None:
    units = ROOT / "deploy/systemd"
    service = _unit(units / "hubscope-refresh.service")
    assert service["Service"]["Type"] == "oneshot"
    assert service["Service"]["EnvironmentFile"].lstrip("-") == "/etc/hubscope/hubscope.env"
    assert service["Service"]["ExecStart"].endswith("-m pipeline refresh")
    assert "75" in service["Service"]["SuccessExitStatus"].split()
    assert service["Service"]["WorkingDirectory"] == "/opt/hubscope"
    timer = _unit(units / "hubscope-refresh.timer")
    assert timer["Timer"]["Persistent"] == "true" and timer["Timer"]["OnCalendar"]
    assert timer["Timer"]["Unit"] == "hubscope-refresh.service"
    assert timer["Install"]["WantedBy"] == "timers.target"
    compact = _unit(units / "hubscope-compact.service")
    assert "pipeline compact" in compact["Service"]["ExecStart"]
    assert _unit(units / "hubscope-compact.timer")["Timer"]["Unit"] == "hubscope-compact.service"


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze not installed")
def test_systemd_analyze_verify(tmp_path: Path) -> None:
    """systemd's own checker, with /opt/hubscope pointed at this checkout so ExecStart exists. It exits 0 even on
    warnings, so any output counts as a failure."""
    for unit in (ROOT / "deploy/systemd").iterdir():
        (tmp_path / unit.name).write_text(unit.read_text().replace("/opt/hubscope", str(ROOT)))
    files = sorted(str(p) for p in tmp_path.iterdir())
    result = subprocess.run(["systemd-analyze", "verify", *files], capture_output=True, text=True, timeout=60)
    noise = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert result.returncode == 0 and noise == [], noise


def test_github_workflow() -> None:
    yaml = pytest.importorskip("yaml")
    text = (ROOT / ".github/workflows/refresh.yml").read_text()
    flow = yaml.safe_load(text)
    on = flow.get("on", flow.get(True))  # YAML 1.1 reads the bare key `on` as True
    crons = [entry["cron"] for entry in on["schedule"]]
    assert crons and all(len(c.split()) == 5 for c in crons)
    assert "workflow_dispatch" in on
    assert flow["permissions"]["contents"] == "write"
    steps = flow["jobs"]["refresh"]["steps"]
    python = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python"))
    assert python["with"]["python-version"] == "3.11"
    refresh = next(s for s in steps if "pipeline refresh --storage-version" in s.get("run", ""))
    assert refresh["env"]["HF_TOKEN"] == "${{ secrets.HF_TOKEN }}"
    restore = next(s for s in steps if "gh release download" in s.get("run", ""))
    assert "gh run download" in restore["run"] and "--from-snapshot" in restore["run"]
    assert any(s.get("uses", "").startswith("actions/upload-artifact") for s in steps)
    assert any("gh release upload" in s.get("run", "") for s in steps)
    for step in steps:  # every run block is valid bash
        if "run" in step:
            assert subprocess.run(["bash", "-n", "-c", step["run"]]).returncode == 0, step.get("name")


def _duckdb_cli() -> str | None:
    """The duckdb CLI users get from PyPI (`pip install duckdb-cli`, 1.5 today), from the venv or PATH."""
    local = Path(sys.executable).with_name("duckdb")
    return str(local) if local.exists() else shutil.which("duckdb")


@pytest.mark.skipif(_duckdb_cli() is None, reason="duckdb CLI not installed (requirements-dev: duckdb-cli)")
def test_the_default_file_opens_in_the_pypi_duckdb_cli(fixture_db: Path) -> None:
    """README's direct-query commands and every sql/examples/*.sql, run by the 1.x CLI on a default-built file."""
    cli = _duckdb_cli()
    assert cli is not None
    readme = (ROOT / "README.md").read_text()
    commands = re.findall(r'^duckdb -readonly data/hub\.duckdb -c "(.+)"$', readme, flags=re.M)
    assert len(commands) >= 2
    scripts = [*commands, *(p.read_text() for p in sorted((ROOT / "sql/examples").glob("*.sql")))]
    for sql in scripts:
        done = subprocess.run(
            [cli, "-readonly", str(fixture_db), "-c", sql], capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0 and "Error" not in done.stderr, (sql[:80], done.stderr[-400:])


def test_a_default_refresh_onto_a_default_file_starts_from_a_byte_copy(
    snapshot_slice: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The 1.x-readable default keeps the fast path: the previous file is copied as bytes, not row by row."""
    from pipeline.store import rebuild

    copies: list[Path] = []
    real_copy = rebuild.copy_bytes
    monkeypatch.setattr(rebuild, "copy_bytes", lambda src, dst: (copies.append(src), real_copy(src, dst)))
    db = tmp_path / "hub.duckdb"
    assert main(refresh_argv(snapshot_slice, db)) == 0
    assert copies == []  # nothing to copy yet
    assert main(refresh_argv(snapshot_slice, db)) == 0
    assert copies == [db] and storage_of(db) == ("v1.0.0+", 64)
    assert main(refresh_argv(snapshot_slice, db, "--storage-version", "v2.0.0")) == 0
    assert copies == [db]  # another format: the database is copied into it, not the bytes
    assert storage_of(db)[0].startswith("v2.")
