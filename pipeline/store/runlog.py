"""The run journal `<db>.runs.jsonl`: every refresh attempt, written before any work starts.

The DB file is only replaced by a refresh that succeeds, so a failed or killed attempt can't record itself
there. The journal can: a 'started' line with no 'finished' line and a dead pid is a killed run. The next
successful refresh copies journal runs into `refresh_runs`; `status` shows both.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from pipeline.paths import sidecar

RUN_FIELDS = (
    "run_id", "started_at", "finished_at", "status", "source", "is_full", "filters", "pages_fetched",
    "models_seen", "models_new", "models_rejected", "snapshot_rows", "error", "hubscope_version",
)  # fmt: skip


def journal_path(db: Path) -> Path:
    return sidecar(db, ".runs.jsonl")


def append(db: Path, event: dict[str, Any]) -> None:
    path = journal_path(db)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = orjson.dumps(event, default=str) + b"\n"
    with open(path, "ab") as f:
        f.write(line)
        f.flush()
        os.fsync(f.fileno())


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def runs(db: Path) -> list[dict[str, Any]]:
    """Runs in the journal, latest state of each; a started run whose process is gone is 'killed'."""
    path = journal_path(db)
    if not path.exists():
        return []
    by_id: dict[int, dict[str, Any]] = {}
    for line in path.read_bytes().splitlines():
        try:
            event = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue  # a line cut short by a kill; the run still shows from its 'started' line
        by_id.setdefault(event["run_id"], {}).update(event)
    for run in by_id.values():
        if run.get("status") == "running" and not _pid_alive(int(run.get("pid", -1))):
            run["status"] = "killed"
            run["error"] = "the process ended without finishing (killed or crashed); previous DB kept"
    return [{k: run.get(k) for k in (*RUN_FIELDS, "pid")} for run in sorted(by_id.values(), key=lambda r: r["run_id"])]


def next_run_id(db: Path, latest_in_db: int) -> int:
    journal_ids = [run["run_id"] for run in runs(db)]
    return max([latest_in_db, *journal_ids]) + 1


def now() -> datetime:
    """UTC, naive (DuckDB TIMESTAMP), to the second."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)
