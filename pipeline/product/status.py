"""`python -m pipeline status`: what the DB holds, every refresh attempt (failed and killed ones from the
journal too), and how much of the data has the fields the charts need.

A run reaches us from two places: the DB's `refresh_runs` (TIMESTAMP columns) and the journal (ISO text, any
JSON a crash left). Both become one typed `RunRecord`, so the CLI and the Data page never mix types."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import polars as pl

from pipeline.database import Database
from pipeline.product.coverage import coverage_text
from pipeline.store import runlog

log = logging.getLogger(__name__)
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"  # UTC; the one format status prints


@dataclass(frozen=True)
class RunRecord:
    run_id: int
    status: str
    started_at: datetime | None = None
    finished_at: datetime | None = None
    source: str | None = None
    is_full: bool | None = None
    filters: str | None = None  # JSON text
    pages_fetched: int | None = None
    models_seen: int | None = None
    models_new: int | None = None
    models_rejected: int | None = None
    snapshot_rows: int | None = None
    error: str | None = None
    hubscope_version: str | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> RunRecord:
        """From a refresh_runs row or a journal entry; ValueError when it cannot be a run."""
        run_id = row.get("run_id")
        if isinstance(run_id, bool) or not isinstance(run_id, int) or run_id < 0:
            raise ValueError(f"run_id {run_id!r} is not a run number")
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            value = row.get(f.name)
            values[f.name] = None if value is None else _typed(f.name, str(f.type), value)
        values["status"] = values["status"] or "unknown"
        return cls(**values)

    def row(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def __getitem__(self, key: str) -> Any:  # read like the dicts callers used before (run["status"])
        return getattr(self, key)

    def get(self, key: str, default: Any = None) -> Any:
        return getattr(self, key, default)

    def cells(self) -> dict[str, str]:
        """Every field as display text (timestamps in TIME_FORMAT)."""
        return {k: _text(v) for k, v in dataclasses.asdict(self).items()}


def _typed(name: str, annotation: str, value: Any) -> Any:
    if "datetime" in annotation:
        parsed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        return parsed.replace(tzinfo=None) if parsed.tzinfo is None else parsed.astimezone(UTC).replace(tzinfo=None)
    if annotation.startswith("int"):
        if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
            raise ValueError(f"{name} {value!r} is not a whole number")
        return int(value)
    if annotation.startswith("bool"):
        return bool(value)
    if name == "filters" and not isinstance(value, str):
        return orjson.dumps(value, default=str).decode()
    return str(value)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime(TIME_FORMAT)
    return str(value)


RUN_SCHEMA: dict[str, pl.DataType] = {
    "run_id": pl.Int64(), "status": pl.String(), "started_at": pl.Datetime("us"), "finished_at": pl.Datetime("us"),
    "source": pl.String(), "is_full": pl.Boolean(), "filters": pl.String(), "pages_fetched": pl.Int64(),
    "models_seen": pl.Int64(), "models_new": pl.Int64(), "models_rejected": pl.Int64(), "snapshot_rows": pl.Int64(),
    "error": pl.String(), "hubscope_version": pl.String(),
}  # fmt: skip


def _records(rows: list[dict[str, Any]], where: str) -> list[RunRecord]:
    records = []
    for row in rows:
        try:
            records.append(RunRecord.from_row(row))
        except (ValueError, TypeError, OverflowError) as err:
            log.warning("skipping a run in %s that cannot be read (%s): %.200r", where, err, row)
    return records


def all_runs(db: Path) -> list[RunRecord]:
    """Runs recorded in the DB, plus journal runs the DB does not know (failed, killed or still running)."""
    in_db: list[RunRecord] = []
    if db.exists():
        with Database(db) as ro:
            in_db = _records(ro.query_named("runs").to_dicts(), "refresh_runs")
    known = {r.run_id for r in in_db}
    extra = [r for r in _records(runlog.runs(db), "the run journal") if r.run_id not in known]
    return sorted(in_db + extra, key=lambda r: r.run_id)


def runs_frame(db: Path) -> pl.DataFrame:
    """all_runs as one frame with a fixed schema (the Data page's run table)."""
    return pl.DataFrame([r.row() for r in all_runs(db)], schema=RUN_SCHEMA, orient="row")


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
        shown = [{**r.cells(), "error": (r.error or "")[:80], "source": (r.source or "")[:60]} for r in history]
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
