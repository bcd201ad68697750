"""The run journal `<db>.runs.jsonl`: every refresh attempt, written before any work starts.

The DB file is only replaced by a refresh that succeeds, so a failed or killed attempt can't record itself
there. The journal can: a 'started' line with no 'finished' line and a dead pid is a killed run. The next
successful refresh copies journal runs into `refresh_runs`; `status` shows both.

The journal is advisory: anyone can edit, truncate or delete it. It is validated on read into typed
`RunRecord`s (datetimes parsed, integers in range); a line or a run that cannot become a valid `refresh_runs`
row is skipped with one warning and left in the file for a human to look at. It never fails a refresh.

`RunRecord` is the one run type: `refresh_runs` rows read back from the DB go through the same checks
(`RunRecord.from_row`), so the writer, `status` and the Data page see journal and DB runs alike.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from pipeline.paths import sidecar

log = logging.getLogger(__name__)

RUN_FIELDS = (
    "run_id", "started_at", "finished_at", "status", "source", "is_full", "filters", "pages_fetched",
    "models_seen", "models_new", "models_rejected", "snapshot_rows", "error", "hubscope_version",
)  # fmt: skip
STATUSES = ("running", "ok", "failed", "killed")
INT32_MAX = 2**31 - 1  # refresh_runs' INTEGER columns
KILLED_ERROR = "the process ended without finishing (killed or crashed); previous DB kept"


class JournalError(OSError):
    """The journal could not be written (disk full, read-only directory); the message is one line."""


@dataclass(frozen=True)
class RunRecord:
    """One refresh attempt as `refresh_runs` stores it (plus, from the journal, the pid of the process that ran it)."""

    run_id: int
    started_at: datetime
    status: str
    source: str
    is_full: bool
    finished_at: datetime | None = None
    filters: dict[str, Any] = field(default_factory=dict)
    pages_fetched: int | None = None
    models_seen: int | None = None
    models_new: int | None = None
    models_rejected: int | None = None
    snapshot_rows: int | None = None
    error: str | None = None
    hubscope_version: str | None = None
    pid: int | None = None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> RunRecord:
        """A `refresh_runs` row as the DB returns it (filters as JSON text); BadEntry when it cannot be a run."""
        return _record(_check_event({**row, "filters": _json_object(row.get("filters"))}))

    def row(self) -> dict[str, Any]:
        """The `refresh_runs` columns (no pid)."""
        values = asdict(self)
        return {k: values[k] for k in RUN_FIELDS}

    def __getitem__(self, key: str) -> Any:  # read like the dicts callers used before (run["status"])
        return getattr(self, key)

    def get(self, key: str, default: Any = None) -> Any:
        return getattr(self, key, default)


class BadEntry(ValueError):
    """A journal line or run that cannot become a `refresh_runs` row."""


def journal_path(db: Path) -> Path:
    return sidecar(db, ".runs.jsonl")


def append(db: Path, event: dict[str, Any]) -> None:
    """One event as one line, durable before returning. A line torn by a kill is closed first, so this event
    starts on a line of its own. Raises JournalError (one line) when the file cannot be written."""
    path = journal_path(db)
    line = orjson.dumps(event, default=str) + b"\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a+b") as f:
            if f.tell() > 0:
                f.seek(-1, os.SEEK_END)
                if f.read(1) != b"\n":
                    line = b"\n" + line
            f.write(line)
            f.flush()
            os.fsync(f.fileno())
    except OSError as err:
        raise JournalError(f"cannot write the run journal {path}: {err.strerror or err}") from err


# -- reading -----------------------------------------------------------------------------------------------


def _int(name: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= INT32_MAX:
        raise BadEntry(f"{name} is not a whole number in {low}..{INT32_MAX}: {value!r:.40}")
    return value


def _time(name: str, value: Any) -> datetime:
    """A datetime (read from the DB) or ISO text (the journal) as naive UTC, as TIMESTAMP holds it."""
    parsed = value if isinstance(value, datetime) else _iso(value)
    if parsed is None:
        raise BadEntry(f"{name} is not an ISO timestamp: {value!r:.40}")
    return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


def _iso(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise BadEntry(f"{name} is not text: {value!r:.40}")
    if name == "status" and value not in STATUSES:
        raise BadEntry(f"status is not one of {', '.join(STATUSES)}: {value!r:.40}")
    return value


def _flag(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise BadEntry(f"{name} is not true/false: {value!r:.40}")
    return value


def _object(name: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadEntry(f"{name} is not an object: {value!r:.40}")
    return value


def _json_object(text: Any) -> Any:
    """refresh_runs.filters (JSON text) as the journal writes it: an object (checked by _object)."""
    if not isinstance(text, str):
        return text
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        raise BadEntry(f"filters is not JSON: {text!r:.40}") from None


def _ids(name: str, value: Any) -> int:
    return _int(name, value, 1)


def _counts(name: str, value: Any) -> int:
    return _int(name, value, 0)


# How each known field is checked; a key not here is dropped (the journal may grow fields old readers ignore).
_CHECKS: dict[str, Callable[[str, Any], Any]] = {
    "run_id": _ids, "pid": _ids, "started_at": _time, "finished_at": _time, "is_full": _flag, "filters": _object,
    **dict.fromkeys(("pages_fetched", "models_seen", "models_new", "models_rejected", "snapshot_rows"), _counts),
    **dict.fromkeys(("status", "source", "error", "hubscope_version"), _text),
}  # fmt: skip


def _check_event(event: Any) -> dict[str, Any]:
    """The event's known fields with their types checked (None allowed: 'not given'); unknown keys dropped."""
    if not isinstance(event, dict):
        raise BadEntry(f"not an object: {type(event).__name__}")
    if "run_id" not in event:
        raise BadEntry("no run_id")
    out: dict[str, Any] = {"run_id": _ids("run_id", event["run_id"])}  # first: its problem is the one named
    for key, value in event.items():
        if key != "run_id" and value is not None and key in _CHECKS:
            out[key] = _CHECKS[key](key, value)
    return out


def _record(merged: dict[str, Any]) -> RunRecord:
    missing = [k for k in ("started_at", "status", "source", "is_full") if k not in merged]
    if missing:
        raise BadEntry(f"run {merged['run_id']} has no {', '.join(missing)}")
    if merged["status"] == "running" and not _pid_alive(merged.get("pid")):
        merged = {**merged, "status": "killed", "error": merged.get("error") or KILLED_ERROR}
    return RunRecord(**merged)


def _pid_alive(pid: int | None) -> bool:
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


@dataclass
class Journal:
    """What the journal holds: valid runs, every run id named by a readable line, and what was skipped."""

    records: list[RunRecord]
    run_ids: set[int]
    problems: list[str]


_warned: dict[Path, list[str]] = {}


def read(db: Path) -> Journal:
    """Parse and validate the journal; warns once when something was skipped. Never raises on content."""
    path = journal_path(db)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Journal([], set(), [])
    except OSError as err:
        log.warning("run journal %s not readable (%s): ignored", path, err.strerror or err)
        return Journal([], set(), [f"not readable: {err}"])
    by_id: dict[int, dict[str, Any]] = {}
    problems: list[str] = []
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            event = _check_event(orjson.loads(line))
        except (orjson.JSONDecodeError, BadEntry) as err:  # a line cut short by a kill, or edited by hand
            problems.append(f"line {number}: {str(err).splitlines()[0][:120]}")
            continue
        by_id.setdefault(event["run_id"], {}).update(event)
    records: list[RunRecord] = []
    for run_id in sorted(by_id):
        try:
            records.append(_record(by_id[run_id]))
        except BadEntry as err:
            problems.append(str(err))
    if problems and _warned.get(path) != problems:  # once per process for the same bad lines, not per read
        _warned[path] = problems
        log.warning(
            "run journal %s: skipped %d entr%s that cannot be a run record (kept in the file): %s",
            path, len(problems), "y" if len(problems) == 1 else "ies", "; ".join(problems[:3]),
        )  # fmt: skip
    return Journal(records, set(by_id), problems)


def next_run_id(db: Path, latest_in_db: int) -> int:
    """Above every id the DB or any readable journal line has used (even a run too broken to show)."""
    return max([latest_in_db, *read(db).run_ids]) + 1


def now() -> datetime:
    """UTC, naive (DuckDB TIMESTAMP), with microseconds: two runs in the same second are two snapshots."""
    return datetime.now(UTC).replace(tzinfo=None)
