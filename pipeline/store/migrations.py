"""Explicit schema migrations: `sql/migrations/NNN_name.sql`, applied in order, recorded in `schema_migrations`.

A fresh file is built from `sql/schema.sql`, which is by convention the layout after every migration, so a fresh
file records them all as applied. A file that already has `schema_migrations` gets only the ones it lacks, in
order, each recorded as it is applied. A file from before migrations existed (no `schema_migrations` table) is
rebuilt from `sql/schema.sql` with its rows copied by column name (the writer does that).

A migration that changes a table changes `sql/schema.sql` the same way, in the same commit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipeline.paths import SQL_DIR
from pipeline.store.rebuild import quote_identifier

MIGRATIONS_DIR = SQL_DIR / "migrations"
_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path

    @property
    def sql(self) -> str:
        return self.path.read_text()


def available(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Every migration file, in order. Versions are 1, 2, 3, … without gaps or repeats (a clash between two
    branches that both added 004_… must fail loudly, not apply one of them)."""
    found: list[Migration] = []
    for path in sorted(directory.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise ValueError(f"migration file name is not NNN_name.sql: {path.name}")
        found.append(Migration(int(match[1]), match[2], path))
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise ValueError(f"migration versions must be 1..{len(found)} without gaps or repeats, got {versions}")
    return found


def applied(con: duckdb.DuckDBPyConnection, catalog: str) -> set[int] | None:
    """Versions recorded in `catalog`; None when it has no schema_migrations table (a file from before them)."""
    has_table = con.sql(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = $c AND schema_name = 'main' "
        "AND table_name = 'schema_migrations'",
        params={"c": catalog},
    ).fetchall()[0][0]
    if not has_table:
        return None
    return {
        int(v) for (v,) in con.sql(f"SELECT version FROM {quote_identifier(catalog)}.main.schema_migrations").fetchall()
    }


def _record(con: duckdb.DuckDBPyConnection, migration: Migration) -> None:
    con.execute(
        "INSERT OR REPLACE INTO schema_migrations (version, name, applied_at) VALUES ($v, $n, $at)",
        parameters={"v": migration.version, "n": migration.name, "at": datetime.now(UTC).replace(tzinfo=None)},
    )


def apply_pending(con: duckdb.DuckDBPyConnection, done: set[int], directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Apply, on the connection's default catalog, every migration not in `done`, in order; returns them."""
    pending = [m for m in available(directory) if m.version not in done]
    for migration in pending:
        con.execute(migration.sql)
        _record(con, migration)
    return pending


def record_all(con: duckdb.DuckDBPyConnection, directory: Path = MIGRATIONS_DIR) -> None:
    """A file built from sql/schema.sql has the layout of every migration: record them as applied."""
    for migration in available(directory):
        _record(con, migration)
