"""Measured steps, each run in its own process by bench.run (so peak RSS is the step's own):

    python -m bench.steps pages   --size N --seed S --out pages.jsonl   # pre-fetch: the server's page bodies
    python -m bench.steps cpu     --pages pages.jsonl --db X            # CPU path: parse+normalize+classify+store
    python -m bench.steps floor   --pages pages.jsonl --db X            # DuckDB read_json of the same pages, bare
    python -m bench.steps history --db X --days 30 --churn P            # N daily snapshots (bench/history.py)
    python -m bench.steps hubstats-floor --file F --db X                # DuckDB read_parquet of a dump, bare
    python -m bench.steps hubstats-weeks --file F --out DIR --weeks 52  # weekly revisions (bench/hubstats.py)

Each prints one JSON line with what it measured.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
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
    """Pre-fetched pages through the refresh machinery (refresh(db, PagesSource): lock, journal, normalizer,
    writer, enrichment, rollups, swap) with no HTTP and no huggingface_hub."""
    from pipeline.refresh import PagesSource, refresh
    from pipeline.store import writer as store

    spent: dict[str, float] = {}
    if trace_sql:
        original_init = store.Writer.__init__

        def traced_init(self: Any, *args: Any, **kwargs: Any) -> None:
            original_init(self, *args, **kwargs)
            self.con = _TracedConnection(self.con, spent)

        store.Writer.__init__ = traced_init  # type: ignore[method-assign]

    t = time.perf_counter()
    result = refresh(db, PagesSource(read_pages(pages), "bench:prefetched-pages", is_full=True))
    seconds = time.perf_counter() - t
    if result.status != "ok":
        raise SystemExit(f"cpu path failed: {result.error}")
    out: dict[str, Any] = {
        "seconds": seconds, "models": result.counts["models_seen"], "rejected": result.counts["models_rejected"]
    }  # fmt: skip
    if trace_sql:
        out["sql"] = {k: round(v, 2) for k, v in sorted(spent.items(), key=lambda kv: -kv[1]) if v >= 0.05}
    return out


def floor(pages: Path, db: Path) -> dict[str, Any]:
    """The floor for the CPU path: DuckDB's own JSON reader loading the same page bodies into a bare table (no
    normalization, no checks, no enrichment). The pages are first written one file each (not timed)."""
    import shutil

    import duckdb

    from pipeline.database import quote_literal

    folder = db.with_suffix(".pages")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    with open(pages, "rb") as f:
        for k, line in enumerate(f):
            (folder / f"{k:06d}.json").write_bytes(line)
    con = duckdb.connect(str(db))
    try:
        t = time.perf_counter()
        con.execute(
            f"CREATE OR REPLACE TABLE raw AS SELECT * FROM read_json({quote_literal(str(folder / '*.json'))}, "
            "format = 'array', union_by_name = true, maximum_object_size = 134217728)"
        )
        con.execute("CHECKPOINT")
        seconds = time.perf_counter() - t
        (models,) = con.sql("SELECT count(*) FROM raw").fetchall()[0]
    finally:
        con.close()
        shutil.rmtree(folder, ignore_errors=True)
    return {"seconds": seconds, "models": int(models)}


def hubstats_floor(file: Path, db: Path) -> dict[str, Any]:
    """The floor for the dump import: DuckDB reading the same Parquet into a bare table of a fresh file, under
    the writer's memory cap and with a spill folder, as the import runs (no checks, no enrichment)."""
    import duckdb

    from pipeline.database import quote_literal
    from pipeline.store.rebuild import memory_limit

    config = {"memory_limit": memory_limit(), "temp_directory": str(db) + ".spill", "preserve_insertion_order": False}
    con = duckdb.connect(str(db), config=config)
    try:
        t = time.perf_counter()
        con.execute(f"CREATE TABLE raw AS SELECT * FROM read_parquet({quote_literal(str(file))})")
        con.execute("CHECKPOINT")
        seconds = time.perf_counter() - t
        (models,) = con.sql("SELECT count(*) FROM raw").fetchall()[0]
    finally:
        con.close()
    return {"seconds": seconds, "models": int(models), "memory_limit": config["memory_limit"]}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.steps")
    p.add_argument("step", choices=("pages", "cpu", "floor", "history", "hubstats-floor", "hubstats-weeks"))
    p.add_argument("--file", type=Path)
    p.add_argument("--weeks", type=int, default=52)
    p.add_argument("--size")
    p.add_argument("--seed", type=int, default=6)
    p.add_argument("--out", type=Path)
    p.add_argument("--pages", type=Path)
    p.add_argument("--db", type=Path)
    p.add_argument("--days", type=int, default=30)
    p.add_argument("--churn", type=float, default=None, help="history: default measured (bench/history.py)")
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
    elif args.step == "floor":
        result = floor(args.pages, args.db)
    elif args.step == "hubstats-floor":
        result = hubstats_floor(args.file, args.db)
    elif args.step == "hubstats-weeks":
        from bench.hubstats import write_weeks

        result = write_weeks(args.file, args.out, args.weeks)
    else:
        from bench.history import build, measured_churn

        churn = args.churn if args.churn is not None else measured_churn()["churn"]
        result = build(args.db, args.days, churn, args.seed)
    print(orjson.dumps(result).decode(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
