"""How the writer's next file starts: copy or migrate the previous one, never trusting what it contains.

- The previous file records its migrations and has the storage version asked for: a byte copy (about a second
  for a 3M-model file), derived objects dropped, the migrations it lacks applied.
- It records its migrations but has another storage version: its whole database is copied into a file of that
  version (`COPY FROM DATABASE`), then as above.
- It has no `schema_migrations` (written before migrations existed): a new file from the baseline migration
  (001), its rows copied by column name for the columns both have, then the later migrations in order.
- No previous file: a fresh file from `sql/schema.sql`.

A DB file is something users download, so every name read from its catalog is quoted with
`quote_identifier`, and DDL is only ever taken from our own `sql/schema.sql`.
"""

from __future__ import annotations

import logging
from functools import cache

import duckdb

from pipeline.database import in_memory_connection, load_sql
from pipeline.paths import sidecar
from pipeline.store import migrations
from pipeline.store.rebuild import Rebuild, quote_identifier

log = logging.getLogger(__name__)


@cache
def _schema_catalog() -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    con = in_memory_connection()
    try:
        con.execute(load_sql("schema"))
        columns: dict[str, dict[str, str]] = {}
        for table, column, dtype in con.sql(
            "SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE database_name = 'memory' "
            "ORDER BY table_name, column_index"
        ).fetchall():
            columns.setdefault(table, {})[column] = dtype
        ddl = dict(con.sql("SELECT table_name, sql FROM duckdb_tables() WHERE database_name = 'memory'").fetchall())
        return columns, ddl
    finally:
        con.close()


def schema_columns() -> dict[str, dict[str, str]]:
    """Table → column → type, as sql/schema.sql creates them (in order)."""
    return _schema_catalog()[0]


def schema_statement(table: str) -> str:
    """The CREATE TABLE statement of one of our tables, as DuckDB renders sql/schema.sql's definition."""
    return _schema_catalog()[1][table]


def _previous(con: duckdb.DuckDBPyConnection, rebuild: Rebuild) -> tuple[set[int] | None, str | None]:
    """(migrations the previous file records, or None; its storage version)."""
    rebuild.attach_previous("old")
    try:
        done = migrations.applied(con, "old")
        tags = con.sql("SELECT tags FROM duckdb_databases() WHERE database_name = 'old'").fetchall()
        version = str((tags[0][0] or {}).get("storage_version", "")).rstrip("+") or None
        return done, version
    finally:
        rebuild.detach("old")


def _same_version(asked: str | None, found: str | None) -> bool:
    # DuckDB tags a file with the first release of its format (v2.0.1 asked → 'v2.0.0'): compare major.minor
    return asked is not None and found is not None and asked.split(".")[:2] == found.split(".")[:2]


def open_next(rebuild: Rebuild, con: duckdb.DuckDBPyConnection) -> None:
    """Enter `rebuild` with the next file ready for a run: our tables, the previous rows, no derived objects."""
    db = rebuild.db
    done: set[int] | None = None
    version: str | None = None
    if db.exists():
        done, version = _previous(con, rebuild)
    byte_copy = done is not None and _same_version(rebuild.storage_version, version)
    byte_copy = byte_copy and not sidecar(db, ".wal").exists()  # a WAL holds changes the bytes do not
    rebuild.copy_previous = byte_copy
    rebuild.__enter__()
    try:
        if done is not None:
            if not byte_copy:
                log.info("the previous file has storage version %s: copying it into %s", version,
                         rebuild.storage_version)  # fmt: skip
                rebuild.attach_previous("old")
                con.execute("COPY FROM DATABASE old TO new")
                rebuild.detach("old")
            drop_derived(con)
            applied = migrations.apply_pending(con, done)
            if applied:
                log.info("applied migrations: %s", ", ".join(f"{m.version:03d}_{m.name}" for m in applied))
            con.execute(load_sql("schema"))
        elif db.exists():
            log.info("the previous file predates schema migrations: copying its rows by column name")
            baseline = migrations.available()[0]
            con.execute(baseline.sql)
            copy_rows_by_name(con, rebuild)
            migrations.apply_pending(con, set())  # the baseline is idempotent (IF NOT EXISTS); then the rest
            con.execute(load_sql("schema"))
        else:
            con.execute(load_sql("schema"))
            migrations.record_all(con)
    except BaseException:
        rebuild.__exit__(None, None, None)
        raise


def drop_derived(con: duckdb.DuckDBPyConnection) -> None:
    """In a copied file: drop every view and macro and every table sql/schema.sql does not create (derived SQL
    and config tables are rebuilt at commit), so the copy holds what a fresh file would, and nothing of the
    previous file's SQL runs before our own replaces it."""
    ours = set(schema_columns())
    con.execute("BEGIN")  # one transaction: dozens of DROPs, each committed alone, took over a second
    for name, kind in con.sql(
        "SELECT view_name, 'VIEW' FROM duckdb_views() WHERE database_name = 'new' AND schema_name = 'main' "
        "AND NOT internal UNION ALL SELECT table_name, 'TABLE' FROM duckdb_tables() WHERE database_name = 'new' "
        "AND schema_name = 'main'"
    ).fetchall():
        if kind == "VIEW" or name not in ours:
            con.execute(f"DROP {kind} IF EXISTS new.main.{quote_identifier(name)}")
    for name, kind in con.sql(
        "SELECT DISTINCT function_name, function_type FROM duckdb_functions() WHERE database_name = 'new' "
        "AND schema_name = 'main' AND function_type IN ('macro', 'table_macro')"
    ).fetchall():
        table = "TABLE " if kind == "table_macro" else ""
        con.execute(f"DROP MACRO {table}IF EXISTS new.main.{quote_identifier(name)}")
    con.execute("COMMIT")


def copy_rows_by_name(con: duckdb.DuckDBPyConnection, rebuild: Rebuild) -> None:
    """Rows of the previous file into the new file's tables (the baseline's), for the columns both have (added
    columns stay NULL). Only names from the new file, which our SQL created, are used: the previous file's
    catalog only decides which of them it has."""
    rebuild.attach_previous("old")
    try:
        pairs = con.sql(
            "SELECT n.table_name, n.column_name FROM duckdb_columns() n JOIN duckdb_columns() o "
            "ON o.database_name = 'old' AND o.schema_name = 'main' AND o.table_name = n.table_name "
            "AND o.column_name = n.column_name "
            "JOIN duckdb_tables() t ON t.database_name = 'new' AND t.schema_name = 'main' "
            "AND t.table_name = n.table_name "
            "WHERE n.database_name = 'new' AND n.schema_name = 'main' AND n.table_name <> 'schema_migrations' "
            "ORDER BY n.table_name, n.column_index"
        ).fetchall()
        by_table: dict[str, list[str]] = {}
        for table, column in pairs:
            by_table.setdefault(table, []).append(quote_identifier(column))
        for table, columns in by_table.items():
            shared, name = ", ".join(columns), quote_identifier(table)
            con.execute(f"INSERT INTO new.main.{name} ({shared}) SELECT {shared} FROM old.main.{name}")
    finally:
        rebuild.detach("old")
