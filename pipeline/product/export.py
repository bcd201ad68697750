"""Export the DB for other engines: `model_snapshots` as a Hive-partitioned dataset by snapshot_date
(`model_snapshots/snapshot_date=2026-10-05/….parquet`), which Spark, Trino and DuckDB all read as one table
when history outgrows one machine; `models`, `model_lineage` and `refresh_runs` as single files.

The DB is attached READ_ONLY, so an export runs beside the dashboard and a refresh (which swaps in a new file).
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Literal

import duckdb

from pipeline.database import quote_literal

log = logging.getLogger(__name__)

Format = Literal["parquet", "csv"]
SINGLE_FILE_TABLES = ("models", "model_lineage", "refresh_runs")
PARTITIONED_TABLE = "model_snapshots"


def _format_options(fmt: Format) -> str:
    if fmt == "parquet":
        return "FORMAT parquet, COMPRESSION zstd"
    if fmt == "csv":
        return "FORMAT csv, HEADER true"
    raise ValueError(f"unknown export format {fmt!r}: parquet or csv")


def _select(con: duckdb.DuckDBPyConnection, table: str, fmt: Format) -> str:
    """SELECT of the table; for CSV, nested columns (lists, JSON) become JSON text so every reader can parse them."""
    if fmt == "parquet":
        return f"SELECT * FROM hub.{table}"
    cols = con.sql(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = 'hub' AND table_name = $t "
        "ORDER BY column_index",
        params={"t": table},
    ).fetchall()
    exprs = [f'to_json("{c}") AS "{c}"' if t.endswith("[]") or t.startswith("STRUCT") else f'"{c}"' for c, t in cols]
    return f"SELECT {', '.join(exprs)} FROM hub.{table}"


def export_snapshots(db: Path, out_dir: Path, fmt: Format) -> dict[str, int]:
    """Write the export into `out_dir` (its previous export files are replaced). Returns rows per table."""
    options = _format_options(fmt)
    if not Path(db).exists():
        raise FileNotFoundError(f"no HubScope DB at {db}: run `python -m pipeline refresh` first")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH {quote_literal(str(db))} AS hub (READ_ONLY)")
        # One read transaction: every file comes from the same state of the DB.
        con.execute("BEGIN TRANSACTION")
        target = out_dir / PARTITIONED_TABLE
        # PARTITION_BY refuses a non-empty directory unless told to overwrite; a stale partition from an older
        # export (e.g. a date compaction removed since) must not survive either, so start from empty.
        shutil.rmtree(target, ignore_errors=True)
        con.execute(
            f"COPY ({_select(con, PARTITIONED_TABLE, fmt)} ORDER BY snapshot_date, series, model_id) "
            f"TO {quote_literal(str(target))} ({options}, PARTITION_BY (snapshot_date))"
        )
        counts[PARTITIONED_TABLE] = _count(con, PARTITIONED_TABLE)
        for table in SINGLE_FILE_TABLES:
            path = out_dir / f"{table}.{fmt}"
            con.execute(f"COPY ({_select(con, table, fmt)}) TO {quote_literal(str(path))} ({options})")
            counts[table] = _count(con, table)
        con.execute("COMMIT")
    finally:
        con.close()
    log.info("exported %s to %s as %s", counts, out_dir, fmt)
    return counts


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return int(con.sql(f"SELECT count(*) FROM hub.{table}").fetchall()[0][0])
