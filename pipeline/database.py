"""Read-only access to the DB file and the `.sql` files, loaded by name.

Readers never open the file read-write: an in-memory DuckDB ATTACHes it READ_ONLY as `hub`, so any number of
readers (dashboard, CLI, the duckdb shell) coexist, and a refresh that swaps in a new file never blocks on them.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from pipeline.paths import SQL_DIR


@cache
def load_sql(name: str) -> str:
    """The text of `sql/<name>.sql` (subfolders allowed: 'queries/overview_kpis')."""
    path = (SQL_DIR / f"{name}.sql").resolve()
    if SQL_DIR.resolve() not in path.parents:
        raise ValueError(f"not a SQL file of this project: {name}")
    return path.read_text()


def file_identity(path: Path) -> tuple[int, int, int]:
    """Changes whenever a refresh swaps in a new file (new inode) or the file is rewritten."""
    st = os.stat(path)
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class Database:
    """One in-memory DuckDB with the file attached read-only; a cursor per query, so threads can share it."""

    def __init__(self, path: Path) -> None:
        if not Path(path).exists():
            raise FileNotFoundError(f"no HubScope DB at {path}: run `python -m pipeline refresh` first")
        self.path = Path(path)
        self.identity = file_identity(self.path)
        self.con = duckdb.connect()
        self.con.execute(f"ATTACH {quote_literal(str(self.path))} AS hub (READ_ONLY)")
        self.con.execute("USE hub")

    def query(self, sql: str, params: dict[str, Any] | list[Any] | None = None) -> pl.DataFrame:
        cur = self.con.cursor()
        try:
            cur.execute("USE hub")  # cursors do not inherit USE
            rel = cur.sql(sql, params=params)
            return rel.pl() if rel is not None else pl.DataFrame()
        finally:
            cur.close()

    def query_named(self, name: str, params: dict[str, Any] | list[Any] | None = None) -> pl.DataFrame:
        return self.query(load_sql(name), params)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
