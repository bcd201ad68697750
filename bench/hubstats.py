"""Issue #11's hub-stats goals, measured by `python -m bench --hub-stats 300k,3M --backfill 300k`:

(a) import: an N-row Parquet in the dump's schema (the real sample resampled, ids made unique:
    hubscope_testing/hubstats_files.py `resample`) through `refresh --from-hub-stats FILE` into a fresh DB, in its
    own process (peak RSS = VmHWM, per store phase too: bench/peak.py), beside its floor in the same run: DuckDB
    reading the same file into a bare table (same memory cap). Goal: >= 150,000 models/s, peak RSS < 1.5 GB.
(b) backfill: W weekly revisions built from the N-row file (bench/hubstats_weeks.sql: growth, deletions, weekly
    counter changes), served by the stand-in Hub (`python -m hubscope_testing.standin --hub-stats-dir`), imported
    by `backfill --from-hub-stats --every week` (the real huggingface_hub client); then every dashboard call timed
    on the result as the history axis does. Reports wall time, DB file size, the slowest page's p95.

Files are cached in the work folder (not timed); the DBs are not.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench.records import parse_size

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = (
    Path("/work/shared/hub-data/hubstats-sample-2026-05.parquet"),  # 4,167 real rows
    ROOT / "data" / "snapshot" / "hubstats-sample.parquet",  # 3,278 of them, in every clone
)
WEEKS_SQL = Path(__file__).with_name("hubstats_weeks.sql")
GOAL_MODELS_PER_S = 150_000
GOAL_PEAK_RSS_MB = 1536
WEEKLY_GROWTH = 0.0065  # of the newest population, born per week (bench/hubstats_weeks.sql)
NEWEST = datetime(2026, 5, 21, 6)  # the newest revision's commit: after the sample's newest lastModified
STAGING = re.compile(r"hub-stats staging \(s\): (.*)")
PHASES = re.compile(r"store phases \(s\): (.*)")


def sample() -> Path:
    return next(p for p in SAMPLES if p.exists())


def dump_file(size: str, folder: Path, py: str, env: dict[str, str]) -> Path:
    """The N-row resampled file (made once per size and sample)."""
    out = folder / f"hubstats-{size}.parquet"
    if not out.exists():
        folder.mkdir(parents=True, exist_ok=True)
        part = out.with_suffix(".part")
        cmd = [py, "-m", "hubscope_testing.hubstats_files", "resample", str(sample()), str(part), str(parse_size(size))]
        subprocess.run(cmd, cwd=ROOT, env=env, check=True)
        part.rename(out)
    return out


def _pairs(line: str) -> dict[str, float]:
    return {k: float(v) for k, v in (p.split("=") for p in line.split())}


def import_result(res: dict[str, Any], n: int, floor: dict[str, Any], log: str) -> dict[str, Any]:
    """The import's figures: models/s beside the floor's, the goals, the staging statements' seconds."""
    res["models"] = n
    res["models_per_s"] = n / res["seconds"]
    res["floor_models_per_s"] = n / floor["seconds"]
    staging = STAGING.findall(log)
    if staging:
        res["staging"] = _pairs(staging[-1])
    res["goal"] = {
        "models_per_s": GOAL_MODELS_PER_S, "peak_rss_mb": GOAL_PEAK_RSS_MB,
        "met": res["models_per_s"] >= GOAL_MODELS_PER_S and res["rss_mb"] < GOAL_PEAK_RSS_MB,
    }  # fmt: skip
    return res


def week_files(base: Path, folder: Path, weeks: int, py: str, env: dict[str, str]) -> Path:
    """`weeks` revisions `models-YYYY-MM-DD.parquet` (one a week, the newest = `base`), made once."""
    done = folder / "done"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        cmd = [py, "-m", "bench.steps", "hubstats-weeks", "--file", str(base), "--out", str(folder),
               "--weeks", str(weeks)]  # fmt: skip
        subprocess.run(cmd, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        done.write_text("ok")
    return folder


def write_weeks(base: Path, folder: Path, weeks: int) -> dict[str, Any]:
    """bench.steps hubstats-weeks: the revision files (bench/hubstats_weeks.sql), oldest first."""
    import duckdb

    from pipeline.database import quote_literal

    con = duckdb.connect(config={"memory_limit": "2GB", "temp_directory": str(folder / "spill")})
    t = time.perf_counter()
    rows = []
    try:
        con.execute(f"CREATE VIEW _hs_base AS SELECT * FROM read_parquet({quote_literal(str(base))})")
        variables = {"hs_weeks": weeks, "hs_growth": WEEKLY_GROWTH}
        for name, value in variables.items():
            con.execute(f"SET VARIABLE {name} = $v", {"v": value})
        con.execute("SET VARIABLE hs_newest = CAST($v AS TIMESTAMP)", {"v": NEWEST})
        select = WEEKS_SQL.read_text()
        for week in range(weeks):
            day = NEWEST - timedelta(days=7 * (weeks - 1 - week))
            con.execute("SET VARIABLE hs_week = $v", {"v": week})
            con.execute("SET VARIABLE hs_date = CAST($v AS TIMESTAMP)", {"v": day})
            out = folder / f"models-{day.date().isoformat()}.parquet"
            con.execute(f"COPY ({select}) TO {quote_literal(str(out))} (FORMAT parquet, COMPRESSION zstd)")
            rows.append(con.sql(f"SELECT count(*) FROM read_parquet({quote_literal(str(out))})").fetchall()[0][0])
    finally:
        con.close()
    shutil.rmtree(folder / "spill", ignore_errors=True)
    return {"seconds": time.perf_counter() - t, "rows_first": rows[0], "rows_last": rows[-1]}


def backfill_result(res: dict[str, Any], log: str, weeks: int, folder: Path) -> dict[str, Any]:
    """Per-revision store phases (their sum and the slowest revision) and the revision files' sizes."""
    runs = [_pairs(line) for line in PHASES.findall(log)][-weeks:]
    res["revisions"] = len(runs)
    res["phases"] = {k: round(sum(r.get(k, 0.0) for r in runs), 2) for k in (runs[-1] if runs else {})}
    res["revision_seconds"] = [round(sum(r.values()), 2) for r in runs]
    files = sorted(folder.glob("models-*.parquet"))
    res["revision_file_mb"] = sum(p.stat().st_size for p in files) / 2**20
    return res


def dump_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=1, default=str))
