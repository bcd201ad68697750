"""Read-only data access for the dashboard: pages only call `run(name, params)`.

- One in-memory DuckDB with the DB file attached read-only (`pipeline.database.Database`), cached with
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
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import streamlit as st

from dashboard import format as fmt
from dashboard.charts import Band
from pipeline.database import Database, DatabaseError, file_identity, load_sql, run_derived
from pipeline.paths import db_path

# DuckDB warns that Arrow from an executed cursor copies the rows once; for page-sized results that copy costs far
# less than the second bind of the query a relation (cursor.sql) would do.
warnings.filterwarnings("ignore", message="Arrow output on a DB-API result", category=UserWarning)

# What sql/rollups.sql creates (its scratch tables start with '_') and the rollup tables sql/schema.sql creates for
# it, read from the SQL itself so no second list is kept here; a file lacking any of them gets an in-memory build.
_CREATED = re.compile(r"^CREATE (?:OR REPLACE )?(?:TABLE|MACRO)(?: IF NOT EXISTS)? ([a-z]\w*)", re.M)
ROLLUP_STATE = re.compile(r"CREATE TABLE IF NOT EXISTS rollup_\w+")  # sql/schema.sql's statements of those tables


def rollup_objects() -> set[str]:
    state = {name for name in _CREATED.findall(load_sql("schema")) if name.startswith("rollup_")}
    return set(_CREATED.findall(load_sql("rollups"))) | state


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
            self._create_rollup_state()
            run_derived(con, "rollups")
            con.execute("USE hub")

    def _create_rollup_state(self) -> None:
        """The rollups' state tables, empty, in this session (sql/schema.sql creates them in every file the writer
        builds; sql/rollups.sql expects them), so the in-memory build starts over and never writes to the file."""
        for statement in self.ro.con.extract_statements(load_sql("schema")):
            if ROLLUP_STATE.search(statement.query):
                self.ro.con.execute(statement.query)

    def _has_rollups(self) -> bool:
        names = {
            r[0]
            for r in self.ro.con.sql(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = 'hub' "
                "UNION ALL SELECT function_name FROM duckdb_functions() WHERE database_name = 'hub'"
            ).fetchall()
        }
        return rollup_objects() <= names

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
            # execute, not sql(): a relation binds the query once to learn its columns and again to run it,
            # and binding is most of the cost of the bigger (macro-built) queries
            cur.execute(load_sql(f"queries/{name}"))
            return pl.from_arrow(cur.to_arrow_table()) if cur.description is not None else pl.DataFrame()
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


def run(name: str, params: dict[str, Any] | None = None) -> pl.DataFrame:
    """The result of `sql/queries/<name>.sql` with `params` as DuckDB variables (cached per file identity)."""
    path = current_path()
    frozen = tuple(sorted((k, _freeze(v)) for k, v in (params or {}).items()))
    try:
        return _cached(str(path), file_identity(path), name, frozen)
    except FileNotFoundError:
        # The file vanished between stat and open (a swap in progress): one retry with the new identity.
        return _cached(str(path), file_identity(path), name, frozen)


def open_error() -> str | None:
    """None when the DB opens; else the one line that says why (missing, not a DuckDB file, truncated…)."""
    path = current_path()
    try:
        _open(str(path), file_identity(path))
    except (DatabaseError, OSError) as err:
        return str(err)
    return None


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


# Every run as one typed row, whether it comes from the DB's refresh_runs (datetimes) or the journal (ISO text):
# timestamps are shown in one format, counts are integers, anything else is text.
RUN_COLUMNS: dict[str, type[pl.DataType]] = {
    "run_id": pl.Int64, "status": pl.String, "started_at": pl.String, "finished_at": pl.String,
    "source": pl.String, "models_seen": pl.Int64, "models_new": pl.Int64, "models_rejected": pl.Int64,
    "snapshot_rows": pl.Int64, "error": pl.String,
}  # fmt: skip


def _run_value(column: str, value: Any) -> Any:
    if value is None:
        return None
    kind = RUN_COLUMNS[column]
    if column in ("started_at", "finished_at"):
        return fmt.timestamp(value)
    if kind is pl.Int64:
        try:
            return int(value)
        except (TypeError, ValueError, OverflowError):
            return None
    return str(value)


def runs() -> pl.DataFrame:
    """Every refresh attempt: the DB's refresh_runs plus journal-only ones (failed, killed, running)."""
    from pipeline.product.status import all_runs

    records = all_runs(current_path())
    rows = [r if isinstance(r, dict) else _as_dict(r) for r in records]
    return pl.DataFrame(
        [{c: _run_value(c, r.get(c)) for c in RUN_COLUMNS} for r in rows], schema=RUN_COLUMNS, orient="row"
    ) if rows else pl.DataFrame(schema=RUN_COLUMNS)  # fmt: skip


def _as_dict(record: Any) -> dict[str, Any]:
    """A typed run record (a dataclass with .row() or attributes) as a dict."""
    if hasattr(record, "row"):
        return record.row()
    return {c: getattr(record, c, None) for c in RUN_COLUMNS}


def schema_sql() -> str:
    return load_sql("schema")


@dataclass(frozen=True)
class Settings:
    """The rules the DB was built with (its config tables), which the sidebar and charts follow."""

    default_threshold: float
    bands: list[Band]
    has_test_flag: bool


def settings() -> Settings:
    """From config_classes/config_bands when the DB has them; else schema_info's boundary (default_threshold())
    and the bands observed in `models` (a DB built before the config tables existed)."""
    names = set(run("catalog_tables")["table_name"].to_list())
    classes = run("config_classes" if "config_classes" in names else "config_classes_fallback")
    bands = run("config_bands" if "config_bands" in names else "config_bands_fallback")
    cols = set(run("catalog_columns", {"table_name": "models"})["column_name"].to_list())
    return Settings(
        default_threshold=float(classes["slm_max_params"][0]),
        bands=[Band(b["label"], b["upper"]) for b in bands.to_dicts() if b["label"] != "unknown"],
        has_test_flag="is_test_repo" in cols,
    )


MAX_RESULT_BYTES = 32 * 1024 * 1024  # what the SQL box hands to st.dataframe and the CSV, at most


@dataclass
class SafeOutcome:
    frame: pl.DataFrame | None = None
    truncated: bool = False
    elapsed_s: float = 0.0
    error: str | None = None
    cut_bytes: bool = False


def flatten(frame: pl.DataFrame) -> pl.DataFrame:
    """Nested values as JSON text (safe_sql.flat, as the CLI writes them) and the other types a table cell cannot
    hold as text, so st.dataframe and the CSV take every result."""
    from pipeline.product import safe_sql

    out = safe_sql.flat(frame)
    odd = [c for c, t in out.schema.items() if t == pl.Null or isinstance(t, pl.Duration | pl.Time | pl.Decimal)]
    return out.with_columns(pl.col(c).cast(pl.String) for c in odd) if odd else out


def _one_line(err: BaseException) -> str:
    lines = str(err).strip().splitlines()
    return (lines[0] if lines else type(err).__name__)[:300]


def safe_query(sql: str, max_rows: int = 10_000, timeout_s: float = 10.0,
               max_bytes: int = MAX_RESULT_BYTES) -> SafeOutcome:  # fmt: skip
    """The Data page's SQL box, through pipeline.product.safe_sql (a child process with hard time, memory and
    result-size limits); the result flattened for display."""
    from pipeline.product import safe_sql

    try:
        result = safe_sql.run_safe_query(current_path(), sql, max_rows=max_rows, timeout_s=timeout_s,
                                         max_bytes=max_bytes)  # fmt: skip
    except safe_sql.UnsafeQuery as err:
        return SafeOutcome(error=f"Refused: {_one_line(err)}")
    except safe_sql.QueryTimeout:
        return SafeOutcome(error=f"Stopped: the query ran longer than {timeout_s:.0f} s.")
    except Exception as err:  # noqa: BLE001 (a user's SQL error is shown, not raised)
        return SafeOutcome(error=f"Query failed: {_one_line(err)}")
    try:
        frame = flatten(result.frame)
    except Exception as err:  # noqa: BLE001 (a result we cannot show is reported in one line, never a crash)
        return SafeOutcome(error=f"Query failed: the result cannot be shown ({_one_line(err)})")
    return SafeOutcome(frame, result.cut == "rows", result.elapsed_s, cut_bytes=result.cut == "bytes")


def csv_bytes(frame: pl.DataFrame) -> bytes:
    """CSV of a result; nested values as JSON text, as the CLI writes them (safe_sql.csv_bytes)."""
    from pipeline.product import safe_sql

    return safe_sql.csv_bytes(flatten(frame))


def default_sql() -> str:
    """The SQL box's starting query (sql/sql_box_default.sql) without its header comment."""
    return "\n".join(line for line in load_sql("sql_box_default").splitlines() if not line.startswith("--"))
