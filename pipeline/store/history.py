"""Download history, delta-encoded: how a run's counts and a source's recorded series are stored.

Tables (sql/schema.sql): `history_keys` (integer model keys), `history_slots` (one row per snapshot of a series)
and `history_spans` (a model present over consecutive slots with the same values: one row). The view
`model_snapshots` decodes them into today's columns, one row per model per snapshot, so readers need no change.

Writes: a snapshot later than every snapshot of its series (every steady-state refresh) is appended by
sql/history/append.sql, at a cost proportional to the models whose values changed. Anything else (the same
snapshot loaded again, recorded history with many dates, a date inside the series) decodes the affected series,
adds the new rows and re-encodes them with sql/history/encode.sql. (model_id, snapshot_at, series) is unique:
rows already stored win. The writer calls these on its connection (the new file is the default database).
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import polars as pl

from pipeline.database import load_sql

VALUE_COLUMNS = ("downloads_30d", "downloads_all_time", "likes", "trending_score")
FULL_COLUMNS = ("model_id", "snapshot_at", "snapshot_date", "run_id", "series", *VALUE_COLUMNS)
_VALUES = ", ".join(VALUE_COLUMNS)
_FULL = ", ".join(FULL_COLUMNS)


def append_run_snapshot(con: duckdb.DuckDBPyConnection, run_id: int, at: datetime, series: str) -> None:
    """One row per staged model at `at` in `series`; rows already there for (model, at, series) win."""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _history_new AS SELECT DISTINCT ON (model_id) model_id, {_VALUES} "
        "FROM _stage_models"
    )
    try:
        (latest,) = con.sql(
            "SELECT max(snapshot_at) FROM history_slots WHERE series = $s", params={"s": series}
        ).fetchall()[0]
        if latest is None or at > latest:
            _set_variables(con, series=series, at=at, run=run_id)
            con.execute(load_sql("history/append"))
        else:
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE _history_incoming AS SELECT model_id, $at AS snapshot_at, "
                f"CAST($at AS DATE) AS snapshot_date, $run AS run_id, $series AS series, {_VALUES} FROM _history_new",
                {"at": at, "run": run_id, "series": series},
            )
            _merge_incoming(con)
    finally:
        con.execute("DROP TABLE IF EXISTS _history_new")


def add_recorded_history(con: duckdb.DuckDBPyConnection, run_id: int, history: pl.DataFrame) -> None:
    """Recorded rows (model_id, snapshot_date, series, downloads_30d, likes, …) with their real dates; rows
    already stored (the same snapshot loaded again) are skipped."""
    if history.is_empty():
        return
    missing = [c for c in VALUE_COLUMNS if c not in history.columns]
    history = history.with_columns(
        pl.lit(None, pl.Int64 if c != "trending_score" else pl.Float64).alias(c) for c in missing
    )
    con.register("recorded_history", history)
    try:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _history_incoming AS SELECT model_id, "
            "CAST(snapshot_date AS TIMESTAMP) AS snapshot_at, CAST(snapshot_date AS DATE) AS snapshot_date, "
            f"CAST($run AS INTEGER) AS run_id, series, {_VALUES} FROM recorded_history",
            {"run": run_id},
        )
    finally:
        con.unregister("recorded_history")
    _merge_incoming(con)


def _merge_incoming(con: duckdb.DuckDBPyConnection) -> None:
    """Rows of temp table _history_incoming go into their series (decoded, merged, re-encoded)."""
    try:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _history_old AS SELECT * FROM model_snapshots "
            "WHERE series IN (SELECT DISTINCT series FROM _history_incoming)"
        )
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _history_full AS SELECT {_FULL} FROM _history_old "
            f"UNION ALL SELECT {_FULL} FROM (SELECT DISTINCT ON (model_id, snapshot_at, series) * "
            "FROM _history_incoming) i ANTI JOIN _history_old o USING (model_id, snapshot_at, series)"
        )
        con.execute(load_sql("history/encode"))
    finally:
        for table in ("_history_incoming", "_history_old", "_history_full"):
            con.execute(f"DROP TABLE IF EXISTS {table}")


def encode_full(con: duckdb.DuckDBPyConnection) -> None:
    """Encode temp table _history_full (FULL_COLUMNS, every row of each series it holds) into the history
    tables, replacing those series. The caller owns (and drops) _history_full."""
    con.execute(load_sql("history/encode"))


def reencode_all(con: duckdb.DuckDBPyConnection) -> None:
    """Decode every series and encode it again (compact): same data points, canonical spans, no dead rows."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE _history_full AS SELECT {_FULL} FROM model_snapshots")
    try:
        con.execute("DELETE FROM history_keys WHERE model_key NOT IN (SELECT model_key FROM history_spans)")
        con.execute(load_sql("history/encode"))
    finally:
        con.execute("DROP TABLE IF EXISTS _history_full")


def import_full_layout(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """Encode the rows of an old-layout `model_snapshots` TABLE (e.g. 'old.main.model_snapshots' of an attached
    file from before delta encoding) into this file's history; the series it holds are replaced. Returns rows."""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _history_full AS SELECT DISTINCT ON (model_id, snapshot_at, series) {_FULL} "
        f"FROM {table}"
    )
    try:
        rows = int(con.sql("SELECT count(*) FROM _history_full").fetchall()[0][0])
        con.execute(load_sql("history/encode"))
        return rows
    finally:
        con.execute("DROP TABLE IF EXISTS _history_full")


def run_snapshot_rows(con: duckdb.DuckDBPyConnection, run_id: int) -> int:
    """model_snapshots rows stored by `run_id` (the models of the slots it recorded)."""
    rows = con.sql("SELECT coalesce(sum(models), 0) FROM history_slots WHERE run_id = $r", params={"r": run_id})
    return int(rows.fetchall()[0][0])


def _set_variables(con: duckdb.DuckDBPyConnection, *, series: str, at: datetime, run: int) -> None:
    con.execute("SET VARIABLE history_series = CAST($v AS VARCHAR)", {"v": series})
    con.execute("SET VARIABLE history_at = CAST($v AS TIMESTAMP)", {"v": at})
    con.execute("SET VARIABLE history_run = CAST($v AS INTEGER)", {"v": run})
