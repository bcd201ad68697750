"""Compaction of the DB file. LOSSLESS by default: the history is re-encoded (pipeline/store/history.py: one row
per model per run of unchanged values), the file is rewritten without the dead space updates leave, and every
data point stays; the rewrite is checked (same rows, same checksum) before it is swapped in.

Dropping dates is separate and explicit: `compact(db, drop_dates=True, policy=RetentionPolicy(...))` (CLI
`compact --drop-dates`). It warns with the count of dates and data points that will go (the Hub keeps no
history: a dropped date can never be fetched again). Without drop_dates, a policy that would drop something is
refused with that count. Retention, relative to the NEWEST snapshot in the DB (not the clock), per series:
- every snapshot newer than `keep_all_days`;
- up to `daily_days` old: the latest snapshot of each calendar day (UTC);
- older: the latest snapshot of each ISO week (or nothing, with weekly=False).
"The latest of its day/week" is judged over all snapshots of the series, so compacting twice changes nothing.

The rewrite is an atomic rebuild (pipeline/store/rebuild.py) under the refresh lock: a kill at any point leaves
the old file as it was; readers keep working throughout.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import orjson
import polars as pl

from pipeline.database import Database, MissingDatabase, run_derived
from pipeline.store import history
from pipeline.store.lock import RefreshLock
from pipeline.store.rebuild import Rebuild, quote_identifier, remove_stale_temp_files, storage_version_of

log = logging.getLogger(__name__)

HISTORY_TABLES = ("history_keys", "history_slots", "history_spans")
# A checksum over every decoded data point: equal before and after a lossless compaction.
_CHECKSUM = (
    "SELECT count(*), coalesce(sum(hash(model_id, snapshot_at, series, run_id, downloads_30d, downloads_all_time, "
    "likes, trending_score)), 0) FROM {table}"
)


class CompactRefused(ValueError):
    """compact would drop data points but was not asked to (drop_dates=False)."""


@dataclass(frozen=True)
class RetentionPolicy:
    keep_all_days: int = 7
    daily_days: int = 90
    weekly: bool = True

    def __post_init__(self) -> None:
        if self.keep_all_days < 0 or self.daily_days < self.keep_all_days:
            raise ValueError("need 0 <= keep_all_days <= daily_days")


@dataclass
class CompactResult:
    db: str
    dry_run: bool
    drop_dates: bool
    policy: dict[str, Any] | None
    newest_snapshot_at: str | None
    snapshot_times_before: int
    snapshot_times_dropped: int
    rows_before: int
    rows_dropped: int
    models_rows: int
    spans_before: int
    spans_after: int = 0
    bytes_before: int = 0
    bytes_after: int = 0
    dropped_by_series: dict[str, int] = field(default_factory=dict)

    @property
    def rows_after(self) -> int:
        return self.rows_before - self.rows_dropped

    def summary(self) -> str:
        what = "would keep" if self.dry_run else "kept"
        text = f"compact {self.db}: {what} {self.rows_after:,} of {self.rows_before:,} data points"
        if self.rows_dropped:
            text += f" ({self.rows_dropped:,} in {self.snapshot_times_dropped:,} snapshot dates dropped)"
        else:
            text += " (lossless)"
        if not self.dry_run:
            text += (
                f"; history rows {self.spans_before:,} -> {self.spans_after:,}; file "
                f"{self.bytes_before / 2**20:,.1f} MB -> {self.bytes_after / 2**20:,.1f} MB"
            )
        return text

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "rows_after": self.rows_after}


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


def compact(
    db: Path, *, drop_dates: bool = False, policy: RetentionPolicy | None = None, dry_run: bool = False
) -> CompactResult:
    """Compact `db` losslessly; with drop_dates, also drop the snapshot dates `policy` (default
    RetentionPolicy()) does not keep. dry_run: count only, the file is not touched."""
    db = Path(db)
    if not db.exists():
        raise MissingDatabase(db)
    if drop_dates and policy is None:
        policy = RetentionPolicy()
    with RefreshLock(db):
        remove_stale_temp_files(db)
        times, result = _plan(db, policy, drop_dates, dry_run)
        if result.rows_dropped and not drop_dates:
            raise CompactRefused(
                f"refusing to drop {result.rows_dropped:,} data points in {result.snapshot_times_dropped:,} snapshot "
                "dates without drop_dates=True (CLI: --drop-dates); plain `compact` is lossless"
            )
        if result.rows_dropped:
            print(_warning(result), file=sys.stderr)
        if dry_run:
            return result
        _rewrite(db, times.filter(~pl.col("keep")).select("series", "snapshot_at"), result)
    log.info("%s", result.summary())
    return result


def _warning(result: CompactResult) -> str:
    per_series = ", ".join(f"{s}: {n:,}" for s, n in sorted(result.dropped_by_series.items()))
    verb = "would drop" if result.dry_run else "DROPS"
    return (
        f"WARNING: compact --drop-dates {verb} {result.snapshot_times_dropped:,} snapshot dates ({per_series}) = "
        f"{result.rows_dropped:,} data points of {result.rows_before:,}. The Hub keeps no history: they cannot be "
        "fetched again."
    )


def _plan(
    db: Path, policy: RetentionPolicy | None, drop_dates: bool, dry_run: bool
) -> tuple[pl.DataFrame, CompactResult]:
    with Database(db) as old:
        has = set(old.tables())
        if not set(HISTORY_TABLES) <= has:
            raise ValueError(
                f"{db} has the history layout from before delta encoding: run a refresh first (it migrates the file)"
            )
        slots = old.query(
            "SELECT series, snapshot_at, sum(models)::BIGINT AS rows FROM hub.history_slots GROUP BY ALL ORDER BY ALL"
        )
        plan = plan_retention(slots, policy or RetentionPolicy()).join(slots, on=["series", "snapshot_at"])
        if policy is None:
            plan = plan.with_columns(keep=pl.lit(True))
        dropped = plan.filter(~pl.col("keep"))
        result = CompactResult(
            db=str(db), dry_run=dry_run, drop_dates=drop_dates, policy=asdict(policy) if policy else None,
            newest_snapshot_at=str(slots["snapshot_at"].max()) if slots.height else None,
            snapshot_times_before=plan.height, snapshot_times_dropped=dropped.height,
            rows_before=int(plan["rows"].sum()), rows_dropped=int(dropped["rows"].sum()),
            models_rows=old.query("SELECT count(*) AS n FROM hub.models")["n"][0],
            spans_before=old.query("SELECT count(*) AS n FROM hub.history_spans")["n"][0],
            bytes_before=db.stat().st_size,
            dropped_by_series=dict(dropped.group_by("series").len().iter_rows()),
        )  # fmt: skip
        return plan, result


def _rewrite(db: Path, dropped: pl.DataFrame, result: CompactResult) -> None:
    """A fresh file with the old one's schema (tables, views, macros), storage version and rows; the history
    re-encoded without the dropped snapshots; checked, then swapped in."""
    with Rebuild(db, storage_version=storage_version_of(db)) as rb:
        con = rb.con
        rb.attach_previous("old")
        con.execute("COPY FROM DATABASE old TO new (SCHEMA)")
        tables = [
            t for (t,) in con.sql("SELECT table_name FROM duckdb_tables() WHERE database_name = 'old'").fetchall()
        ]
        for table in tables:
            if table not in HISTORY_TABLES:
                name = quote_identifier(table)
                con.execute(f"INSERT INTO new.main.{name} SELECT * FROM old.main.{name}")
        con.execute("INSERT INTO new.main.history_keys SELECT * FROM old.main.history_keys")
        con.register("dropped_times", dropped)
        con.execute(
            f"CREATE TEMP TABLE _history_full AS SELECT {', '.join(history.FULL_COLUMNS)} "
            "FROM old.main.model_snapshots ANTI JOIN dropped_times USING (series, snapshot_at)"
        )
        con.unregister("dropped_times")
        _check(con, result)
        history.encode_full(con)
        _check_after(con, result)
        con.execute("DROP TABLE _history_full")
        con.execute("DELETE FROM rollup_state")  # slots may be renumbered: the rollups start over
        run_derived(con, "rollups")
        con.execute(
            "INSERT OR REPLACE INTO schema_info VALUES ('last_compaction', $v)",
            parameters={"v": orjson.dumps(result.as_dict(), default=str).decode()},
        )
        result.spans_after = int(con.sql("SELECT count(*) FROM new.main.history_spans").fetchall()[0][0])
        con.execute("DETACH old")
        rb.commit()
    result.bytes_after = db.stat().st_size


def _check(con: duckdb.DuckDBPyConnection, result: CompactResult) -> None:
    (kept,) = con.sql("SELECT count(*) FROM _history_full").fetchall()[0]
    if kept != result.rows_after:  # never swap in a file that lost more (or less) than the plan says
        raise RuntimeError(f"compaction would keep {kept} data points, the plan says {result.rows_after}")


def _check_after(con: duckdb.DuckDBPyConnection, result: CompactResult) -> None:
    """The new file decodes to exactly the kept rows (count and checksum), and models are unchanged."""
    expected = con.sql(_CHECKSUM.format(table="_history_full"))
    got = con.sql(_CHECKSUM.format(table="new.main.model_snapshots"))
    if expected.fetchall() != got.fetchall():
        raise RuntimeError("the re-encoded history differs from the kept rows; refusing to swap")
    if con.sql("SELECT count(*) FROM new.main.models").fetchall()[0][0] != result.models_rows:
        raise RuntimeError("compaction changed models; refusing to swap")
