"""Retention for `model_snapshots` (history grows one row per model per refresh). `models` is never touched.

Policy, relative to the NEWEST snapshot in the DB (not the clock, so the result is deterministic), per series:
- every snapshot newer than `keep_all_days`;
- up to `daily_days` old: the latest snapshot of each calendar day (UTC);
- older: the latest snapshot of each ISO week (or nothing, with weekly=False).
"The latest of its day/week" is judged over all snapshots of the series, so compacting twice changes nothing.

The rewrite follows the refresh's safe-writer pattern: under the same refresh lock, a new file `<db>.tmp-<pid>`
gets the old file's schema (tables, views, macros) and the kept rows, is checkpointed and `os.replace`d onto the
DB. A kill at any point leaves the old file as it was; readers keep working throughout.
"""

from __future__ import annotations

import logging
import os
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import orjson
import polars as pl

from pipeline.database import quote_literal
from pipeline.paths import sidecar
from pipeline.store.lock import RefreshLock
from pipeline.store.writer import remove_stale_temp_files, swap_in

log = logging.getLogger(__name__)

TABLE = "model_snapshots"


@dataclass(frozen=True)
class RetentionPolicy:
    keep_all_days: int = 7
    daily_days: int = 90
    weekly: bool = True

    def __post_init__(self) -> None:
        if self.keep_all_days < 0 or self.daily_days < self.keep_all_days:
            raise ValueError("need 0 <= keep_all_days <= daily_days")


def plan_retention(snapshot_times: pl.DataFrame, policy: RetentionPolicy = RetentionPolicy()) -> pl.DataFrame:
    """For each distinct (series, snapshot_at): `tier` (all | daily | weekly | expired) and `keep`. Pure."""
    times = snapshot_times.select("series", "snapshot_at").unique()
    if times.is_empty():
        return times.with_columns(tier=pl.lit(None, pl.String), keep=pl.lit(None, pl.Boolean))
    newest = times["snapshot_at"].max()
    all_from = newest - timedelta(days=policy.keep_all_days)
    daily_from = newest - timedelta(days=policy.daily_days)
    at = pl.col("snapshot_at")
    day = at.dt.date()
    week = at.dt.iso_year() * 100 + at.dt.week()
    tier = (
        pl.when(at >= all_from)
        .then(pl.lit("all"))
        .when(at >= daily_from)
        .then(pl.lit("daily"))
        .when(pl.lit(policy.weekly))
        .then(pl.lit("weekly"))
        .otherwise(pl.lit("expired"))
    )
    latest_of_day = at == at.max().over("series", day)
    latest_of_week = at == at.max().over("series", week)
    keep = (
        pl.when(pl.col("tier") == "all")
        .then(True)
        .when(pl.col("tier") == "daily")
        .then(latest_of_day)
        .when(pl.col("tier") == "weekly")
        .then(latest_of_week)
        .otherwise(False)
    )
    return times.with_columns(tier=tier).with_columns(keep=keep).sort("series", "snapshot_at")


def _snapshot_times(con: duckdb.DuckDBPyConnection, catalog: str) -> pl.DataFrame:
    return con.sql(
        f"SELECT series, snapshot_at, count(*) AS rows FROM {catalog}.{TABLE} GROUP BY ALL ORDER BY ALL"
    ).pl()


def _storage_version(con: duckdb.DuckDBPyConnection, catalog: str) -> str:
    """The storage version the old file was written with ('v1.0.0+' → 'v1.0.0'), kept by the rewrite so a file
    made for duckdb 1.x clients stays readable by them."""
    tags = con.sql("SELECT tags FROM duckdb_databases() WHERE database_name = $c", params={"c": catalog}).fetchall()
    return str((tags[0][0] or {}).get("storage_version", "")).rstrip("+")


def compact(db: Path, policy: RetentionPolicy = RetentionPolicy(), dry_run: bool = False) -> dict[str, Any]:
    """Apply the policy to `db`. Returns counts; with dry_run, what would be dropped (the file is not touched)."""
    db = Path(db)
    if not db.exists():
        raise FileNotFoundError(f"no HubScope DB at {db}: run `python -m pipeline refresh` first")
    with RefreshLock(db):
        remove_stale_temp_files(db)
        con = duckdb.connect()
        tmp = sidecar(db, f".tmp-{os.getpid()}")
        try:
            con.execute(f"ATTACH {quote_literal(str(db))} AS old (READ_ONLY)")
            times = _snapshot_times(con, "old")
            plan = plan_retention(times, policy).join(times, on=["series", "snapshot_at"])
            dropped = plan.filter(~pl.col("keep"))
            result: dict[str, Any] = {
                "policy": asdict(policy),
                "dry_run": dry_run,
                "newest_snapshot_at": str(times["snapshot_at"].max()) if times.height else None,
                "snapshot_times_before": plan.height,
                "snapshot_times_dropped": dropped.height,
                "rows_before": int(plan["rows"].sum()),
                "rows_dropped": int(dropped["rows"].sum()),
                "models_rows": int(con.sql("SELECT count(*) FROM old.models").fetchall()[0][0]),
            }
            result["rows_after"] = result["rows_before"] - result["rows_dropped"]
            if dry_run or dropped.is_empty():
                log.info("compaction %s: nothing written (%s)", "dry run" if dry_run else "no-op", result)
                return result
            _rewrite(con, tmp, dropped.select("series", "snapshot_at"), result)
        except BaseException:
            con.close()
            for path in (tmp, sidecar(tmp, ".wal")):
                path.unlink(missing_ok=True)
            raise
        con.close()
        swap_in(tmp, db)
    log.info("compacted %s: dropped %d snapshot rows of %d", db, result["rows_dropped"], result["rows_before"])
    return result


def _rewrite(con: duckdb.DuckDBPyConnection, tmp: Path, dropped: pl.DataFrame, result: dict[str, Any]) -> None:
    """Build the compacted copy of `old` at `tmp`: same schema, views, macros and storage version."""
    tmp.unlink(missing_ok=True)
    version = _storage_version(con, "old")
    options = f" (STORAGE_VERSION {quote_literal(version)})" if version else ""
    con.execute(f"ATTACH {quote_literal(str(tmp))} AS new{options}")
    con.execute("COPY FROM DATABASE old TO new (SCHEMA)")
    tables = [t for (t,) in con.sql("SELECT table_name FROM duckdb_tables() WHERE database_name = 'old'").fetchall()]
    con.register("dropped_times", dropped)
    for table in tables:
        rows = f'SELECT * FROM old."{table}"'
        if table == TABLE:  # only the kept rows are written, so the new file holds no dead space
            rows += " ANTI JOIN dropped_times d USING (series, snapshot_at)"
        con.execute(f'INSERT INTO new."{table}" {rows}')
    con.unregister("dropped_times")
    con.execute(
        "INSERT OR REPLACE INTO new.schema_info VALUES ('last_compaction', $v)",
        parameters={"v": orjson.dumps(result, default=str).decode()},
    )
    after = con.sql(f"SELECT count(*) FROM new.{TABLE}").fetchall()[0][0]
    if after != result["rows_after"]:  # never swap in a file that lost more (or less) than the plan says
        raise RuntimeError(f"compaction kept {after} rows, the plan said {result['rows_after']}")
    models_after = con.sql("SELECT count(*) FROM new.models").fetchall()[0][0]
    if models_after != result["models_rows"]:
        raise RuntimeError("compaction changed models; refusing to swap")
    con.execute("CHECKPOINT new")
    con.execute("DETACH new")
