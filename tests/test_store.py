"""The store's promises: an advisory run journal, a temp file that never outlives a failure, cleanup that only
touches this DB's files, previous files that cannot run SQL, explicit migrations, the lock file, memory caps."""

from __future__ import annotations

import errno
import logging
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import orjson
import polars as pl
import pytest
from helpers import digest
from helpers import sql_rows as rows

from pipeline.bootstrap import ensure_db
from pipeline.cli import main
from pipeline.ingest.snapshot import open_snapshot
from pipeline.product.status import all_runs
from pipeline.refresh import PagesSource, refresh, refresh_from_snapshot
from pipeline.store import migrations, rebuild, runlog
from pipeline.store.lock import RefreshLock
from pipeline.store.rebuild import Rebuild, remove_stale_temp_files

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def db(fixture_db: Path, tmp_path: Path) -> Path:
    """A writable copy of the session's fixture DB (and its journal)."""
    copy = tmp_path / "hub.duckdb"
    shutil.copyfile(fixture_db, copy)
    copy.chmod(0o644)
    shutil.copyfile(runlog.journal_path(fixture_db), runlog.journal_path(copy))
    return copy


def again(db: Path, snapshot_slice: Path, **kwargs: Any):  # noqa: ANN201
    return refresh_from_snapshot(db, open_snapshot(snapshot_slice), **kwargs)


def no_temp_files(db: Path) -> bool:
    return not list(db.parent.glob(db.name + ".tmp-*"))


# -- the run journal is advisory (issue 9 items 1-3) -----------------------------------------------------------


def test_a_journal_run_without_started_at_never_bricks_later_refreshes(db: Path, snapshot_slice: Path) -> None:
    """The journal deleted while a refresh runs, that refresh fails: its 'failed' line has no started_at."""

    def deletes_the_journal_then_fails() -> Any:
        runlog.journal_path(db).unlink()
        raise ConnectionError("the Hub went away")
        yield []  # a generator: the failure happens while staging

    failed = refresh(db, PagesSource(deletes_the_journal_then_fails(), "http://hub.test"))
    assert failed.status == "failed" and "the Hub went away" in failed.error
    journal = runlog.journal_path(db).read_text()
    assert '"started_at"' not in journal and '"failed"' in journal  # the run that cannot become a row
    for _ in range(2):  # every later refresh works, again and again
        result = again(db, snapshot_slice)
        assert result.status == "ok", result.error
    assert result.run_id == failed.run_id + 2  # the broken run's id is never reused
    assert rows(db, "SELECT count(*) FROM refresh_runs WHERE started_at IS NULL") == [(0,)]
    assert runlog.journal_path(db).read_text().startswith(journal)  # kept in the file for a human


BAD_LINES = [
    b"{}", b"[]", b'"x"', b'{"run_id":null}', b'{"run_id":"7"}', b'{"run_id":1.5}', b'{"run_id":3000000000}',
    b'{"run_id":7,"status":"running","pid":"abc"}', b'{"run_id":-1,"status":"running","pid":0}',
    b'{"run_id":8,"status":"maybe","started_at":"2026-01-01T00:00:00"}', b'{"run_id":9,"started_at":"yesterday"}',
    b'{"run_id":10,"status":"running","started_at":"2026-01-01T00:00:00","source":"x","is_full":"yes"}',
    b'{"run_id":11,"status":"ok"',  # torn by a kill
]  # fmt: skip


def test_journal_lines_of_the_wrong_shape_are_skipped_with_one_warning(
    db: Path, snapshot_slice: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    with runlog.journal_path(db).open("ab") as f:
        f.write(b"\n".join(BAD_LINES) + b"\n")
    with caplog.at_level(logging.WARNING, logger="pipeline.store.runlog"):
        journal = runlog.read(db)
        assert runlog.read(db).problems == journal.problems  # read again (a refresh reads it twice): no new warning
    warnings = [r for r in caplog.records if r.name == "pipeline.store.runlog"]
    assert len(warnings) == 1 and "kept in the file" in warnings[0].getMessage()
    assert len(journal.problems) == len(BAD_LINES)
    assert [r.run_id for r in journal.records] == [1]  # the fixture's own good run, nothing else
    assert main(["status", "--db", str(db)]) == 0
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "run 2.5" not in out
    result = again(db, snapshot_slice)
    assert result.status == "ok" and result.run_id == 2, result.error
    assert rows(db, "SELECT run_id, status FROM refresh_runs ORDER BY run_id") == [(1, "ok"), (2, "ok")]


def test_journal_runs_are_typed_like_db_runs(db: Path) -> None:
    """One run record type: journal runs carry datetimes, as DB runs do, so one frame holds both."""
    runlog.append(db, {"run_id": 2, "started_at": "2026-11-30T10:00:00.123456+01:00", "status": "running",
                       "source": "http://hub.test", "is_full": True, "pid": 2**31 - 2})  # fmt: skip
    runlog.append(db, {"run_id": 3, "started_at": datetime(2026, 11, 30, 11), "status": "failed",
                       "finished_at": "2026-11-30T11:05", "source": "x", "is_full": False, "error": "e"})  # fmt: skip
    runs = all_runs(db)
    assert [(r["run_id"], r["status"]) for r in runs] == [(1, "ok"), (2, "killed"), (3, "failed")]
    assert runs[1]["started_at"] == datetime(2026, 11, 30, 9, 0, 0, 123456)  # UTC, naive, like TIMESTAMP
    assert all(isinstance(r["started_at"], datetime) for r in runs)
    frame = pl.DataFrame(runs, infer_schema_length=None)
    assert frame.schema["started_at"] == pl.Datetime("us") and frame.schema["finished_at"] == pl.Datetime("us")


def test_append_after_a_torn_line_starts_on_a_fresh_line(tmp_path: Path) -> None:
    db = tmp_path / "hub.duckdb"
    runlog.journal_path(db).write_bytes(b'{"run_id": 1, "status": "ok", "fini')  # killed mid-write
    event = {"run_id": 2, "started_at": datetime(2026, 1, 1), "status": "running", "source": "s", "is_full": True}
    runlog.append(db, event)
    lines = runlog.journal_path(db).read_bytes().split(b"\n")
    assert lines[1] == orjson.dumps(event) and lines[2] == b""
    assert [r.run_id for r in runlog.read(db).records] == [2]


def test_a_journal_write_failure_is_one_line_exit_1_and_keeps_the_db(
    db: Path, snapshot_slice: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """Disk completely full: the attempt cannot be recorded, so it does not start."""
    before = digest(db)

    def disk_full(*args: Any, **kwargs: Any) -> Any:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(runlog, "open", disk_full, raising=False)
    assert main(["refresh", "--db", str(db), "--from-snapshot", str(snapshot_slice)]) == 1
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err
    failed = [line for line in out.splitlines() if "FAILED" in line]
    assert len(failed) == 1 and "cannot write the run journal" in failed[0] and "No space left" in failed[0]
    assert digest(db) == before and no_temp_files(db)


# -- the temp file never outlives a failure (items 6, 7) -------------------------------------------------------


def test_disk_full_during_the_byte_copy_removes_the_partial_temp_file(
    db: Path, snapshot_slice: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = digest(db)

    def copy_then_fill_the_disk(src: Any, dst: Any, length: int = 0) -> None:
        dst.write(src.read(4096))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(rebuild.shutil, "copyfileobj", copy_then_fill_the_disk)
    result = again(db, snapshot_slice)
    assert result.status == "failed" and "No space left" in result.error
    assert digest(db) == before and no_temp_files(db)
    assert all_runs(db)[-1]["status"] == "failed"


def test_a_failed_rebuild_removes_temp_wal_and_spill(tmp_path: Path) -> None:
    db = tmp_path / "x.duckdb"
    with pytest.raises(RuntimeError), Rebuild(db) as rb:
        rb.con.execute("CREATE TABLE t AS SELECT range AS i FROM range(1000)")
        assert rb.tmp.exists()
        raise RuntimeError("fail before commit")
    assert list(tmp_path.iterdir()) == []


def test_stale_temp_cleanup_only_touches_this_dbs_files(tmp_path: Path) -> None:
    """`h[1].duckdb` as a glob matches `h1.duckdb`: its live temp file must survive our cleanup."""
    mine = tmp_path / "h[1].duckdb"
    theirs = tmp_path / "h1.duckdb"
    keep = [tmp_path / "h1.duckdb.tmp-4242", tmp_path / "h[1].duckdb.lock", tmp_path / "h[1].duckdbX.tmp-1"]
    stale = [tmp_path / "h[1].duckdb.tmp-17", tmp_path / "h[1].duckdb.tmp-17.wal"]
    for path in [*keep, *stale, theirs]:
        path.write_text("x")
    (tmp_path / "h[1].duckdb.tmp-17.spill").mkdir()
    remove_stale_temp_files(mine)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in [*keep, theirs])


# -- a previous file from someone else runs no SQL (item 8) ----------------------------------------------------


def plant(db: Path, target: Path, column: bool, legacy: bool) -> None:
    """Objects named to break out of a quoted identifier and COPY to `target`."""
    evil = f"x\"; COPY (SELECT 42) TO '{target}'; CREATE VIEW \"y"
    q = '"' + evil.replace('"', '""') + '"'
    con = duckdb.connect(str(db))
    try:
        con.execute(f"CREATE VIEW {q} AS SELECT 1 AS a")
        con.execute(f'CREATE TABLE {q[:-1]}table" AS SELECT 1 AS a')  # a table the schema does not have
        con.execute(f"CREATE MACRO {q}(a) AS a + 1")
        con.execute(f'CREATE MACRO {q[:-1]}t"() AS TABLE SELECT 1')
        if column:  # (a changed layout: the pre-migration writer took its row-by-row path for such a file)
            evil_column = f"child_id\" FROM model_lineage) TO '{target}' (FORMAT csv); COPY (SELECT \"child_id"
            quoted_column = '"' + evil_column.replace('"', '""') + '"'
            con.execute(f"ALTER TABLE model_lineage ADD COLUMN {quoted_column} VARCHAR")
        if legacy:
            con.execute("DROP TABLE schema_migrations")
    finally:
        con.close()


@pytest.mark.parametrize(
    ("column", "legacy"), [(False, False), (True, False), (True, True)], ids=["byte-copy", "column", "pre-migrations"]
)
def test_a_malicious_previous_db_writes_nothing(
    db: Path, snapshot_slice: Path, tmp_path: Path, column: bool, legacy: bool
) -> None:
    pwned = tmp_path / "pwned"
    plant(db, pwned, column, legacy)
    result = again(db, snapshot_slice)
    assert result.status == "ok", result.error
    assert not pwned.exists()
    names = {n for (n,) in rows(db, "SELECT table_name FROM duckdb_tables() UNION SELECT view_name FROM "
                                    "duckdb_views() UNION SELECT function_name FROM duckdb_functions()")}  # fmt: skip
    assert not any("COPY" in name for name in names)
    assert rows(db, "SELECT count(*) FROM refresh_runs") == [(2,)]


# -- migrations ------------------------------------------------------------------------------------------------


def test_migration_files_are_numbered_without_gaps() -> None:
    found = migrations.available()
    assert [m.version for m in found] == list(range(1, len(found) + 1)) and found[0].name == "baseline"


def test_a_fresh_file_records_every_migration(fixture_db: Path) -> None:
    recorded = rows(fixture_db, "SELECT version FROM schema_migrations ORDER BY version")
    assert [v for (v,) in recorded] == [m.version for m in migrations.available()]


def test_pending_migrations_are_applied_in_order_once(
    db: Path, snapshot_slice: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "migrations"
    shutil.copytree(migrations.MIGRATIONS_DIR, folder)
    n = len(migrations.available())
    (folder / f"{n + 1:03d}_add_note.sql").write_text("ALTER TABLE reference_params ADD COLUMN note VARCHAR;")
    (folder / f"{n + 2:03d}_fill_note.sql").write_text("UPDATE reference_params SET note = 'migrated';")
    monkeypatch.setattr(migrations, "MIGRATIONS_DIR", folder)
    monkeypatch.setattr(migrations.available, "__defaults__", (folder,))
    monkeypatch.setattr(migrations.apply_pending, "__defaults__", (folder,))
    assert again(db, snapshot_slice).status == "ok"
    assert rows(db, "SELECT DISTINCT note FROM reference_params") == [("migrated",)]
    assert rows(db, "SELECT max(version) FROM schema_migrations") == [(n + 2,)]
    assert again(db, snapshot_slice).status == "ok"  # applied once: a second ALTER would fail the run


def test_bad_migration_names_fail_loudly(tmp_path: Path) -> None:
    (tmp_path / "001_a.sql").write_text("")
    (tmp_path / "003_c.sql").write_text("")
    with pytest.raises(ValueError, match="without gaps"):
        migrations.available(tmp_path)
    (tmp_path / "2_b.sql").write_text("")
    with pytest.raises(ValueError, match="NNN_name"):
        migrations.available(tmp_path)


def test_a_file_from_before_migrations_keeps_its_rows(db: Path, snapshot_slice: Path) -> None:
    models, snapshots = rows(db, "SELECT (SELECT count(*) FROM models), (SELECT count(*) FROM model_snapshots)")[0]
    con = duckdb.connect(str(db))
    con.execute("DROP TABLE schema_migrations")
    con.close()
    assert again(db, snapshot_slice).status == "ok"
    assert rows(db, "SELECT count(*) FROM models") == [(models,)]
    assert rows(db, "SELECT count(*) FROM model_snapshots WHERE run_id = 1") == [(snapshots,)]
    assert rows(db, "SELECT count(*) FROM schema_migrations") == [(len(migrations.available()),)]


# -- the lock file (item 18) and memory (issue 12) -------------------------------------------------------------


def test_the_lock_file_is_gone_after_a_refresh_and_a_first_start(tmp_path: Path, snapshot_slice: Path) -> None:
    db = tmp_path / "hub.duckdb"
    assert ensure_db(db, snapshot_slice) is not None
    assert not (tmp_path / "hub.duckdb.lock").exists()
    with RefreshLock(db):
        assert (tmp_path / "hub.duckdb.lock").exists()
    assert not (tmp_path / "hub.duckdb.lock").exists()


def test_a_process_that_exits_holding_the_lock_leaves_no_lock_file(tmp_path: Path) -> None:
    """As when Streamlit is stopped during the first-start build: the interpreter exits inside the lock."""
    db = tmp_path / "hub.duckdb"
    code = f"import os\nfrom pathlib import Path\nfrom pipeline.store.lock import RefreshLock\n" \
           f"RefreshLock(Path({str(db)!r})).__enter__()\nraise SystemExit(0)\n"  # fmt: skip
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, timeout=60).returncode == 0
    assert not (tmp_path / "hub.duckdb.lock").exists()


def test_a_lock_file_removed_under_a_waiter_is_not_shared(tmp_path: Path) -> None:
    """A taker that opened the old file after its holder unlinked it must not hold the lock alongside a new
    taker of the new file: it notices the path names another file and locks that one instead."""
    db = tmp_path / "hub.duckdb"
    first = RefreshLock(db).__enter__()
    stale = (tmp_path / "hub.duckdb.lock").open("rb")  # a waiter's open, before the holder unlinks
    first.release()
    with RefreshLock(db) as second:
        assert second._still_named(second._fd)  # noqa: SLF001
        assert not second._still_named(stale.fileno())  # noqa: SLF001
    stale.close()


def test_rebuilds_run_under_a_memory_cap_with_a_spill_directory(tmp_path: Path, monkeypatch) -> None:
    with Rebuild(tmp_path / "a.duckdb") as rb:
        limit, temp = rb.con.sql(
            "SELECT current_setting('memory_limit'), current_setting('temp_directory')"
        ).fetchall()[0]
        assert limit in ("1.0 GiB", "953.6 MiB") and temp == str(rb.spill)
    monkeypatch.setenv("HUBSCOPE_MEMORY_LIMIT", "300MB")
    with Rebuild(tmp_path / "b.duckdb") as rb:
        assert rb.con.sql("SELECT current_setting('memory_limit')").fetchall()[0][0] in ("286.1 MiB", "300.0 MB")


@pytest.mark.slow
def test_the_bundled_snapshot_refreshes_under_a_256mb_cap(tmp_path: Path, monkeypatch) -> None:
    """All 17k models with DuckDB capped far below its default: the plan spills instead of failing."""
    from pipeline.paths import DEFAULT_SNAPSHOT

    monkeypatch.setenv("HUBSCOPE_MEMORY_LIMIT", "256MB")
    db = tmp_path / "hub.duckdb"
    result = refresh_from_snapshot(db, open_snapshot(DEFAULT_SNAPSHOT))
    assert result.status == "ok", result.error
    assert result.counts["models_seen"] == open_snapshot(DEFAULT_SNAPSHOT).manifest["models"]


def test_an_unwritable_db_directory_gives_a_one_line_lock_error(tmp_path: Path) -> None:
    """(Root ignores read-only permissions, so the directory here is a plain file: the same OSError path.)"""
    from pipeline.store.lock import LockUnavailable

    (tmp_path / "not-a-dir").write_text("x")
    with pytest.raises(LockUnavailable, match=r"^cannot create the lock file .*hub\.duckdb\.lock: [A-Z][^\n]*$"):
        RefreshLock(tmp_path / "not-a-dir" / "hub.duckdb").__enter__()
