"""Download history: how a run's counts and a source's recorded series become `model_snapshots` rows.

The writer calls these on its connection (the new file is attached as `new` and is the default database).
(model_id, snapshot_at, series) is unique, kept so here rather than by a PRIMARY KEY (see sql/schema.sql).
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import polars as pl


def append_run_snapshot(con: duckdb.DuckDBPyConnection, run_id: int, at: datetime, series: str) -> None:
    """One row per staged model at `at` in `series`; rows already there for (model, at, series) win."""
    con.execute(
        "INSERT INTO model_snapshots BY NAME SELECT model_id, $at AS snapshot_at, "
        "CAST($at AS DATE) AS snapshot_date, $run AS run_id, $series AS series, "
        "downloads_30d, downloads_all_time, likes, trending_score FROM _stage_models s "
        "ANTI JOIN (SELECT model_id FROM model_snapshots WHERE snapshot_at = $at AND series = $series) o "
        "USING (model_id)",
        parameters={"at": at, "run": run_id, "series": series},
    )


def add_recorded_history(con: duckdb.DuckDBPyConnection, run_id: int, history: pl.DataFrame) -> None:
    """Recorded rows (model_id, snapshot_date, series, downloads_30d, likes, …) with their real dates; rows
    already stored (the same snapshot loaded again) are skipped."""
    con.register("recorded_history", history)
    try:
        con.execute(
            "INSERT INTO model_snapshots BY NAME SELECT h.*, CAST(h.snapshot_date AS TIMESTAMP) AS snapshot_at, "
            "$run AS run_id FROM (SELECT DISTINCT ON (model_id, snapshot_date, series) * FROM recorded_history) h "
            "ANTI JOIN model_snapshots o ON o.model_id = h.model_id AND o.series = h.series "
            "AND o.snapshot_at = CAST(h.snapshot_date AS TIMESTAMP)",
            {"run": run_id},
        )
    finally:
        con.unregister("recorded_history")


def run_snapshot_rows(con: duckdb.DuckDBPyConnection, run_id: int) -> int:
    return int(con.sql("SELECT count(*) FROM model_snapshots WHERE run_id = $r", params={"r": run_id}).fetchall()[0][0])
