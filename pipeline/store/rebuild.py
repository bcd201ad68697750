"""The atomic rebuild: how every write to a DB file happens (refresh and compact alike).

The live file is never written. A rebuild builds `<db>.tmp-<pid>` (a byte copy of the previous file, or a fresh
file), works on it through one DuckDB connection with a memory cap and a spill directory, then `CHECKPOINT`s,
closes, fsyncs and `os.replace`s it onto `<db>` and fsyncs the directory. Any failure before the replace, a
full disk during the byte copy included, removes the temp file, its WAL and the spill directory; a kill leaves
them to `remove_stale_temp_files`, which the next rebuild runs under the refresh lock.

This module and `pipeline.database.Database` (read-only) are the only places in pipeline/ that open DuckDB.
"""

from __future__ import annotations

import glob
import logging
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

import duckdb

from pipeline.database import quote_literal
from pipeline.paths import sidecar

log = logging.getLogger(__name__)

# DuckDB's buffer pool cap for a rebuild. A 17k-model refresh peaks far below it; at Hub scale operators spill
# to the temp directory instead of taking the machine's memory. $HUBSCOPE_MEMORY_LIMIT overrides ("4GB").
DEFAULT_MEMORY_LIMIT = "1GB"
STORAGE_VERSION_DEFAULT = "v1.0.0"  # readable by the duckdb 1.x CLI on PyPI (issue 17); costs are in the README
COPY_CHUNK = 1 << 20
# Block size of a new file (a byte copy keeps its own). A column's segment of a 122,880-row group takes a block of
# its own unless it fits in space another left: at 256 KB a 138 KB segment (9-bit slots) leaves 118 KB unused.
# 64 KB blocks: the 100k x 365 file 23% smaller at the same read CPU; the duckdb 1.5 CLI reads it.
BLOCK_SIZE = 65536


def quote_identifier(name: str) -> str:
    """SQL identifier quoting (double quotes, embedded quotes doubled): safe for any name a catalog holds."""
    return '"' + name.replace('"', '""') + '"'


def memory_limit(explicit: str | None = None) -> str:
    return explicit or os.environ.get("HUBSCOPE_MEMORY_LIMIT") or DEFAULT_MEMORY_LIMIT


def temp_prefix(db: Path) -> str:
    return db.name + ".tmp-"


def remove_stale_temp_files(db: Path) -> None:
    """Files left by killed rebuilds of THIS db: `<db>.tmp-<pid>` and its WAL/spill. Names are matched by exact
    prefix after glob-escaping, so `h[1].duckdb` never matches another DB's temp file. Call under the lock."""
    prefix = temp_prefix(db)
    for leftover in db.parent.glob(glob.escape(prefix) + "*"):
        if not leftover.name.startswith(prefix):
            continue
        log.info("removing %s, left by an earlier refresh that did not finish", leftover.name)
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)


def storage_version_of(db: Path) -> str | None:
    """The storage version tag of an existing file ('v1.0.0', 'v2.0.0', …), None when it cannot be read."""
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH {quote_literal(str(db))} AS f (READ_ONLY)")
        tags = con.sql("SELECT tags FROM duckdb_databases() WHERE database_name = 'f'").fetchall()
        return str((tags[0][0] or {}).get("storage_version", "")).rstrip("+") or None
    except duckdb.Error:
        return None
    finally:
        con.close()


_UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
          "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}  # fmt: skip


def limit_bytes(text: str) -> int | None:
    """'1GB', '512 MiB', '4gb' as bytes (DuckDB's units: KB = 1000, KiB = 1024); None for anything else."""
    match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]*)\s*", text)
    if not match or match.group(2).lower() not in _UNITS:
        return None
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def copy_bytes(src: Path, dst: Path) -> None:
    """A byte copy that leaves nothing behind when it fails (ENOSPC half-way leaves no partial `dst`)."""
    try:
        with open(src, "rb") as fin, open(dst, "wb") as fout:
            shutil.copyfileobj(fin, fout, COPY_CHUNK)
    except BaseException:
        dst.unlink(missing_ok=True)
        raise


def swap_in(tmp: Path, db: Path) -> None:
    """Make the finished file `tmp` the DB: durable on disk first, then one atomic rename, then the directory."""
    _fsync(tmp)
    os.replace(tmp, db)
    _fsync(db.parent)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Rebuild:
    """`with Rebuild(db) as rb:` builds the next file at `rb.tmp`, attached as `new` (the default catalog) on
    `rb.con`. `rb.commit()` checkpoints and swaps it in; leaving the block without commit discards it.

    copy_previous: start from a byte copy of `db` (when it exists). storage_version: the file format to write
    (None: DuckDB's own); a byte copy keeps the previous file's format, so callers copy only when it matches."""

    def __init__(
        self,
        db: Path,
        *,
        copy_previous: bool = False,
        storage_version: str | None = None,
        memory: str | None = None,
    ) -> None:
        self.db = db
        self.tmp = sidecar(db, f".tmp-{os.getpid()}")
        self.spill = sidecar(self.tmp, ".spill")
        self.copy_previous = copy_previous and db.exists()
        self.storage_version = storage_version
        self.committed = False
        self.memory = memory_limit(memory)
        self.con = duckdb.connect(
            config={
                "memory_limit": self.memory,
                "temp_directory": str(self.spill),
                "preserve_insertion_order": False,
            }
        )

    def __enter__(self) -> Rebuild:
        try:
            self._discard()
            if self.copy_previous:
                copy_bytes(self.db, self.tmp)
            # a byte copy keeps its own format; only a new file takes the version asked for
            asked = self.storage_version and not self.copy_previous
            version = f", STORAGE_VERSION {quote_literal(self.storage_version)}" if asked else ""
            options = "" if self.copy_previous else f" (BLOCK_SIZE {BLOCK_SIZE}{version})"
            self.con.execute(f"ATTACH {quote_literal(str(self.tmp))} AS new{options}")
            self.con.execute("USE new")
        except BaseException:
            self.con.close()
            self._discard()
            raise
        return self

    @contextmanager
    def squeezed(self, share: float) -> Iterator[None]:
        """DuckDB's cap lowered to `share` of it for the block (its buffers past that spill now), then restored:
        for work that holds Python memory beside DuckDB's, so the process's peak stays near the cap. A cap
        that cannot be lowered (pinned buffers) or read is left as it is."""
        limit = limit_bytes(self.memory)
        lowered = False
        if limit is not None:
            try:
                self.con.execute(f"SET memory_limit = '{int(limit * share)}B'")
                lowered = True
            except duckdb.Error as err:
                log.debug("memory cap kept at %s: %s", self.memory, err)
        try:
            yield
        finally:
            if lowered:
                self.con.execute(f"SET memory_limit = {quote_literal(self.memory)}")

    def attach_previous(self, alias: str = "old") -> None:
        """The previous file, read-only, as `alias` (for copying rows by column name)."""
        self.con.execute(f"ATTACH {quote_literal(str(self.db))} AS {quote_identifier(alias)} (READ_ONLY)")

    def attach_scratch(self, alias: str) -> None:
        """An in-memory database as `alias`, under the same memory cap (it spills like temp tables)."""
        self.con.execute(f"ATTACH ':memory:' AS {quote_identifier(alias)}")

    def detach(self, alias: str) -> None:
        self.con.execute(f"DETACH {quote_identifier(alias)}")

    def commit(self) -> None:
        """Checkpoint, close, swap in. From the moment this returns the new file is live."""
        self.con.execute("CHECKPOINT new")
        self.con.execute("USE memory")
        self.con.execute("DETACH new")
        self.con.close()
        _fsync(self.tmp)
        os.replace(self.tmp, self.db)
        self.committed = True  # live from here, even if the directory fsync below fails
        _fsync(self.db.parent)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.con.close()
        shutil.rmtree(self.spill, ignore_errors=True)
        if not self.committed:
            self._discard()

    def _discard(self) -> None:
        for path in (self.tmp, sidecar(self.tmp, ".wal")):
            path.unlink(missing_ok=True)
        shutil.rmtree(self.spill, ignore_errors=True)
