"""`python -m pipeline status`: what the DB holds, every refresh attempt (failed and killed ones from the
journal too), and how much of the data has the fields the charts need."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.database import Database
from pipeline.product.coverage import coverage_text
from pipeline.store import runlog


def _table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    cells = [[("" if r.get(c) is None else str(r.get(c))) for c in columns] for r in rows]
    widths = [max([len(c), *(len(row[i]) for row in cells)]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join(lines)


def all_runs(db: Path) -> list[dict[str, Any]]:
    """Runs recorded in the DB, plus journal runs the DB does not know (failed, killed or still running)."""
    in_db: list[dict[str, Any]] = []
    if db.exists():
        with Database(db) as ro:
            in_db = ro.query_named("runs").to_dicts()
    known = {r["run_id"] for r in in_db}
    extra = [r for r in runlog.runs(db) if r["run_id"] not in known]
    return sorted(in_db + extra, key=lambda r: r["run_id"])


def status_report(db: Path, runs: int = 10) -> tuple[str, bool]:
    """The report text, and whether the DB exists and the latest attempt succeeded."""
    history = all_runs(db)
    parts = [f"DB: {db}" + ("" if db.exists() else "  (missing: run `python -m pipeline refresh`)")]
    if history:
        cols = ["run_id", "status", "started_at", "finished_at", "models_seen", "models_rejected", "source", "error"]
        shown = [{**r, "error": (r.get("error") or "")[:80], "source": str(r.get("source"))[:60]} for r in history]
        parts += [
            "",
            f"Refresh runs (latest {min(runs, len(history))} of {len(history)}):",
            _table(shown[-runs:], cols),
        ]
    if db.exists():
        with Database(db) as ro:
            summary = ro.query_named("status_summary").to_dicts()[0]
            parts += ["", "Models:", *(f"  {k}: {v}" for k, v in summary.items())]
            parts += ["", coverage_text(ro)]
    ok = db.exists() and bool(history) and history[-1]["status"] == "ok"
    return "\n".join(parts), ok
