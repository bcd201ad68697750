"""The one way to read the DB file, and the `.sql` files loaded by name.

Readers never open the file read-write: an in-memory DuckDB ATTACHes it READ_ONLY as `hub`, so any number of
readers (dashboard, CLI, the duckdb shell) coexist, and a refresh that swaps in a new file never blocks on them.
Each query runs on its own cursor, so one `Database` can be shared by threads (a Streamlit cache_resource).
`Database.locked_down(...)` is the same class in the mode user SQL runs in (pipeline/product/safe_sql.py).
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from pipeline.paths import DATA_DIR, SQL_DIR

Params = dict[str, Any] | list[Any] | None
REBUILD_HINT = "python -m pipeline refresh --from-snapshot data/snapshot"
# Types polars cannot import from Arrow (INTERVAL, UNION, TIME WITH TIME ZONE), also inside lists/structs.
_UNPRINTABLE = re.compile(r"\bINTERVAL\b|\bUNION\(|TIME WITH TIME ZONE|\bTIMETZ\b")
# Lockdown for user SQL. Order matters: the DB is attached before external access is switched off (ATTACH is
# then refused), the spill directory is set before it (the temp directory stays readable when external access
# is off, so it must be private and empty), and lock_configuration comes last.
_LOCKDOWN = (
    "SET enable_progress_bar = false",
    "SET autoinstall_known_extensions = false",
    "SET autoload_known_extensions = false",
    "SET allow_community_extensions = false",
    "SET enable_external_access = false",
    "SET lock_configuration = true",
)


class DatabaseError(Exception):
    """The DB file cannot be used; the message is one line a user can act on."""


class MissingDatabase(DatabaseError, FileNotFoundError):
    def __init__(self, path: Path) -> None:
        super().__init__(
            f"no HubScope DB at {path}: build it with `{REBUILD_HINT}` (offline) or `python -m pipeline refresh`"
        )


class NotADatabase(DatabaseError):
    """A junk, truncated or corrupt file, a directory, or a DuckDB file without the HubScope tables."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(
            f"{path} is not a HubScope DuckDB database ({reason}): rebuild it with `{REBUILD_HINT}` "
            f"after moving it away, or restore your last good copy of the file"
        )


@cache
def load_sql(name: str) -> str:
    """The text of `sql/<name>.sql` (subfolders allowed: 'queries/overview_kpis')."""
    path = (SQL_DIR / f"{name}.sql").resolve()
    if SQL_DIR.resolve() not in path.parents:
        raise ValueError(f"not a SQL file of this project: {name}")
    return path.read_text()


# What the derived SQL reads besides the tables: sql/rollups.sql's validation reads the published figures.
DERIVED_VARIABLES = {"published_figures": str(DATA_DIR / "published_figures.csv")}


def set_derived_variables(con: duckdb.DuckDBPyConnection) -> None:
    for key, value in DERIVED_VARIABLES.items():
        con.execute(f"SET VARIABLE {key} = $v", {"v": value})


# A run of sql/rollups.sql's statements naming these variables runs once per range of model keys, as many ranges as
# the variable `days_key_ranges` says when the run starts (the SQL sets it from the spans to decode), so that their
# windows per model fit the memory cap at Hub scale. Run as-is (the duckdb CLI), one pass takes every key.
KEY_RANGE_VARIABLES = ("days_key_lo", "days_key_hi")


def run_derived(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Run sql/<name>.sql (macros, views, rollups, …) with the variables it reads set."""
    for statement in derived_statements(con, name):
        con.execute(statement)


def derived_statements(con: duckdb.DuckDBPyConnection, name: str) -> Iterator[Any]:
    """sql/<name>.sql's statements in the order to execute them on `con`, each before the next is asked for: a run of
    statements naming KEY_RANGE_VARIABLES comes once per range of model keys, with the variables set for it."""
    set_derived_variables(con)
    statements = con.extract_statements(load_sql(name))
    i = 0
    while i < len(statements):
        j = i
        while j < len(statements) and KEY_RANGE_VARIABLES[0] in statements[j].query:
            j += 1
        if j == i:
            yield statements[i]
            i += 1
            continue
        for lo, hi in _key_ranges(con):
            con.execute(f"SET VARIABLE {KEY_RANGE_VARIABLES[0]} = $lo", {"lo": lo})
            con.execute(f"SET VARIABLE {KEY_RANGE_VARIABLES[1]} = $hi", {"hi": hi})
            yield from statements[i:j]
        for variable in KEY_RANGE_VARIABLES:
            con.execute(f"RESET VARIABLE {variable}")
        i = j


def _key_ranges(con: duckdb.DuckDBPyConnection) -> list[tuple[int, int]]:
    """`days_key_ranges` equal [lo, hi) ranges of the history's model keys (keys hold similar numbers of spans)."""
    count, top = con.sql(
        "SELECT coalesce(getvariable('days_key_ranges'), 1), coalesce((SELECT max(model_key) FROM history_keys), 0)"
    ).fetchall()[0]
    step = -(-(top + 1) // max(1, count))
    return [(lo, lo + step) for lo in range(0, top + 1, step)]


def file_identity(path: Path) -> tuple[int, int, int]:
    """Changes whenever a refresh swaps in a new file (new inode) or the file is rewritten."""
    st = os.stat(path)
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def quote_literal(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def scratch() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with nothing attached, for reading a file that is not the DB (a dump's Parquet)."""
    return duckdb.connect()


def quote_ident(name: str) -> str:
    """A SQL identifier, whatever characters it holds (names read from a DB's catalog are untrusted input)."""
    if "\x00" in name:
        raise ValueError("identifier contains a NUL character")
    return '"' + name.replace('"', '""') + '"'


def _reason(err: duckdb.Error) -> str:
    text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    if "Is a directory" in text:
        return "it is a directory"
    if "not a valid DuckDB database" in text:
        return "not a DuckDB file"
    if "Could not read enough bytes" in text or "truncated" in text.lower():
        return "the file is truncated"
    return text.removeprefix("IO Error: ").removeprefix("Serialization Error: ")[:200]


def _is_corruption(err: duckdb.Error) -> bool:
    return isinstance(err, duckdb.IOException | duckdb.SerializationException | duckdb.InternalException)


@dataclass
class Result:
    frame: pl.DataFrame
    truncated: bool  # more rows existed than max_rows; frame holds the first max_rows
    elapsed_s: float


def in_memory_connection() -> duckdb.DuckDBPyConnection:
    """A fresh in-memory DuckDB (Database, the SQL worker's spare child, reading what sql/schema.sql creates)."""
    return duckdb.connect()


class QueryInterrupted(duckdb.InterruptException):
    """Database.execute ran past its time_limit."""


class Database:
    """One in-memory DuckDB with the file attached read-only as `hub`; a cursor per query, so threads can share it."""

    def __init__(
        self,
        path: Path,
        *,
        settings: tuple[str, ...] = (),
        require: str | None = "models",
        con: duckdb.DuckDBPyConnection | None = None,
    ) -> None:
        """`con`: a fresh in-memory connection to use (and close) instead of opening one (the SQL worker opens it
        before its query arrives: an instance costs ~10 ms to start)."""
        self.path = Path(path)
        if not self.path.exists():
            if con is not None:
                con.close()
            raise MissingDatabase(self.path)
        self.identity = file_identity(self.path)
        self.con = con if con is not None else in_memory_connection()
        try:
            try:
                self.con.execute(f"ATTACH {quote_literal(str(self.path))} AS hub (READ_ONLY)")
            except duckdb.Error as err:
                raise NotADatabase(self.path, _reason(err)) from None
            self.con.execute("USE hub")
            if require and require not in self.tables():
                raise NotADatabase(self.path, f"no `{require}` table")
            for statement in settings:
                self.con.execute(statement)
        except BaseException:
            self.con.close()
            raise

    @classmethod
    def locked_down(
        cls,
        path: Path,
        spill_dir: Path,
        *,
        memory_limit: str = "1GB",
        spill_limit: str = "2GB",
        threads: int = 2,
        require: str | None = None,
        con: duckdb.DuckDBPyConnection | None = None,
    ) -> Database:
        """The mode user SQL runs in: nothing but the attached DB reachable, memory capped, settings locked."""
        return cls(
            path,
            require=require,
            con=con,
            settings=(
                f"SET memory_limit = {quote_literal(memory_limit)}",
                f"SET threads = {int(threads)}",
                f"SET temp_directory = {quote_literal(str(spill_dir))}",
                f"SET max_temp_directory_size = {quote_literal(spill_limit)}",
                *_LOCKDOWN,
            ),
        )

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        cur = self.con.cursor()
        cur.execute("USE hub")  # cursors do not inherit USE
        return cur

    def _corrupt(self, err: duckdb.Error) -> DatabaseError | duckdb.Error:
        """A read error from a damaged file (a truncated DB can attach, then fail on the first page it reads)."""
        if _is_corruption(err) and ("Could not read" in str(err) or "Corrupt" in str(err)):
            return NotADatabase(self.path, _reason(err))
        return err

    def query(self, sql: str, params: Params = None) -> pl.DataFrame:
        cur = self._cursor()
        try:
            rel = cur.sql(sql, params=params)
            return to_frame(rel) if rel is not None else pl.DataFrame()
        except duckdb.Error as err:
            raise self._corrupt(err) from None
        finally:
            cur.close()

    def query_named(self, name: str, params: Params = None) -> pl.DataFrame:
        return self.query(load_sql(name), params)

    def execute(self, sql: str, params: Params = None, *, max_rows: int = 10_000, time_limit: float = 30.0) -> Result:
        """At most max_rows rows (the LIMIT is pushed into the plan, nothing past it is materialized); the query is
        interrupted after time_limit seconds (QueryInterrupted). For trusted SQL: user SQL goes through safe_sql,
        which also runs it in a child process with hard limits."""
        started = time.monotonic()
        cur = self._cursor()
        fired = threading.Event()

        def interrupt() -> None:
            fired.set()
            cur.interrupt()

        timer = threading.Timer(time_limit, interrupt)
        timer.daemon = True
        timer.start()
        try:
            rel = cur.sql(sql, params=params)
            frame = to_frame(rel.limit(max_rows + 1)) if rel is not None else pl.DataFrame()
        except duckdb.InterruptException:
            if fired.is_set():
                raise QueryInterrupted(f"query stopped after the {time_limit:g} s time limit") from None
            raise
        except duckdb.Error as err:
            raise self._corrupt(err) from None
        finally:
            timer.cancel()
            cur.close()
        truncated = frame.height > max_rows
        return Result(frame.head(max_rows), truncated, time.monotonic() - started)

    def _catalog(self, sql: str, params: Params = None) -> list[tuple[Any, ...]]:
        cur = self.con.cursor()
        try:
            return cur.sql(sql, params=params).fetchall()
        finally:
            cur.close()

    def tables(self) -> dict[str, str]:
        """{name: 'table' | 'view'} of the attached DB (our own tables and views; DuckDB's internal ones left out)."""
        return dict(
            self._catalog(
                "SELECT table_name, 'table' FROM duckdb_tables() WHERE database_name = 'hub' AND NOT internal "
                "UNION ALL SELECT view_name, 'view' FROM duckdb_views() WHERE database_name = 'hub' AND NOT internal"
            )
        )

    def columns(self, table: str) -> list[tuple[str, str]]:
        """[(column name, DuckDB type)] of a table or view, in order."""
        return self._catalog(
            "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = 'hub' AND table_name = $t "
            "ORDER BY column_index",
            {"t": table},
        )

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def printable(rel: duckdb.DuckDBPyRelation) -> duckdb.DuckDBPyRelation:
    """The relation with columns polars cannot import (INTERVAL, UNION, TIMETZ, also nested) cast to text."""
    exprs = [
        f"CAST({quote_ident(c)} AS VARCHAR) AS {quote_ident(c)}" if _UNPRINTABLE.search(str(t)) else quote_ident(c)
        for c, t in zip(rel.columns, rel.types, strict=True)
    ]
    if all(not e.startswith("CAST(") for e in exprs):
        return rel
    return rel.project(", ".join(exprs))


def to_frame(rel: duckdb.DuckDBPyRelation) -> pl.DataFrame:
    return printable(rel).pl()
