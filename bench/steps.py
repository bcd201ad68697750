"""Measured steps, each run in its own process by bench.run (so peak RSS is the step's own):

    python -m bench.steps pages   --size N --seed S --out pages.jsonl   # pre-fetch: the server's page bodies
    python -m bench.steps cpu     --pages pages.jsonl --db X            # CPU path: parse+normalize+classify+store
    python -m bench.steps history --db X --days 29                      # 29 earlier snapshots (bulk insert)

Each prints one JSON line with what it measured.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson

from bench.records import Resampled, load_pool, parse_size
from hubscope_testing.standin import MAX_PAGE


def write_pages(size: int, seed: int, out: Path) -> dict[str, Any]:
    """Exactly the bodies the stand-in sends for the refresh's query (records are already expand-shaped)."""
    records = Resampled(load_pool(), size, seed)
    t = time.perf_counter()
    n_bytes = 0
    with open(out, "wb") as f:
        for start in range(0, size, MAX_PAGE):
            body = orjson.dumps(records[start : start + MAX_PAGE])
            n_bytes += len(body)
            f.write(body + b"\n")
    return {"pages_file_bytes": n_bytes, "seconds": time.perf_counter() - t}


def read_pages(path: Path) -> Iterator[list[Any]]:
    with open(path, "rb") as f:
        for line in f:
            yield orjson.loads(line)  # fetch._parse does the same per page


class _TracedConnection:
    """Wraps the Writer's DuckDB connection: time spent per SQL statement (first 90 characters)."""

    def __init__(self, con: Any, spent: dict[str, float]) -> None:
        self._con, self._spent = con, spent

    def _timed(self, method: str, sql: str, *args: Any, **kwargs: Any) -> Any:
        t = time.perf_counter()
        try:
            result = getattr(self._con, method)(sql, *args, **kwargs)
            if method == "sql" and result is not None:
                return _Result(result.to_arrow_table())
            return result
        finally:
            key = " ".join(sql.split())[:90]
            self._spent[key] = self._spent.get(key, 0.0) + time.perf_counter() - t

    def execute(self, sql: str, *args: Any, **kwargs: Any) -> Any:
        return self._timed("execute", sql, *args, **kwargs)

    def sql(self, sql: str, *args: Any, **kwargs: Any) -> Any:
        return self._timed("sql", sql, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)


class _Result:
    def __init__(self, value: Any) -> None:
        self.value = value

    def fetchall(self) -> Any:
        return list(zip(*(c.to_pylist() for c in self.value.columns), strict=True))

    def pl(self) -> Any:
        import polars as pl

        return pl.from_arrow(self.value)


def cpu_path(pages: Path, db: Path, trace_sql: bool = False) -> dict[str, Any]:
    """Pre-fetched pages through the refresh machinery (refresh._run: lock, journal, Normalizer, Writer,
    classify.enrich, rollups, swap) with no HTTP and no huggingface_hub."""
    from pipeline.refresh import _run
    from pipeline.store import writer as store

    spent: dict[str, float] = {}
    if trace_sql:
        original_init = store.Writer.__init__

        def traced_init(self: Any, *args: Any, **kwargs: Any) -> None:
            original_init(self, *args, **kwargs)
            self.con = _TracedConnection(self.con, spent)

        store.Writer.__init__ = traced_init  # type: ignore[method-assign]

    t = time.perf_counter()
    result = _run(
        db, source="bench:prefetched-pages", is_full=True, filters={}, pages=read_pages(pages),
        storage_version=None, config_path=None,
    )  # fmt: skip
    seconds = time.perf_counter() - t
    if result.status != "ok":
        raise SystemExit(f"cpu path failed: {result.error}")
    out: dict[str, Any] = {
        "seconds": seconds, "models": result.counts["models_seen"], "rejected": result.counts["models_rejected"]
    }  # fmt: skip
    if trace_sql:
        out["sql"] = {k: round(v, 2) for k, v in sorted(spent.items(), key=lambda kv: -kv[1]) if v >= 0.05}
    return out


def add_history(db: Path, days: int, seed: int) -> dict[str, Any]:
    """29 earlier daily snapshots, so the DB holds 30 like a month of daily refreshes. DOCUMENTED BULK INSERT
    (not through Writer: 29 real crawls would take hours at 3M): for k = 1..days, every model seen by the latest
    run gets a `model_snapshots` row at `snapshot_at - k days` (series 'hub', a synthetic run id per day, also
    recorded in refresh_runs as source 'bench:synthetic-history'), with downloads_30d and likes = the real
    value x a per-model-per-day factor exp(N(0, 0.15)) x (1 - 0.01 k) (a slow drift, so movers differ),
    downloads_all_time reduced by k/30 of the 30-day count, trending_score unchanged. Then sql/rollups.sql is
    re-run so the rollups cover the history, and the file is CHECKPOINTed."""
    import duckdb

    from pipeline.database import load_sql

    t = time.perf_counter()
    con = duckdb.connect(str(db))
    con.execute("SET enable_progress_bar = false")
    try:
        (latest,) = con.sql("SELECT max(run_id) FROM refresh_runs").fetchall()[0]
        run = con.sql(
            "SELECT started_at, finished_at, source FROM refresh_runs WHERE run_id = $r", params={"r": latest}
        ).fetchall()[0]
        con.execute("SELECT setseed($s)", {"s": (seed % 1000) / 1000})  # random() below: reproducible
        base = 1000  # synthetic run ids: 1001 … 1029 (k days before)
        con.execute("BEGIN")
        for k in range(days, 0, -1):
            con.execute(
                "INSERT INTO refresh_runs (run_id, started_at, finished_at, status, source, is_full, filters, "
                "models_seen, snapshot_rows, hubscope_version) SELECT $id, $s, $f, 'ok', "
                "'bench:synthetic-history', true, '{}', count(*), count(*), 'bench' FROM model_snapshots "
                "WHERE run_id = $latest",
                {"id": base + k, "s": run[0] - timedelta(days=k), "f": run[1] - timedelta(days=k), "latest": latest},
            )
            con.execute(
                f"""INSERT INTO model_snapshots
                SELECT model_id, snapshot_at - INTERVAL {k} DAY, snapshot_date - INTERVAL {k} DAY, {base + k},
                       series,
                       CAST(round(downloads_30d * exp(0.15 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()))
                                  * (1 - 0.01 * {k})) AS BIGINT),
                       greatest(0, downloads_all_time - CAST(round(coalesce(downloads_30d, 0) * {k} / 30) AS BIGINT)),
                       CAST(round(likes * (1 - 0.01 * {k})) AS BIGINT),
                       trending_score
                FROM model_snapshots WHERE run_id = $latest""",
                {"latest": latest},
            )
        con.execute("COMMIT")
        rows = con.sql("SELECT count(*) FROM model_snapshots").fetchall()[0][0]
        con.execute(load_sql("rollups"))
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return {"seconds": time.perf_counter() - t, "snapshot_rows": rows}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.steps")
    p.add_argument("step", choices=("pages", "cpu", "history"))
    p.add_argument("--size")
    p.add_argument("--seed", type=int, default=6)
    p.add_argument("--out", type=Path)
    p.add_argument("--pages", type=Path)
    p.add_argument("--db", type=Path)
    p.add_argument("--days", type=int, default=29)
    p.add_argument("--trace-sql", action="store_true", help="cpu: time each SQL statement of the Writer")
    args = p.parse_args(argv)
    import logging
    import os

    logging.basicConfig(
        level=logging.DEBUG if os.environ.get("BENCH_DEBUG") else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("pipeline.refresh").setLevel(logging.INFO)
    if args.step == "pages":
        result = write_pages(parse_size(args.size), args.seed, args.out)
    elif args.step == "cpu":
        result = cpu_path(args.pages, args.db, args.trace_sql)
    else:
        result = add_history(args.db, args.days, args.seed)
    print(orjson.dumps(result).decode(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
