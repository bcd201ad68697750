"""Small helpers shared by the test modules (tests/ is on sys.path under pytest's default import mode)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb


def sql_rows(db: Path, sql: str) -> list[tuple]:
    """Rows of `sql` on the DB file, opened read-only and closed again."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql(sql).fetchall()
    finally:
        con.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
