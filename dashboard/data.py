"""Read-only data access for the dashboard: pages only call `run(name, params)`.

- One in-memory DuckDB with the DB file ATTACHed READ_ONLY (`pipeline.database.Database`), cached with
  `st.cache_resource(max_entries=1)` keyed on the file's identity (inode, mtime, size): a refresh that swaps the
  file in shows on the next rerun, no restart; the old connection is closed when the new one replaces it.
- Query results cached with `st.cache_data` keyed on (file identity, query name, parameters).
- Each query is `sql/queries/<name>.sql`. Parameters are passed as DuckDB variables (`SET VARIABLE name = …` on
  the query's own cursor, read in SQL with `getvariable('name')` and a COALESCE default), so every file also runs
  as-is in the duckdb CLI.
- The rollup tables and query macros come from `sql/rollups.sql`, which the pipeline runs inside each new DB.
  If a DB lacks them (built by an older pipeline), they are built once in the in-memory session instead.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl
import streamlit as st

from pipeline.database import Database, file_identity, load_sql
from pipeline.paths import db_path

# Objects sql/rollups.sql creates; when the DB file lacks any of them the session builds them in memory.
ROLLUP_TABLES = (
    "rollup_grid", "rollup_models", "rollup_snapshots", "rollup_series", "rollup_tags", "rollup_movers",
    "rollup_movers_span", "rollup_info",
)  # fmt: skip
ROLLUP_MACROS = ("hs_class", "hs_keep", "hs_models", "hs_by_org")


class DashboardDB:
    """A Database plus the rollups (in the file, or built in this in-memory session)."""

    def __init__(self, path: Path) -> None:
        self.ro = Database(path)
        self.identity = self.ro.identity
        self.rollups_in_file = self._has_rollups()
        if not self.rollups_in_file:
            con = self.ro.con
            con.execute("USE memory")
            con.execute("SET search_path = 'memory.main,hub.main'")
            con.execute(load_sql("rollups"))
            con.execute("USE hub")

    def _has_rollups(self) -> bool:
        names = {
            r[0]
            for r in self.ro.con.sql(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = 'hub' "
                "UNION ALL SELECT function_name FROM duckdb_functions() WHERE database_name = 'hub'"
            ).fetchall()
        }
        return set(ROLLUP_TABLES + ROLLUP_MACROS) <= names

    def query(self, name: str, params: dict[str, Any]) -> pl.DataFrame:
        cur = self.ro.con.cursor()
        try:
            cur.execute("USE hub")  # cursors do not inherit USE
            cur.execute("SET search_path = 'hub.main,memory.main'")
            for key, value in params.items():
                if value is None:
                    continue
                if not key.isidentifier():
                    raise ValueError(f"bad parameter name {key!r}")
                cast = "::VARCHAR[]" if isinstance(value, list | tuple) else ""
                cur.execute(f"SET VARIABLE {key} = $v{cast}", {"v": list(value) if cast else value})
            rel = cur.sql(load_sql(f"queries/{name}"))
            return rel.pl() if rel is not None else pl.DataFrame()
        finally:
            cur.close()

    def close(self) -> None:
        self.ro.close()


# No on_release close: when a refresh swaps the file, other sessions may still be running queries on the old
# connection. Dropping it from the cache lets the last user's reference close it (garbage collection).
@st.cache_resource(max_entries=1, show_spinner=False)
def _open(path: str, identity: tuple[int, int, int]) -> DashboardDB:  # noqa: ARG001 (identity is the cache key)
    return DashboardDB(Path(path))


@st.cache_data(max_entries=1024, show_spinner=False)
def _cached(path: str, identity: tuple[int, int, int], name: str, params: tuple[tuple[str, Any], ...]) -> pl.DataFrame:
    return _open(path, identity).query(name, dict(params))


def _freeze(value: Any) -> Any:
    return tuple(value) if isinstance(value, list | tuple) else value


def current_path() -> Path:
    return db_path()


def identity() -> tuple[int, int, int]:
    return file_identity(current_path())


def run(name: str, params: dict[str, Any] | None = None) -> pl.DataFrame:
    """The result of `sql/queries/<name>.sql` with `params` as DuckDB variables (cached per file identity)."""
    path = current_path()
    frozen = tuple(sorted((k, _freeze(v)) for k, v in (params or {}).items()))
    try:
        return _cached(str(path), file_identity(path), name, frozen)
    except FileNotFoundError:
        # The file vanished between stat and open (a swap in progress): one retry with the new identity.
        return _cached(str(path), file_identity(path), name, frozen)


def one(name: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    """The first row of a one-row query as a dict ({} when empty)."""
    frame = run(name, params)
    return frame.row(0, named=True) if frame.height else {}


def rollups_in_file() -> bool:
    path = current_path()
    return _open(str(path), file_identity(path)).rollups_in_file


def age_text(then: dt.datetime | dt.date | None, now: dt.datetime | None = None) -> str:
    """'3 h ago', '12 days ago' (naive datetimes are UTC)."""
    if then is None:
        return "never"
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    if not isinstance(then, dt.datetime):
        then = dt.datetime.combine(then, dt.time())
    seconds = (now - then).total_seconds()
    if seconds < 3600:
        return f"{max(0, int(seconds // 60))} min ago"
    if seconds < 2 * 86400:
        return f"{int(seconds // 3600)} h ago"
    return f"{int(seconds // 86400)} days ago"


def runs() -> pl.DataFrame:
    """Every refresh attempt: the DB's refresh_runs plus journal-only ones (failed, killed, running)."""
    from pipeline.product.status import all_runs

    rows = all_runs(current_path())
    if not rows:
        return pl.DataFrame()
    keep = ["run_id", "status", "started_at", "finished_at", "source", "models_seen", "models_new",
            "models_rejected", "snapshot_rows", "error"]  # fmt: skip
    return pl.DataFrame([{k: r.get(k) for k in keep} for r in rows], infer_schema_length=None).with_columns(
        pl.col("started_at", "finished_at", "source", "error", "status").cast(pl.String)
    )


def schema_sql() -> str:
    return load_sql("schema")


class SafeOutcome:
    def __init__(self, frame: pl.DataFrame | None = None, truncated: bool = False, elapsed_s: float = 0.0,
                 error: str | None = None) -> None:  # fmt: skip
        self.frame, self.truncated, self.elapsed_s, self.error = frame, truncated, elapsed_s, error


def safe_query(sql: str, max_rows: int = 10_000, timeout_s: float = 10.0) -> SafeOutcome:
    """The Data page's SQL box, through pipeline.product.safe_sql."""
    from pipeline.product import safe_sql

    try:
        result = safe_sql.run_safe_query(current_path(), sql, max_rows=max_rows, timeout_s=timeout_s)
    except safe_sql.UnsafeQuery as err:
        return SafeOutcome(error=f"Refused: {err}")
    except safe_sql.QueryTimeout:
        return SafeOutcome(error=f"Stopped: the query ran longer than {timeout_s:.0f} s.")
    except Exception as err:  # noqa: BLE001 (a user's SQL error is shown, not raised)
        return SafeOutcome(error=f"Query failed: {type(err).__name__}: {err}")
    return SafeOutcome(result.frame, result.truncated, result.elapsed_s)
