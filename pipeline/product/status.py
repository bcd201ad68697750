"""`python -m pipeline status`: what the DB holds, every refresh attempt (failed and killed ones from the
journal too), and how much of the data has the fields the charts need.

A run reaches us from two places: the DB's `refresh_runs` and the journal. Both are the one typed
`pipeline.store.runlog.RunRecord` (re-exported here), so the CLI and the Data page never mix types."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import polars as pl

from pipeline.database import Database
from pipeline.product.coverage import coverage_text
from pipeline.store import runlog
from pipeline.store.runlog import RunRecord

__all__ = ["RUN_SCHEMA", "RunRecord", "all_runs", "runs_frame", "status_report"]

log = logging.getLogger(__name__)
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"  # UTC; the one format status prints


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime(TIME_FORMAT)
    return str(value)


def _display_row(run: RunRecord) -> dict[str, Any]:
    """The refresh_runs columns, filters as JSON text as the DB stores them (one string column, any keys)."""
    return {**run.row(), "filters": orjson.dumps(run.filters).decode()}


RUN_SCHEMA: dict[str, pl.DataType] = {
    "run_id": pl.Int64(), "status": pl.String(), "started_at": pl.Datetime("us"), "finished_at": pl.Datetime("us"),
    "source": pl.String(), "is_full": pl.Boolean(), "filters": pl.String(), "pages_fetched": pl.Int64(),
    "models_seen": pl.Int64(), "models_new": pl.Int64(), "models_rejected": pl.Int64(), "snapshot_rows": pl.Int64(),
    "error": pl.String(), "hubscope_version": pl.String(),
}  # fmt: skip


def _db_runs(ro: Database) -> list[RunRecord]:
    records = []
    for row in ro.query_named("runs").to_dicts():
        try:
            records.append(RunRecord.from_row(row))
        except runlog.BadEntry as err:
            log.warning("skipping a run in refresh_runs that cannot be read (%s): %.200r", err, row)
    return records


def all_runs(db: Path) -> list[RunRecord]:
    """Runs recorded in the DB, plus journal runs the DB does not know (failed, killed or still running)."""
    in_db: list[RunRecord] = []
    if db.exists():
        with Database(db) as ro:
            in_db = _db_runs(ro)
    known = {r.run_id for r in in_db}
    extra = [r for r in runlog.read(db).records if r.run_id not in known]
    return sorted(in_db + extra, key=lambda r: r.run_id)


def runs_frame(db: Path) -> pl.DataFrame:
    """all_runs as one frame with a fixed schema (the Data page's run table)."""
    return pl.DataFrame([_display_row(r) for r in all_runs(db)], schema=RUN_SCHEMA, orient="row")


def _cells(run: RunRecord) -> dict[str, str]:
    """Every column as display text (timestamps in TIME_FORMAT)."""
    return {k: _text(v) for k, v in _display_row(run).items()}


def _table(rows: list[dict[str, str]], columns: list[str]) -> str:
    widths = [max([len(c), *(len(row[c]) for row in rows)]) for c in columns]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines += ["  ".join(row[c].ljust(w) for c, w in zip(columns, widths, strict=True)) for row in rows]
    return "\n".join(lines)


def status_report(db: Path, runs: int = 10) -> tuple[str, bool]:
    """The report text, and whether the DB exists and the latest attempt succeeded."""
    history = all_runs(db)
    parts = [f"DB: {db}" + ("" if db.exists() else "  (missing: run `python -m pipeline refresh`)")]
    if history:
        cols = ["run_id", "status", "started_at", "finished_at", "models_seen", "models_rejected", "source", "error"]
        shown = [{**_cells(r), "error": (r.error or "")[:80], "source": (r.source or "")[:60]} for r in history]
        parts += [
            "",
            f"Refresh runs (latest {min(runs, len(history))} of {len(history)}, times UTC):",
            _table(shown[-runs:], cols),
        ]
    if db.exists():
        with Database(db) as ro:
            summary = ro.query_named("status_summary").to_dicts()[0]
            parts += ["", "Models:", *(f"  {k}: {_text(v)}" for k, v in summary.items())]
            parts += ["", coverage_text(ro)]
    ok = db.exists() and bool(history) and history[-1].status == "ok"
    return "\n".join(parts), ok
