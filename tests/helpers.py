"""Small helpers shared by the test modules (tests/ is on sys.path under pytest's default import mode)."""

from __future__ import annotations

import hashlib
import os
import shutil
import time
import types
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from filelock import FileLock


def sql_rows(db: Path, sql: str) -> list[tuple]:
    """Rows of `sql` on the DB file, ATTACHed read-only to a fresh in-memory DuckDB (never a cached instance of
    a file a refresh has since replaced)."""
    con = duckdb.connect()
    try:
        con.execute("ATTACH " + "'" + str(db).replace("'", "''") + "' AS h (READ_ONLY)")  # any file name
        con.execute("USE h")
        return con.sql(sql).fetchall()
    finally:
        con.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def built_once(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], object]) -> Path:
    """A folder `build` fills, made once per run. Under xdist every worker asks for it: the first builds it in the
    run's shared temp folder under a file lock, the others wait for it and reuse it (so what is built there is
    read-only for the tests, like every session fixture)."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        folder = tmp_path_factory.mktemp(name)
        build(folder)
        return folder
    folder = tmp_path_factory.getbasetemp().parent / f"shared-{name}"  # the workers' basetemps share this parent
    with FileLock(f"{folder}.lock"):
        if not (folder / ".built").exists():
            shutil.rmtree(folder, ignore_errors=True)  # a build that failed half-way
            folder.mkdir()
            build(folder)
            (folder / ".built").touch()
    return folder


def shorten_sleeps(patch: pytest.MonkeyPatch) -> None:
    """huggingface_hub's retry sleeps (1, 2, 4, 8 s; 1 s before a download is retried) and our own rate-limit and
    connect waits, cut to 10 ms: the retry and resume logic runs unchanged, the time accounting too."""
    import huggingface_hub.file_download as hf_download
    import huggingface_hub.utils._http as hf_http

    import pipeline.ingest.crawl as crawl

    real_sleep = time.sleep
    for module in (hf_http, hf_download, crawl):
        fake = types.SimpleNamespace(**{k: getattr(time, k) for k in dir(time) if not k.startswith("_")})
        fake.sleep = lambda s: real_sleep(min(s, 0.01))
        patch.setattr(module, "time", fake)
