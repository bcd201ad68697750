"""Measure the SQL box's limits: for each attack of issue 9 (item 12), the time limit vs the seconds it took to
stop, the peak memory of the query's child process and of this (the dashboard's) process, and the outcome.

    .venv/bin/python scripts/measure_sql_limits.py [--db data/hub.duckdb] [--timeout 5]

The figures go to docs/operations.md ("SQL box limits").
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.paths import db_path  # noqa: E402
from pipeline.product import safe_sql  # noqa: E402


def attacks(timeout: float) -> list[tuple[str, str, float]]:
    """(label, sql, time limit): the issue's list with its limits (5 s, and the dashboard's 10 s)."""
    unions = lambda n: " UNION ALL ".join(["SELECT 1"] * n)  # noqa: E731
    return [
        ("length(repeat('x', 1e9))", "select length(repeat('x', 1000000000))", timeout),
        ("range(100000000)", "select range(100000000)", timeout),
        ("5,000 UNION ALLs", unions(5_000), 10.0),
        ("20,000 UNION ALLs", unions(20_000), 10.0),
        ("30,000 UNION ALLs", unions(30_000), 10.0),
        ("repeat('x',150000) × 10,000 rows", "select repeat('x',150000) s from range(10000)", 10.0),
        ("count(*) over range(1e15)", "select count(*) from range(1000000000000000)", timeout),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="DB file (default data/hub.duckdb)")
    parser.add_argument("--timeout", type=float, default=5.0, help="time limit for the issue's 5 s attacks")
    args = parser.parse_args()
    db = db_path(args.db)
    safe_sql.run_safe_query(db, "select 1")  # start the forkserver once, as the dashboard's first query does
    print(
        f"caps: DuckDB memory_limit {safe_sql.MEMORY_LIMIT}, child address space "
        f"{safe_sql.ADDRESS_SPACE_BYTES / 2**30:g} GiB, child RSS kill at {safe_sql.RSS_CAP_BYTES / 2**30:g} GiB, "
        f"result {safe_sql.MAX_RESULT_BYTES >> 20} MiB, query text {safe_sql.MAX_SQL_CHARS:,} characters"
    )
    print("| attack | limit s | stopped after s | child peak MiB | this process peak MiB | outcome |")
    print("|---|---:|---:|---:|---:|---|")
    for label, sql, limit in attacks(args.timeout):
        started = time.monotonic()
        peak = 0
        try:
            result = safe_sql.run_safe_query(db, sql, timeout_s=limit)
            peak = result.peak_rss_bytes
            outcome = f"{result.frame.height:,} rows, {result.frame.estimated_size() >> 20} MiB" + (
                f" (cut by {result.cut})" if result.cut else ""
            )
        except (safe_sql.SafeSQLError, ValueError) as err:
            peak = getattr(err, "peak_rss_bytes", 0)
            outcome = f"{type(err).__name__}: {err}"
        elapsed = time.monotonic() - started
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss >> 10
        print(f"| {label} | {limit:g} | {elapsed:.2f} | {peak >> 20:,} | {own:,} | {outcome[:110]} |", flush=True)


if __name__ == "__main__":
    main()
