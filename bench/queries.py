"""Which SQL each dashboard page runs, with which parameters, and their latency on a DB.

The call list is recorded, not hand-written: every page of `app.py` is run once with Streamlit's AppTest against a
small DB, with `dashboard.data.run` wrapped to log (query name, params). That captures the sidebar's defaults
(threshold, scope, series, window) exactly as the pages compute them. Timing then replays each call through
`dashboard.data.DashboardDB.query` (a `pipeline.database.Database` plus the DuckDB variables the pages set), with
no Streamlit cache: what a page costs on the first view after a refresh.
"""

from __future__ import annotations

import os
import statistics
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SQL_BOX = "sql-box (default query)"
SQL_BOX_LIMIT_S = 10.0


def discover_calls(db: Path) -> list[tuple[str, str, dict[str, Any]]]:
    """(page, query name, params) for every page, sidebar queries under page 'sidebar'."""
    os.environ["HUBSCOPE_DB"] = str(db)
    from streamlit.testing.v1 import AppTest

    from dashboard import data

    per_page: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    current = {"page": "first"}
    original = data.run

    def recording_run(name: str, params: dict[str, Any] | None = None) -> Any:
        entry = (name, dict(params or {}))
        if entry not in per_page.setdefault(current["page"], []):
            per_page[current["page"]].append(entry)
        return original(name, params)

    data.run = recording_run  # type: ignore[assignment]
    try:
        pages = sorted(p for p in (ROOT / "dashboard" / "pages").glob("*.py") if p.name != "__init__.py")
        for page in pages:
            current["page"] = "first"
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
            current["page"] = page.stem
            at.switch_page(f"dashboard/pages/{page.name}").run()
            if at.exception:
                raise RuntimeError(f"page {page.stem} failed: {at.exception}")
    finally:
        data.run = original  # type: ignore[assignment]
    per_page.pop("first", None)
    # What every page runs is the sidebar (app.py draws it before the page).
    common = [c for c in next(iter(per_page.values())) if all(c in v for v in per_page.values())]
    calls = [("sidebar", name, params) for name, params in common]
    for page, entries in per_page.items():
        calls += [(page, name, params) for name, params in entries if (name, params) not in common]
    calls.append(("data", SQL_BOX, {}))
    return calls


class Runner:
    """Replays calls against the DB file, reopening it when a refresh swaps it (as dashboard/data.py does)."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self._open()

    def _open(self) -> None:
        from dashboard.data import DashboardDB
        from pipeline.database import file_identity

        self.identity = file_identity(self.db)
        self.handle = DashboardDB(self.db)

    def refresh_if_swapped(self) -> None:
        from pipeline.database import file_identity

        if file_identity(self.db) != self.identity:
            old = self.handle
            self._open()
            old.close()


def _sql_box(db: Path) -> float:
    from pipeline.database import load_sql
    from pipeline.product import safe_sql

    sql = load_sql("sql_box_default")
    t = time.perf_counter()
    try:
        safe_sql.run_safe_query(db, sql, max_rows=10_000, timeout_s=SQL_BOX_LIMIT_S)
    except safe_sql.QueryTimeout:  # counted at the limit (a busy machine), not a crash of the whole benchmark
        return SQL_BOX_LIMIT_S
    return time.perf_counter() - t


def time_calls(
    db: Path, calls: list[tuple[str, str, dict[str, Any]]], reps: int, stop: threading.Event | None = None
) -> dict[tuple[str, str], list[float]]:
    """Latencies (s) per (page, query). With `stop`: loop over all calls until it is set (at least once)."""
    runner = Runner(db)
    times: dict[tuple[str, str], list[float]] = {(p, n): [] for p, n, _ in calls}
    rounds = 0
    while True:
        for page, name, params in calls:
            runner.refresh_if_swapped()
            if name == SQL_BOX:
                times[(page, name)].append(_sql_box(db))
                continue
            t = time.perf_counter()
            runner.handle.query(name, params)
            times[(page, name)].append(time.perf_counter() - t)
        rounds += 1
        if (stop is None and rounds >= reps) or (stop is not None and stop.is_set()):
            break
    runner.handle.close()
    return times


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]
