"""Small helpers shared by the test modules (tests/ is on sys.path under pytest's default import mode)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb


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
