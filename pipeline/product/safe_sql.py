"""The one read-only SQL executor behind `python -m pipeline query` and the dashboard's SQL box.

Two independent layers, so a gap in either is not a hole:
1. DuckDB's own parser (`duckdb.extract_statements`): exactly one statement, of type SELECT (this covers
   SELECT/FROM-first/WITH/VALUES/TABLE/DESCRIBE/SHOW/SUMMARIZE/UNPIVOT). Everything else is refused by type,
   never by matching strings: INSERT/UPDATE/DELETE/CREATE/DROP/ALTER, COPY, ATTACH/DETACH, INSTALL/LOAD,
   EXPORT/IMPORT, CALL, PRAGMA, SET/RESET/USE, transactions, PREPARE/EXECUTE, several statements.
2. A throw-away, locked-down engine per query: an in-memory DuckDB with the DB ATTACHed READ_ONLY, then
   `enable_external_access=false` (no file or URL may be read or written: read_csv/read_text/glob/COPY/ATTACH
   /INSTALL all fail), no extension autoload/autoinstall, a memory limit, a private spill directory, and
   finally `lock_configuration=true` so no SET/PRAGMA/RESET can undo any of it. Verified on duckdb 2.0.1 by
   tests/test_safe_sql.py (each attack is also run straight against the engine, bypassing layer 1).

Results are cut at `max_rows` without materializing the rest (a LIMIT on the relation, pushed into the plan),
and a query running longer than `timeout_s` is interrupted from a timer thread.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from pipeline.database import quote_literal

MEMORY_LIMIT = "2GB"  # a SQL box must not be able to take the dashboard's host down
THREADS = 2

# Order matters: the DB is attached before external access is switched off (ATTACH is then refused), the spill
# directory is set before it (the temp directory stays readable when external access is off, so it must be
# private and empty), and lock_configuration comes last.
_LOCKDOWN = (
    "SET autoinstall_known_extensions = false",
    "SET autoload_known_extensions = false",
    "SET allow_community_extensions = false",
    "SET enable_external_access = false",
    "SET lock_configuration = true",
)


class SafeSQLError(Exception):
    """Base of everything run_safe_query raises on purpose."""


class UnsafeQuery(SafeSQLError):
    """Refused before running: not exactly one read-only SELECT."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class QueryTimeout(SafeSQLError):
    """Interrupted after the time limit."""


class QueryFailed(SafeSQLError):
    """DuckDB rejected or failed the query (syntax, unknown column, permission denied by the lockdown, …)."""


@dataclass
class SafeResult:
    frame: pl.DataFrame
    truncated: bool  # more rows existed than max_rows; frame holds the first max_rows
    elapsed_s: float


def check_statement(sql: str) -> str:
    """The single SELECT statement in `sql` (layer 1), else UnsafeQuery with the reason."""
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.ParserException as err:
        raise QueryFailed(str(err).strip()) from None
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
    return statement.query


def locked_down_connection(db_path: Path, spill_dir: Path) -> duckdb.DuckDBPyConnection:
    """Layer 2: the DB attached read-only as `hub` (and the default), nothing else reachable, settings locked."""
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH {quote_literal(str(db_path))} AS hub (READ_ONLY)")
        con.execute("USE hub")
        con.execute(f"SET memory_limit = {quote_literal(MEMORY_LIMIT)}")
        con.execute(f"SET threads = {THREADS}")
        con.execute(f"SET temp_directory = {quote_literal(str(spill_dir))}")
        for statement in _LOCKDOWN:
            con.execute(statement)
    except BaseException:
        con.close()
        raise
    return con


def run_safe_query(db_path: Path, sql: str, *, max_rows: int = 10_000, timeout_s: float = 10.0) -> SafeResult:
    """Run one read-only SELECT against the DB file. Raises UnsafeQuery, QueryTimeout or QueryFailed."""
    if max_rows < 0:
        raise ValueError("max_rows must be >= 0")
    db_path = Path(db_path)
    if not db_path.exists():
        raise FileNotFoundError(f"no HubScope DB at {db_path}: run `python -m pipeline refresh` first")
    query = check_statement(sql)
    started = time.monotonic()
    spill_dir = Path(tempfile.mkdtemp(prefix="hubscope-sql-"))
    timed_out = threading.Event()
    try:
        con = locked_down_connection(db_path, spill_dir)
        try:

            def _interrupt() -> None:
                timed_out.set()
                con.interrupt()

            timer = threading.Timer(timeout_s, _interrupt)
            timer.daemon = True
            timer.start()
            try:
                relation = con.sql(query)
                if relation is None:  # only non-SELECT statements return no relation; layer 1 rules them out
                    raise UnsafeQuery("statement returned no result set")
                # LIMIT on the relation keeps the query's own ORDER BY and lets DuckDB stop after max_rows + 1.
                frame = relation.limit(max_rows + 1).pl()
            finally:
                timer.cancel()
        except duckdb.InterruptException:
            if timed_out.is_set():
                raise QueryTimeout(f"query stopped after the {timeout_s:g} s time limit") from None
            raise QueryFailed("query interrupted") from None
        except duckdb.PermissionException as err:
            # Layer 2 caught what layer 1 let through: a SELECT that reads a file or URL (read_csv, glob, …).
            raise UnsafeQuery(f"reading files or URLs is not allowed ({str(err).strip()})") from None
        except duckdb.Error as err:
            if timed_out.is_set():
                raise QueryTimeout(f"query stopped after the {timeout_s:g} s time limit") from None
            raise QueryFailed(str(err).strip()) from None
        finally:
            con.close()
    finally:
        shutil.rmtree(spill_dir, ignore_errors=True)
    truncated = frame.height > max_rows
    if truncated:
        frame = frame.head(max_rows)
    return SafeResult(frame=frame, truncated=truncated, elapsed_s=time.monotonic() - started)


def query_to_frame(db_path: Path, sql: str, **limits: float) -> pl.DataFrame:
    """Just the frame (for callers that show `truncated` some other way or not at all)."""
    return run_safe_query(db_path, sql, **limits).frame  # type: ignore[arg-type]
