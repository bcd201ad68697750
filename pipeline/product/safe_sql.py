"""User SQL (`python -m pipeline query` and the dashboard's SQL box): the locked-down mode of `Database`.

Three independent layers, so a gap in one is not a hole:
1. DuckDB's own parser (`duckdb.extract_statements`): exactly one statement, of type SELECT (this covers
   SELECT/FROM-first/WITH/VALUES/TABLE/DESCRIBE/SHOW/SUMMARIZE/UNPIVOT). Everything else is refused by type,
   never by matching strings. Then DuckDB's tokenizer: functions that reveal local paths or settings
   (`duckdb_databases()`, `current_setting(…)`, …) and dynamic SQL (`query(…)`) are refused by name.
2. `Database.locked_down`: the DB attached read-only, `enable_external_access=false` (no file or URL may be
   read or written), no extension autoload, a DuckDB memory limit, a private spill directory, and finally
   `lock_configuration=true` so no SET/PRAGMA/RESET can undo any of it (tests/test_safe_sql.py runs each
   attack straight against this engine too).
3. A child process per query (forked by the zygote in pipeline/product/sql_worker.py) with a hard address-space
   rlimit, killed at the deadline and when its resident memory passes the cap; its result is cut at `max_rows`
   and at `max_bytes` before it reaches this process. Paths of this machine left in a result's text are redacted
   (in the child, within the time limit).
Each refusal is one line, saying why. Figures: docs/operations.md (scripts/measure_sql_limits.py).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import orjson
import polars as pl

from pipeline.database import Database, MissingDatabase

MEMORY_LIMIT = "1GB"  # DuckDB's own limit: it spills or fails with a clear error before the hard caps below
SPILL_LIMIT = "2GB"  # DuckDB's default is 90% of the free disk
ADDRESS_SPACE_BYTES = 3 * 2**30  # the child's hard rlimit (virtual memory: DuckDB + Arrow + Python)
RSS_CAP_BYTES = 2 * 2**30  # resident memory at which the parent kills the child
MAX_RESULT_BYTES = 64 * 2**20  # Arrow bytes handed back; bigger results are cut (CSV/table stay bounded)
THREADS = 2
MAX_SQL_CHARS = 100_000  # far beyond a hand-written query; bounds the parse done in this process (~0.2 s)
MAX_ROWS_LIMIT = 1_000_000
MAX_TIMEOUT_S = 3600.0
POLL_S = 0.02  # how often the child's memory and the deadline are checked (its exit wakes the wait at once)
_JSON = orjson.OPT_NON_STR_KEYS  # MAP keys may be numbers

# Names refused wherever they appear as identifiers: they reveal local paths, settings, logs or secrets, or
# run SQL built from strings (which would hide the other names from this check).
PATH_REVEALING = frozenset({
    "current_setting", "duckdb_databases", "duckdb_settings", "duckdb_extensions", "duckdb_extension_repositories",
    "duckdb_temporary_files", "duckdb_external_file_cache", "duckdb_external_resources", "duckdb_logs",
    "duckdb_logs_parsed", "duckdb_log_contexts", "duckdb_secrets", "which_secret", "duckdb_live_query_metrics",
    "duckdb_prepared_statements", "pragma_database_list", "pragma_show", "pragma_user_agent", "pragma_platform",
    "pragma_metadata_info", "pragma_storage_info", "query", "query_table",
})  # fmt: skip


class SafeSQLError(Exception):
    """Base of everything run_safe_query raises on purpose; str() is the one line to show."""

    peak_rss_bytes = 0  # of the query's child process, when it got that far


class UnsafeQuery(SafeSQLError):
    """Refused before running: not exactly one read-only SELECT, or it names a path-revealing function."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class QueryTimeout(SafeSQLError):
    """Stopped at the time limit."""


class QueryFailed(SafeSQLError):
    """DuckDB rejected or failed the query (syntax, unknown column, permission denied by the lockdown, …)."""


class QueryOutOfMemory(QueryFailed):
    """Stopped at the memory limit."""


@dataclass
class SafeResult:
    frame: pl.DataFrame
    truncated: bool  # cut at max_rows or max_bytes; frame holds what fitted
    elapsed_s: float
    cut: str | None = None  # "rows" | "bytes" | None
    peak_rss_bytes: int = 0  # of the child process that ran the query


def validate_limits(max_rows: int, timeout_s: float) -> None:
    """ValueError (one line) unless 0 <= max_rows <= 1,000,000 and 0 < timeout_s <= 3600 (finite)."""
    if not isinstance(max_rows, int) or not 0 <= max_rows <= MAX_ROWS_LIMIT:
        raise ValueError(f"max rows must be a whole number from 0 to {MAX_ROWS_LIMIT:,}, not {max_rows!r}")
    if not isinstance(timeout_s, int | float) or not math.isfinite(timeout_s) or not 0 < timeout_s <= MAX_TIMEOUT_S:
        raise ValueError(
            f"time limit must be a number of seconds above 0 and at most {MAX_TIMEOUT_S:g}, not {timeout_s!r}"
        )


def check_statement(sql: str) -> str:
    """The single SELECT statement in `sql` (layer 1), else UnsafeQuery with the reason."""
    if len(sql) > MAX_SQL_CHARS:
        raise UnsafeQuery(f"the query text is {len(sql):,} characters; the limit is {MAX_SQL_CHARS:,}")
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.ParserException as err:
        raise QueryFailed(_first_line(err)) from None
    if not statements:
        raise UnsafeQuery("no statement given")
    if len(statements) > 1:
        raise UnsafeQuery(f"{len(statements)} statements given; only one SELECT is allowed")
    statement = statements[0]
    try:
        kind = statement.type
    except ValueError:  # a type the Python binding does not know (e.g. UPDATE EXTENSIONS): not a query
        raise UnsafeQuery("statement not recognised as a query; only SELECT is allowed") from None
    if kind != duckdb.StatementType.SELECT:
        raise UnsafeQuery(f"{kind.name} statements are not allowed: this is a read-only query (SELECT only)")
    refused = sorted(revealing_names(statement.query))
    if refused:
        raise UnsafeQuery(f"{', '.join(refused)} is not allowed: it reveals local paths or settings")
    return statement.query


def revealing_names(query: str) -> set[str]:
    """PATH_REVEALING names used as identifiers (quoted or not) in `query`, found by DuckDB's tokenizer."""
    tokens = duckdb.tokenize(query)
    found = set()
    for i, (start, kind) in enumerate(tokens):
        if kind not in (duckdb.token_type.identifier, duckdb.token_type.keyword):
            continue
        end = tokens[i + 1][0] if i + 1 < len(tokens) else len(query)
        name = query[start:end].strip().strip('"').replace('""', '"').lower()
        if name in PATH_REVEALING:
            found.add(name)
    return found


def locked_down_connection(db_path: Path, spill_dir: Path) -> duckdb.DuckDBPyConnection:
    """Layer 2 on its own (tests): the locked-down engine's connection; the caller closes it."""
    return Database.locked_down(
        db_path, spill_dir, memory_limit=MEMORY_LIMIT, spill_limit=SPILL_LIMIT, threads=THREADS
    ).con


def run_safe_query(
    db_path: Path, sql: str, *, max_rows: int = 10_000, timeout_s: float = 10.0, max_bytes: int = MAX_RESULT_BYTES
) -> SafeResult:
    """Run one read-only SELECT against the DB file in a child process with hard limits.

    Raises UnsafeQuery, QueryTimeout, QueryOutOfMemory, QueryFailed (all SafeSQLError, one-line messages),
    MissingDatabase/NotADatabase for a bad DB file, ValueError for bad limits."""
    validate_limits(max_rows, timeout_s)
    db_path = Path(db_path)
    if not db_path.exists():
        raise MissingDatabase(db_path)
    zygote = _worker()
    started = time.monotonic()  # the time limit covers the parse below, the child and reading its result
    query = check_statement(sql)
    job = Path(tempfile.mkdtemp(prefix="hubscope-sql-"))
    try:
        (job / "spill").mkdir()
        request = {
            "db": str(db_path), "sql": query, "max_rows": max_rows, "max_bytes": max_bytes,
            "memory_limit": MEMORY_LIMIT, "spill_limit": SPILL_LIMIT, "threads": THREADS,
            "address_space_bytes": ADDRESS_SPACE_BYTES, "timeout_s": timeout_s, "redact": _local_paths(db_path, job),
        }  # fmt: skip
        (job / "request.json").write_text(json.dumps(request))
        peak, signalled = _run_worker(zygote, job, started + timeout_s, timeout_s)
        status = _read_status(job, signalled)
        frame = pl.read_ipc(job / "result.arrow")
    except BaseException:
        # A stopped query may leave GBs of spill files: remove them beside the caller, not in its time.
        threading.Thread(target=shutil.rmtree, args=(job, True), name="hubscope-sql-cleanup").start()
        raise
    shutil.rmtree(job, ignore_errors=True)
    cut = status.get("cut")
    return SafeResult(frame, cut is not None, time.monotonic() - started, cut, max(peak, status["peak_rss_bytes"]))


class _Zygote:
    """The worker zygote (pipeline/product/sql_worker.py `serve`): one per process, shared by threads."""

    def __init__(self) -> None:
        package_root = str(Path(__file__).resolve().parents[2])
        env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGING"))}  # no token there
        path = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
        env.update(PYTHONPATH=path, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pipeline.product.sql_worker"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, env=env, cwd=tempfile.gettempdir(), text=True, bufsize=1,
        )  # fmt: skip
        self.lock = threading.Lock()
        if self._read() != "ready":
            raise QueryFailed("the query worker did not start")

    def _read(self) -> str:
        assert self.proc.stdout is not None
        return self.proc.stdout.readline().strip()

    def _send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def fork(self, job: Path) -> int:
        with self.lock:
            self._send(f"run {job}")
            answer = self._read()
        if not answer.isdigit():
            raise QueryFailed("the query worker stopped; try again")
        return int(answer)

    def reap(self, pid: int) -> None:
        with self.lock, contextlib.suppress(OSError):
            self._send(f"reap {pid}")

    def alive(self) -> bool:
        return self.proc.poll() is None


_zygote: _Zygote | None = None
_zygote_lock = threading.Lock()


def _worker() -> _Zygote:
    """The zygote, started on first use (its ~1-3 s start-up is never counted against a query's time limit)."""
    global _zygote
    with _zygote_lock:
        if _zygote is None or not _zygote.alive():
            _zygote = _Zygote()
        return _zygote


def prestart() -> None:
    """Start the worker in the background (the dashboard does at start-up), so the first query does not wait."""
    if _zygote is None or not _zygote.alive():
        threading.Thread(target=_worker, name="hubscope-sql-prestart", daemon=True).start()


def _run_worker(zygote: _Zygote, job: Path, deadline: float, timeout_s: float) -> tuple[int, bool]:
    """Run the child until it exits; kill it at the deadline or the RSS cap. Returns (peak RSS seen, whether it
    was ended by a signal)."""
    pid = zygote.fork(job)
    peak = 0
    exited = _exit_waiter(pid)
    try:
        while _state(pid) not in ("Z", "X", ""):
            rss, hwm = _rss(pid)
            peak = max(peak, hwm)
            if rss > RSS_CAP_BYTES:
                limit = f"query stopped: it needed more than the {RSS_CAP_BYTES / 2**30:g} GB memory limit"
                raise _stopped(QueryOutOfMemory, limit, peak)
            if time.monotonic() >= deadline:
                raise _stopped(QueryTimeout, f"query stopped after the {timeout_s:g} s time limit", peak)
            exited(POLL_S)
        signalled = not (job / "status.json").exists()
    finally:
        exited.close()
        if _state(pid) not in ("Z", "X", ""):
            os.kill(pid, signal.SIGKILL)  # the zygote has not reaped it, so the pid is still this child's
        zygote.reap(pid)
    return peak, signalled


class _exit_waiter:  # noqa: N801 (used like a function: exited(timeout))
    """Waits up to a timeout for the child to exit, waking the moment it does: a pidfd (Linux >= 5.3) turns
    readable at exit, even for a process that is not our child (the zygote's). Without one: a plain sleep."""

    def __init__(self, pid: int) -> None:
        self.fd: int | None = None
        self.poll = select.poll()
        with contextlib.suppress(AttributeError, OSError):  # no os.pidfd_open, or the kernel lacks it
            self.fd = os.pidfd_open(pid)
            self.poll.register(self.fd, select.POLLIN)

    def __call__(self, timeout_s: float) -> None:
        if self.fd is None:
            time.sleep(timeout_s)
        else:
            self.poll.poll(timeout_s * 1000)

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def _state(pid: int) -> str:
    """The process state letter from /proc (R, S, D, Z for exited-not-reaped…); '' once it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat.rpartition(")")[2].split()[0]


def _stopped(kind: type[SafeSQLError], message: str, peak: int) -> SafeSQLError:
    err = kind(message)
    err.peak_rss_bytes = peak
    return err


def _rss(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a live process in bytes; (0, 0) once it is gone."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return 0, 0
    values = {
        k: int(v.split()[0]) * 1024 for k, _, v in (line.partition(":") for line in lines) if k in ("VmRSS", "VmHWM")
    }
    return values.get("VmRSS", 0), values.get("VmHWM", 0)


def _read_status(job: Path, signalled: bool) -> dict:
    try:
        status = json.loads((job / "status.json").read_text())
    except (OSError, ValueError):
        if signalled:  # ended without a word: std::bad_alloc → abort, or killed by the kernel
            raise QueryOutOfMemory(
                f"query stopped: it ran out of memory (limit {ADDRESS_SPACE_BYTES / 2**30:g} GB address space)"
            ) from None
        last = (job / "stderr.txt").read_bytes().decode(errors="replace").strip().splitlines()
        if any("MemoryError" in line or "bad_alloc" in line or "Cannot allocate" in line for line in last):
            raise QueryOutOfMemory(
                f"query stopped: it ran out of memory (limit {ADDRESS_SPACE_BYTES / 2**30:g} GB address space)"
            ) from None
        raise QueryFailed(f"query failed: {last[-1] if last else 'the query process ended without a result'}") from None
    kind, message = status["kind"], status.get("message", "")
    if kind == "ok":
        return status
    if kind == "unsafe":
        raise UnsafeQuery(message)
    if kind == "memory":
        raise QueryOutOfMemory(f"query stopped at the {MEMORY_LIMIT} memory limit: {message}")
    if kind == "database":
        from pipeline.database import DatabaseError

        raise DatabaseError(message)
    raise QueryFailed(message)


def _local_paths(db_path: Path, job: Path) -> list[str]:
    paths = {str(db_path.resolve().parent), str(db_path.parent), str(job), tempfile.gettempdir(), str(Path.home())}
    return sorted((p for p in paths if len(p) > 1), key=len, reverse=True)


def flat(frame: pl.DataFrame) -> pl.DataFrame:
    """Lists, structs, arrays and binary as text (JSON for nested values), so CSV and any table can hold them."""
    out = []
    for name, dtype in frame.schema.items():
        if dtype.is_nested() or dtype == pl.Object:
            values = [
                None if v is None else orjson.dumps(v, default=str, option=_JSON).decode()
                for v in frame[name].to_list()
            ]
            out.append(pl.Series(name, values, dtype=pl.String))
        elif dtype == pl.Binary:
            out.append(frame[name].map_elements(lambda b: "\\x" + b.hex(), return_dtype=pl.String))
    return frame.with_columns(out) if out else frame


def csv_bytes(frame: pl.DataFrame) -> bytes:
    """The result as CSV bytes, nested values as JSON text: the SQL box's download button and `query --format csv`."""
    return flat(frame).write_csv().encode()


def render(frame: pl.DataFrame, fmt: str) -> bytes:
    """The result as `query --format` prints it: table (every type shown), csv (nested as JSON text) or json."""
    if fmt == "csv":
        return csv_bytes(frame)
    if fmt == "json":
        try:
            return (frame.write_json() + "\n").encode()
        except Exception:  # noqa: BLE001 (a type JSON cannot hold, e.g. binary or decimal: write it as text)
            return (flat(frame).write_json() + "\n").encode()
    shown = {"tbl_rows": -1, "tbl_cols": -1, "fmt_str_lengths": 80, "tbl_width_chars": 200}
    with pl.Config(**shown, tbl_hide_dataframe_shape=True):
        return (str(frame) + "\n").encode()


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__
