"""The history axis: churn measured from a real daily series, and the bulk path that builds N daily snapshots.

Churn = among models present on two consecutive days of the real daily series
(`/work/shared/hub-data/hubstats-daily-2026.parquet`, cfahlgren1/hub-stats values of ~4,000 tracked models),
the fraction whose all-time download counter changed. Measured 2026-12-01 over the 41 consecutive-day pairs:
0.4434 (117,137 model-day pairs; median day 0.393; 4 days with no change at all, when the dump was stale). The
tracked models are popular ones (99% have downloads), so the benchmark applies this rate to models that have
30-day downloads and keeps the others unchanged (bench/history_bulk.sql). Without the file, FALLBACK_CHURN.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Any

DAILY_SERIES = Path("/work/shared/hub-data/hubstats-daily-2026.parquet")
FALLBACK_CHURN = 0.4434  # the figure above, for machines without /work/shared
BULK_SQL = Path(__file__).with_name("history_bulk.sql")

_CHURN_SQL = """
WITH d AS (SELECT model_id, snapshot_date, downloads_all_time FROM read_parquet($path)),
days AS (SELECT snapshot_date, lag(snapshot_date) OVER (ORDER BY snapshot_date) AS prev
         FROM (SELECT DISTINCT snapshot_date FROM d)),
pairs AS (
    SELECT (a.downloads_all_time IS DISTINCT FROM b.downloads_all_time)::INTEGER AS changed
    FROM d a JOIN days USING (snapshot_date)
    JOIN d b ON b.model_id = a.model_id AND b.snapshot_date = days.prev
    WHERE a.snapshot_date - days.prev = 1
)
SELECT avg(changed), count(*) FROM pairs"""


def measured_churn(path: Path = DAILY_SERIES) -> dict[str, Any]:
    """{'churn': fraction, 'pairs': n, 'source': where it came from}."""
    if not path.exists():
        return {"churn": FALLBACK_CHURN, "pairs": None, "source": f"constant (no {path})"}
    import duckdb

    con = duckdb.connect()
    try:
        churn, pairs = con.sql(_CHURN_SQL, params={"path": str(path)}).fetchall()[0]
    finally:
        con.close()
    return {"churn": float(churn), "pairs": int(pairs), "source": str(path)}


def build(db: Path, days: int, churn: float, seed: int) -> dict[str, Any]:
    """Rewrite series 'hub' of `db` (one real refresh) as `days` daily snapshots (bench/history_bulk.sql), rebuild
    the rollups (sql/rollups.sql: the slots changed, so in full), checkpoint."""
    import duckdb

    from pipeline.store.rebuild import memory_limit

    t = time.perf_counter()
    # The writer's settings (pipeline/store/rebuild.py), its memory cap included: the full rollup rebuild below is
    # the one a configuration change or a compact runs at this scale.
    config = {"memory_limit": memory_limit(), "temp_directory": str(db) + ".bench-spill",
              "preserve_insertion_order": False}  # fmt: skip
    con = duckdb.connect(str(db), config=config)
    try:
        con.execute("SET enable_progress_bar = false")
        run, at = con.sql(
            "SELECT run_id, snapshot_at FROM history_slots WHERE series = 'hub' ORDER BY slot DESC LIMIT 1"
        ).fetchall()[0]
        con.execute("DELETE FROM refresh_runs WHERE source = 'bench:synthetic-history'")  # an earlier build's
        (first_id,) = con.sql("SELECT max(run_id) + 1 FROM refresh_runs").fetchall()[0]
        variables = {
            "bench_days": days,
            "bench_churn": churn,
            "bench_run": run,
            "bench_first_id": first_id,
            "bench_seed": seed,
        }
        for name, value in variables.items():
            con.execute(f"SET VARIABLE {name} = $v", {"v": value})
        con.execute("SET VARIABLE bench_at = CAST($v AS TIMESTAMP)", {"v": _naive(at)})
        con.execute("BEGIN")
        con.execute(BULK_SQL.read_text())
        con.execute("COMMIT")
        built = time.perf_counter() - t
        slowest = _timed_derived(con, "rollups")
        con.execute("CHECKPOINT")
        stats = con.sql(
            "SELECT (SELECT count(*) FROM history_spans), (SELECT sum(models) FROM history_slots), "
            "(SELECT count(*) FROM history_slots WHERE series = 'hub')"
        ).fetchall()[0]
    finally:
        con.close()
    return {
        "seconds": time.perf_counter() - t, "build_seconds": built, "history_rows": int(stats[0]),
        "model_days": int(stats[1]), "snapshots": int(stats[2]), "churn": churn, "memory_limit": memory_limit(),
        "slowest_rollup_statements": slowest,
    }  # fmt: skip


def _timed_derived(con: Any, name: str, keep: int = 8) -> list[list[Any]]:
    """run_derived statement by statement: the `keep` slowest as [seconds, first line] (a statement run once per
    range of model keys: its total)."""
    from pipeline.database import derived_statements

    seconds: dict[str, float] = {}
    for statement in derived_statements(con, name):
        t = time.perf_counter()
        con.execute(statement)
        seconds[statement.query] = seconds.get(statement.query, 0.0) + time.perf_counter() - t
    code = {query: [line for line in map(str.strip, query.splitlines()) if line and not line.startswith("--")]
            for query in seconds}  # fmt: skip
    heads = {query: (lines or [""])[0] for query, lines in code.items()}
    return sorted([[round(t, 1), heads[query][:100]] for query, t in seconds.items()], reverse=True)[:keep]


def _naive(at: datetime) -> datetime:
    return at.replace(tzinfo=None)
