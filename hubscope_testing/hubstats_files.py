"""Files in the hub-stats dump's schema, made from the real sample, for tests and the benchmark.

- `make_fixtures`: the small real fixtures under tests/data/ (selection rules in tests/data/README.md).
- `revision_files`: one `models.parquet` per date of the real daily all-time series: the sample's rows of the
  models recorded that day, with that day's real `downloadsAllTime` (what a daily dump revision holds for them).
- `resample`: an N-row file for the benchmark: the real sample's rows repeated, ids made unique (`id--rK`), like
  bench/records.py does for pages.

    python -m hubscope_testing.hubstats_files fixtures ../shared/hub-data tests/data
    python -m hubscope_testing.hubstats_files resample ../shared/hub-data/hubstats-sample-2026-05.parquet OUT 3000000
    python -m hubscope_testing.hubstats_files bench OUT /tmp/work floor     # then: … import
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import orjson

from pipeline.database import quote_literal

SAMPLE_NAME = "hubstats-sample-2026-05.parquet"
DAILY_NAME = "hubstats-daily-2026.parquet"
FIXTURE_SAMPLE = "hubstats-sample-fixture.parquet"
FIXTURE_DAILY = "hubstats-daily-fixture.parquet"
# The daily series' dates the fixture keeps: gaps of 10 and 14 days, and 2026-06-15, when 54 real counters
# went down (google/gemma-2b among them).
FIXTURE_DATES = ("2026-06-05", "2026-06-15", "2026-06-16", "2026-06-17", "2026-07-01", "2026-07-02", "2026-07-03")
# Kept by name: real counters that went down on 2026-06-15.
FIXTURE_MODELS = ("google/gemma-2b", "meetkai/functionary-small-v3.1", "CYFRAGOVPL/PLLuM-12B-nc-chat-2412")


def _copy(con: duckdb.DuckDBPyConnection, select: str, out: Path) -> None:
    con.execute(f"COPY ({select}) TO {quote_literal(str(out))} (FORMAT parquet, COMPRESSION zstd)")


def make_fixtures(hub_data: Path, out_dir: Path) -> None:
    """Every 20th row of the sample (file order) + every row with a gguf + FIXTURE_MODELS, unchanged; and the
    daily series of those models at FIXTURE_DATES."""
    con = duckdb.connect()
    sample = quote_literal(str(hub_data / SAMPLE_NAME))
    names = ", ".join(quote_literal(m) for m in FIXTURE_MODELS)
    _copy(
        con,
        f"SELECT * EXCLUDE (file_row_number) FROM read_parquet({sample}, file_row_number = true) "
        f"WHERE file_row_number % 20 = 0 OR gguf IS NOT NULL OR id IN ({names}) ORDER BY file_row_number",
        out_dir / FIXTURE_SAMPLE,
    )
    dates = ", ".join(f"DATE {quote_literal(d)}" for d in FIXTURE_DATES)
    _copy(
        con,
        f"SELECT * FROM read_parquet({quote_literal(str(hub_data / DAILY_NAME))}) WHERE snapshot_date IN ({dates}) "
        f"AND model_id IN (SELECT id FROM read_parquet({quote_literal(str(out_dir / FIXTURE_SAMPLE))})) "
        "ORDER BY snapshot_date, model_id",
        out_dir / FIXTURE_DAILY,
    )
    con.close()


def revision_files(sample: Path, daily: Path, out_dir: Path) -> list[tuple[date, Path]]:
    """One dump-shaped file per date of `daily`: the `sample` rows of that day's models, with that day's
    `downloadsAllTime`. Returns (date, file), oldest first."""
    con = duckdb.connect()
    made: list[tuple[date, Path]] = []
    daily_sql = f"read_parquet({quote_literal(str(daily))})"
    for (day,) in con.sql(f"SELECT DISTINCT snapshot_date FROM {daily_sql} ORDER BY 1").fetchall():
        out = out_dir / f"models-{day.isoformat()}.parquet"
        _copy(
            con,
            f"SELECT s.* REPLACE (d.downloads_all_time AS downloadsAllTime) "
            f"FROM read_parquet({quote_literal(str(sample))}) s JOIN {daily_sql} d "
            f"ON d.model_id = s.id AND d.snapshot_date = DATE {quote_literal(day.isoformat())} ORDER BY s.id",
            out,
        )
        made.append((day, out))
    con.close()
    return made


def resample(sample: Path, out: Path, rows: int) -> Path:
    """`rows` rows: the sample repeated, the k-th copy's ids suffixed `--rK` (copy 0 keeps the real ids)."""
    con = duckdb.connect()
    n = con.sql(f"SELECT count(*) FROM read_parquet({quote_literal(str(sample))})").fetchall()[0][0]
    copies = -(-rows // n)
    _copy(
        con,
        f"SELECT s.* REPLACE (CASE WHEN k = 0 THEN s.id ELSE s.id || '--r' || k END AS id) "
        f"FROM range({copies}) r(k), read_parquet({quote_literal(str(sample))}) s LIMIT {rows}",
        out,
    )
    con.close()
    return out


def api_records(path: Path) -> list[dict[str, Any]]:
    """The file's rows as `/api/models?expand[]=…` items (what a crawl would receive for the same models):
    cardData/gguf parsed from their JSON strings, safetensors without the absent dtypes, ISO dates with `Z`."""
    import polars as pl

    records = []
    for row in pl.read_parquet(path).to_dicts():
        for key in ("cardData", "gguf"):
            if isinstance(row.get(key), str):
                with contextlib.suppress(ValueError):
                    row[key] = orjson.loads(row[key])
        st = row.get("safetensors")
        if isinstance(st, dict) and isinstance(st.get("parameters"), dict):
            row["safetensors"] = {
                "parameters": {k: v for k, v in st["parameters"].items() if v is not None},
                "total": st.get("total"),
            }
        for key in ("createdAt", "lastModified"):
            if row.get(key) is not None:
                row[key] = row[key].strftime("%Y-%m-%dT%H:%M:%S.") + f"{row[key].microsecond // 1000:03d}Z"
        records.append(row)
    return records


def measure_one(path: Path, work: Path, what: str) -> str:
    import resource
    import shutil
    import time

    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    started = time.perf_counter()
    if what == "floor":
        con = duckdb.connect(str(work / "bare.duckdb"))
        con.execute(f"CREATE TABLE t AS SELECT * FROM read_parquet({quote_literal(str(path))})")
        rows = con.sql("SELECT count(*) FROM t").fetchall()[0][0]
        con.close()
    else:
        from pipeline.ingest.hubstats import hub_stats_source
        from pipeline.refresh import refresh

        result = refresh(work / "hub.duckdb", hub_stats_source(str(path), endpoint=None, token=None))
        rows = result.counts.get("models_seen", 0) if result else 0
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return f"{what}: {rows:,} rows in {seconds:.1f}s = {rows / seconds:,.0f} rows/s; peak RSS {peak:,.0f} MB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hubscope_testing.hubstats_files")
    sub = parser.add_subparsers(dest="command", required=True)
    fx = sub.add_parser("fixtures", help="write the tests/data fixtures")
    fx.add_argument("hub_data", type=Path)
    fx.add_argument("out_dir", type=Path)
    rs = sub.add_parser("resample", help="write an N-row dump-shaped file for the benchmark")
    rs.add_argument("sample", type=Path)
    rs.add_argument("out", type=Path)
    rs.add_argument("rows", type=int)
    bench = sub.add_parser("bench", help="time the floor (bare read_parquet) or the import of FILE")
    bench.add_argument("file", type=Path)
    bench.add_argument("work", type=Path, help="scratch folder (emptied)")
    bench.add_argument("what", choices=("floor", "import"))
    args = parser.parse_args(argv)
    if args.command == "fixtures":
        make_fixtures(args.hub_data, args.out_dir)
    elif args.command == "resample":
        resample(args.sample, args.out, args.rows)
    else:
        print(measure_one(args.file, args.work, args.what))
    return 0


if __name__ == "__main__":
    sys.exit(main())
