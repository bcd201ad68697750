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

from pipeline.database import Database, quote_ident, quote_literal

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


def _select(db: Database, table: str, fmt: Format) -> str:
    """SELECT of one of our tables (the name is ours, never the catalog's); for CSV, nested columns (lists, JSON)
    become JSON text so every reader can parse them. Column names come from the file's catalog, which a
    downloaded file controls: each is quoted as an identifier, so no name can end the SELECT."""
    if fmt == "parquet":
        return f"SELECT * FROM hub.{quote_ident(table)}"
    exprs = [
        f"to_json({quote_ident(c)}) AS {quote_ident(c)}" if _nested(t) else quote_ident(c) for c, t in db.columns(table)
    ]
    return f"SELECT {', '.join(exprs)} FROM hub.{quote_ident(table)}"


def _nested(data_type: str) -> bool:
    return data_type.endswith("]") or data_type.startswith(("STRUCT", "MAP", "UNION"))


def export_snapshots(db: Path, out_dir: Path, fmt: Format) -> dict[str, int]:
    """Write the export into `out_dir` (its previous export files are replaced). Returns rows per table."""
    options = _format_options(fmt)
    out_dir = Path(out_dir)
    counts: dict[str, int] = {}
    with Database(db) as ro:
        missing = [t for t in (PARTITIONED_TABLE, *SINGLE_FILE_TABLES) if t not in ro.tables()]
        if missing:
            raise ValueError(f"{db} has no {', '.join(missing)}: not a HubScope DB to export")
        out_dir.mkdir(parents=True, exist_ok=True)
        con = ro.con
        # One read transaction: every file comes from the same state of the DB.
        con.execute("BEGIN TRANSACTION")
        target = out_dir / PARTITIONED_TABLE
        # PARTITION_BY refuses a non-empty directory unless told to overwrite; a stale partition from an older
        # export (e.g. a date compaction removed since) must not survive either, so start from empty.
        shutil.rmtree(target, ignore_errors=True)
        con.execute(
            f"COPY ({_select(ro, PARTITIONED_TABLE, fmt)} ORDER BY snapshot_date, series, model_id) "
            f"TO {quote_literal(str(target))} ({options}, PARTITION_BY (snapshot_date))"
        )
        counts[PARTITIONED_TABLE] = _count(ro, PARTITIONED_TABLE)
        for table in SINGLE_FILE_TABLES:
            path = out_dir / f"{table}.{fmt}"
            con.execute(f"COPY ({_select(ro, table, fmt)}) TO {quote_literal(str(path))} ({options})")
            counts[table] = _count(ro, table)
        con.execute("COMMIT")
    log.info("exported %s to %s as %s", counts, out_dir, fmt)
    return counts


def _count(db: Database, table: str) -> int:
    return int(db.con.sql(f"SELECT count(*) FROM hub.{quote_ident(table)}").fetchall()[0][0])
