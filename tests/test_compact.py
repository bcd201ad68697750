"""Compaction (pipeline/product/compact.py): lossless by default, dropping dates only with drop_dates=True.
The retention-plan and rewrite tests moved here from tests/test_db_product.py with their assertions."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest
from helpers import sql_rows as rows

from pipeline.cli import main as cli
from pipeline.ingest.snapshot import open_snapshot
from pipeline.product import schema_doc
from pipeline.product.compact import CompactRefused, RetentionPolicy, compact, plan_retention
from pipeline.refresh import refresh_from_snapshot
from pipeline.store import history
from pipeline.store.lock import RefreshLock, RefreshLocked

VIEWS = [name for name, obj in schema_doc.documented_objects().items() if obj.kind == "view"]
NEWEST = datetime(2026, 10, 5, 18, 0)
ALL_POINTS = (
    "SELECT model_id, snapshot_at, snapshot_date, run_id, series, downloads_30d, downloads_all_time, likes, "
    "trending_score FROM model_snapshots ORDER BY ALL"
)


def synthetic_times(days: int = 200) -> pl.DataFrame:
    """Snapshots at 00:00, 06:00, 12:00, 18:00 on every day for `days` days, for two series; the second series
    skips every third day (a gap must not shift anything)."""
    times = []
    for d in range(days):
        for hour in (0, 6, 12, 18):
            at = NEWEST - timedelta(days=d, hours=18 - hour)
            times.append(("hub", at))
            if d % 3:
                times.append(("catalog", at))
    return pl.DataFrame(times, schema={"series": pl.String, "snapshot_at": pl.Datetime("us")}, orient="row")


def expected_kept(times: pl.DataFrame, keep_all_days: int, daily_days: int, weekly: bool) -> set[tuple[str, datetime]]:
    """The policy written out plainly, independent of plan_retention's polars expressions."""
    newest = max(times["snapshot_at"])
    by_day: dict[tuple[str, object], datetime] = {}
    by_week: dict[tuple[str, tuple[int, int]], datetime] = {}
    for series, at in times.iter_rows():
        by_day[(series, at.date())] = max(at, by_day.get((series, at.date()), at))
        week = tuple(at.isocalendar())[:2]
        by_week[(series, week)] = max(at, by_week.get((series, week), at))
    kept = set()
    for series, at in times.iter_rows():
        age = newest - at
        if age <= timedelta(days=keep_all_days):
            kept.add((series, at))
        elif age <= timedelta(days=daily_days):
            if by_day[(series, at.date())] == at:
                kept.add((series, at))
        elif weekly and by_week[(series, tuple(at.isocalendar())[:2])] == at:
            kept.add((series, at))
    return kept


@pytest.mark.parametrize(
    "policy",
    [RetentionPolicy(), RetentionPolicy(3, 30, True), RetentionPolicy(7, 90, False), RetentionPolicy(0, 0, True)],
)
def test_plan_retention_keeps_exactly_the_policy(policy: RetentionPolicy) -> None:
    times = synthetic_times()
    plan = plan_retention(times, policy)
    kept = {(s, at) for s, at in plan.filter("keep").select("series", "snapshot_at").iter_rows()}
    assert kept == expected_kept(times, policy.keep_all_days, policy.daily_days, policy.weekly)
    assert plan.height == times.height


def test_plan_retention_default_policy_counts() -> None:
    """Spelled out for the default policy over 200 days × 4 a day (series 'hub'):
    the newest 7 days + the boundary snapshot at exactly 7 days → 7×4 + 1 = 29; days 8–90 old → one per day
    (83, the day at exactly 7 days already kept its latest); beyond 90 days → one per ISO week."""
    plan = plan_retention(synthetic_times().filter(pl.col("series") == "hub"))
    tiers = dict(plan.filter("keep").group_by("tier").len().iter_rows())
    assert tiers["all"] == 29 and tiers["daily"] == 83
    weekly = plan.filter(pl.col("keep") & (pl.col("tier") == "weekly"))
    weeks = weekly["snapshot_at"].dt.iso_year() * 100 + weekly["snapshot_at"].dt.week()
    assert weeks.n_unique() == weekly.height  # one per week
    assert (weekly["snapshot_at"].dt.hour() == 18).all()  # each the latest of its week
    assert plan.filter(~pl.col("keep"))["tier"].is_in(["daily", "weekly"]).all()


def test_plan_is_idempotent() -> None:
    plan = plan_retention(synthetic_times())
    kept = plan.filter("keep").select("series", "snapshot_at")
    assert plan_retention(kept)["keep"].all()


def _with_synthetic_history(src: Path, dst: Path, churn: bool = False) -> pl.DataFrame:
    """A copy of `src` whose history also holds 200 days × 4 refreshes of series 'hub' for 20 models (written
    through history.encode_full, the bulk path). churn: downloads change every 5th snapshot for half of them."""
    shutil.copy(src, dst)
    dst.chmod(0o644)
    times = synthetic_times().filter(pl.col("series") == "hub")
    con = duckdb.connect(str(dst))
    con.register("times", times)
    downloads = (
        "100 + CASE WHEN hash(m.model_id) % 2 = 0 THEN (epoch(t.snapshot_at) // 86400 // 5) ELSE 0 END"
        if churn
        else "100"
    )
    con.execute(
        f"CREATE TEMP TABLE _history_full AS SELECT {', '.join(history.FULL_COLUMNS)} FROM model_snapshots "
        "UNION ALL BY NAME SELECT m.model_id, t.snapshot_at, CAST(t.snapshot_at AS DATE) AS snapshot_date, "
        f"99 AS run_id, t.series, CAST({downloads} AS BIGINT) AS downloads_30d FROM times t, "
        "(SELECT model_id FROM models ORDER BY model_id LIMIT 20) m"
    )
    history.encode_full(con)
    con.close()
    return times


def test_compact_rewrites_the_file_as_planned(fixture_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "hub.duckdb"
    _with_synthetic_history(fixture_db, db)
    models_before = rows(db, "SELECT md5(string_agg(m::VARCHAR, '|' ORDER BY model_id)) FROM models m")
    views_before = {v for (v,) in rows(db, "SELECT view_name FROM duckdb_views() WHERE NOT internal")}
    times_before = pl.DataFrame(
        rows(db, "SELECT DISTINCT series, snapshot_at FROM model_snapshots"),
        schema=["series", "snapshot_at"],
        orient="row",
    )
    dry = compact(db, drop_dates=True, dry_run=True)
    assert rows(db, "SELECT count(*) FROM model_snapshots")[0][0] == dry.rows_before  # untouched
    assert cli(["compact", "--drop-dates", "--db", str(db)]) == 0
    kept = set(rows(db, "SELECT DISTINCT series, snapshot_at FROM model_snapshots"))
    assert kept == expected_kept(times_before, 7, 90, True)
    assert rows(db, "SELECT count(*) FROM model_snapshots")[0][0] == dry.rows_after < dry.rows_before
    assert rows(db, "SELECT md5(string_agg(m::VARCHAR, '|' ORDER BY model_id)) FROM models m") == models_before
    views_after = {v for (v,) in rows(db, "SELECT view_name FROM duckdb_views() WHERE NOT internal")}
    assert views_after == views_before and set(VIEWS) <= views_after
    assert rows(db, "SELECT count(*) FROM language_models")[0][0] > 0
    assert not list(tmp_path.glob("hub.duckdb.tmp-*"))
    again = compact(db, drop_dates=True)
    assert again.rows_dropped == 0  # idempotent


def test_compact_takes_the_refresh_lock(fixture_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "hub.duckdb"
    _with_synthetic_history(fixture_db, db)
    before = db.stat().st_ino
    with RefreshLock(db):
        with pytest.raises(RefreshLocked):
            compact(db)
        assert cli(["compact", "--db", str(db)]) == 75
    assert db.stat().st_ino == before


def test_compact_keeps_the_storage_version(snapshot_slice: Path, tmp_path: Path) -> None:
    db = tmp_path / "v1.duckdb"
    assert refresh_from_snapshot(db, open_snapshot(snapshot_slice), storage_version="v1.0.0").status == "ok"
    assert compact(db, drop_dates=True, policy=RetentionPolicy(0, 0, False)).rows_dropped > 0
    assert rows(
        db, "SELECT tags['storage_version'] FROM duckdb_databases() WHERE NOT internal AND path IS NOT NULL"
    ) == [("v1.0.0+",)]


def test_lossless_compact_preserves_every_data_point(fixture_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "hub.duckdb"
    _with_synthetic_history(fixture_db, db, churn=True)
    points = rows(db, ALL_POINTS)
    rollups = rows(db, "SELECT * FROM rollup_snapshots ORDER BY ALL")
    result = compact(db)
    assert rows(db, ALL_POINTS) == points  # every data point, exactly
    assert result.rows_dropped == 0 and result.rows_after == len(points) == result.rows_before
    assert 0 < result.spans_after <= result.spans_before < len(points)
    assert "lossless" in result.summary() and f"{len(points):,}" in result.summary()
    assert (
        rows(db, "SELECT count(DISTINCT (series, snapshot_at)) FROM model_snapshots")[0][0]
        == result.snapshot_times_before
    )
    assert rows(db, "SELECT * FROM rollup_snapshots ORDER BY ALL") != [] and len(rollups) > 0
    assert compact(db).rows_after == len(points)  # twice: still everything


def test_dropping_dates_refuses_without_the_flag(fixture_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "hub.duckdb"
    _with_synthetic_history(fixture_db, db)
    before = (db.stat().st_ino, rows(db, "SELECT count(*) FROM model_snapshots"))
    with pytest.raises(CompactRefused, match=r"refusing to drop [\d,]+ data points in [\d,]+ snapshot dates"):
        compact(db, policy=RetentionPolicy(0, 0, False))
    assert (db.stat().st_ino, rows(db, "SELECT count(*) FROM model_snapshots")) == before


def test_dropping_dates_warns_with_the_count(
    fixture_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "hub.duckdb"
    _with_synthetic_history(fixture_db, db)
    result = compact(db, drop_dates=True, policy=RetentionPolicy(0, 0, False))
    err = capsys.readouterr().err
    assert f"DROPS {result.snapshot_times_dropped:,} snapshot dates" in err
    assert f"{result.rows_dropped:,} data points" in err and result.rows_dropped > 0
    assert rows(db, "SELECT count(*) FROM model_snapshots")[0][0] == result.rows_after


def test_plain_compact_on_the_command_line_is_lossless(fixture_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "hub.duckdb"
    _with_synthetic_history(fixture_db, db)
    points = rows(db, ALL_POINTS)
    assert cli(["compact", "--db", str(db)]) == 0
    assert rows(db, ALL_POINTS) == points
    # the retention flags alone drop nothing: that needs --drop-dates
    assert cli(["compact", "--db", str(db), "--keep-all-days", "0", "--daily-days", "0"]) == 0
    assert rows(db, ALL_POINTS) == points
    assert cli(["compact", "--db", str(db), "--drop-dates", "--keep-all-days", "0", "--daily-days", "0"]) == 0
    assert len(rows(db, ALL_POINTS)) < len(points)
