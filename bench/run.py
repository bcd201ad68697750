"""The benchmark driver (see bench/__main__.py)."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from bench.queries import discover_calls, percentile, time_calls
from bench.records import parse_size

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PHASES = re.compile(r"store phases \(s\): (.*)")
QUICK_HUB_STATS = "100k"  # the dump import in --quick (issue #11 (a) at a developer's size)


def _env(work: Path) -> dict[str, str]:
    env = {**os.environ, "HF_HOME": str(work / "hf_home"), "TQDM_DISABLE": "1", "PYTHONPATH": str(ROOT)}
    env.pop("HF_TOKEN", None)
    env.pop("HUBSCOPE_DB", None)
    return env


def measured(cmd: list[str], env: dict[str, str], log: Path, phase_rss: bool = False) -> dict[str, Any]:
    """Run cmd in its own process; wall seconds, peak RSS (MB, that process only), stdout, store phases (the
    last refresh's), with `phase_rss` the peak RSS of each store phase (bench/peak.py)."""
    # The step runs under bench.peak, which reports VmHWM at exit (rusage's ru_maxrss would include the size of
    # this parent process at fork time).
    python = cmd.index(PY)
    cmd = [*cmd[: python + 1], "-m", "bench.peak", *cmd[python + 2 :]]
    peak_file = log.with_name(f"peak-{os.getpid()}-{time.monotonic_ns()}.txt")
    phase_file = peak_file.with_suffix(".phases.json")
    env = {**env, "BENCH_PEAK_FILE": str(peak_file), **({"BENCH_PHASE_RSS_FILE": str(phase_file)} if phase_rss else {})}
    started = time.perf_counter()
    with open(log, "ab") as err:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=err)
        assert proc.stdout is not None
        out = proc.stdout.read().decode()
        proc.wait()
    peak_kb = int(peak_file.read_text()) if peak_file.exists() else -1
    peak_file.unlink(missing_ok=True)
    result = {"seconds": time.perf_counter() - started, "rss_mb": peak_kb / 1024, "stdout": out.strip()}
    if phase_file.exists():
        result["phase_rss_mb"] = json.loads(phase_file.read_text())
        phase_file.unlink()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}; see {log}")
    phases = PHASES.findall(log.read_text(errors="replace"))
    if phases:
        result["phases"] = {k: float(v) for k, v in (p.split("=") for p in phases[-1].split())}
    return result


def start_server(size: str, env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    return serve([PY, "-m", "bench.server", "--size", size], env, log)


def serve(cmd: list[str], env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Start a stand-in Hub (`cmd` prints its URL on stdout's first line) in its own process."""
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=open(log, "ab"))  # noqa: SIM115
    assert proc.stdout is not None
    url = proc.stdout.readline().decode().strip()
    if not url.startswith("http"):
        proc.kill()
        raise RuntimeError(f"stand-in Hub did not start; see {log}")
    return proc, url


def summarize(times: dict[tuple[str, str], list[float]]) -> dict[str, Any]:
    per_query = {
        f"{page}/{name}": {"p50_ms": percentile(v, 50) * 1000, "p95_ms": percentile(v, 95) * 1000, "n": len(v)}
        for (page, name), v in times.items()
    }
    pages: dict[str, dict[str, float]] = {}
    for (page, _), v in times.items():
        agg = pages.setdefault(page, {"worst_p95_ms": 0.0, "sum_p50_ms": 0.0})
        agg["worst_p95_ms"] = max(agg["worst_p95_ms"], percentile(v, 95) * 1000)
        agg["sum_p50_ms"] += percentile(v, 50) * 1000
    return {"queries": per_query, "pages": pages}


def bench_size(
    res: dict[str, Any], save: Callable[[], None], work: Path, calls: list[Any] | None, reps: int,
    nice_levels: list[int], days: list[int], churn: float,
) -> list[Any] | None:  # fmt: skip
    """Fill `res` step by step (saving after each), so a run that fails or is stopped at 3M keeps what it measured."""
    size_text = res["size"]
    n = parse_size(size_text)
    d = work / size_text
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    env, log = _env(work), d / "log.txt"
    db = d / "hub.duckdb"
    res.update({"models": n, "history": {}})
    server, url = start_server(size_text, env, log)
    try:
        _say(size_text, f"end-to-end refresh via {url}")
        refresh_cmd = [PY, "-m", "pipeline", "refresh", "--db", str(db), "--endpoint", url]
        res["e2e"] = measured(refresh_cmd, env, log)
        res["file_mb_1_snapshot"] = db.stat().st_size / 2**20
        save()
        for n_days in days:
            _say(size_text, f"history: {n_days} daily snapshots (bench/history_bulk.sql, churn {churn:.3f})")
            step = [PY, "-m", "bench.steps", "history", "--db", str(db), "--days", str(n_days), "--churn", str(churn)]
            h: dict[str, Any] = {"build": measured(step, env, log)}
            h["build"].update(json.loads(h["build"].pop("stdout").splitlines()[-1]))
            h["file_mb"] = db.stat().st_size / 2**20
            if calls is None:
                _say(size_text, "recording the dashboard's calls (AppTest)")
                calls = discover_calls(db)
                res["calls"] = [[p, q, {k: str(v) for k, v in params.items()}] for p, q, params in calls]
            _say(size_text, f"queries idle ({len(calls)} calls x {reps})")
            h["idle"] = summarize(time_calls(db, calls, reps))
            for level in nice_levels:
                label = f"nice{level}"
                _say(size_text, f"queries during the steady-state refresh onto {n_days} snapshots ({label})")
                cmd = (["nice", "-n", str(level)] if level else []) + refresh_cmd
                h[f"busy_{label}"], h[f"refresh_{label}"] = _busy_run(db, calls, reps, cmd, env, log)
                h[f"file_mb_after_{label}"] = db.stat().st_size / 2**20
                h["rollups"] = _rollup_state(db)
            res["history"][str(n_days)] = h
            save()
    finally:
        server.kill()
        server.wait()
    _say(size_text, "CPU path (pre-fetched pages, no HTTP) and its floor (DuckDB read_json of the same pages)")
    pages = d / "pages.jsonl"
    measured([PY, "-m", "bench.steps", "pages", "--size", size_text, "--out", str(pages)], env, log)
    for step in ("cpu", "floor"):
        target = d / f"{step}.duckdb"
        res[step] = measured([PY, "-m", "bench.steps", step, "--pages", str(pages), "--db", str(target)], env, log)
        res[step].update(json.loads(res[step].pop("stdout").splitlines()[-1]))
        for leftover in d.glob(f"{step}.*"):
            shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
        save()
    pages.unlink()
    return calls


def bench_hubstats(size_text: str, work: Path) -> dict[str, Any]:
    """Issue #11 (a): the dump import of an N-row file into a fresh DB beside its floor (bench/hubstats.py)."""
    from bench import hubstats

    d, env, log = _fresh(work, f"hubstats-{size_text}")
    file = hubstats.dump_file(size_text, work / "hubstats-files", PY, env)
    _say(size_text, f"hub-stats floor: DuckDB read_parquet of {file.name} into a bare table")
    floor = measured([PY, "-m", "bench.steps", "hubstats-floor", "--file", str(file), "--db", str(d / "bare.duckdb")],
                     env, log)  # fmt: skip
    floor.update(json.loads(floor.pop("stdout").splitlines()[-1]))
    for leftover in d.glob("bare.*"):
        shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
    _say(size_text, f"hub-stats import: refresh --from-hub-stats {file.name} into a fresh DB")
    db = d / "hub.duckdb"
    res = measured([PY, "-m", "pipeline", "refresh", "--db", str(db), "--from-hub-stats", str(file)], env, log, True)
    res = hubstats.import_result(res, parse_size(size_text), floor, log.read_text(errors="replace"))
    res.update({"size": size_text, "file_mb": file.stat().st_size / 2**20, "db_mb": db.stat().st_size / 2**20,
                "floor": floor})  # fmt: skip
    shutil.rmtree(d, ignore_errors=True)
    return res


def bench_backfill(size_text: str, weeks: int, work: Path, calls: list[Any] | None, reps: int) -> tuple[
    dict[str, Any], list[Any]
]:  # fmt: skip
    """Issue #11 (b): `weeks` weekly revisions through the stand-in Hub and `backfill --every week`, then the
    dashboard's calls timed on the result (bench/hubstats.py)."""
    from bench import hubstats

    d, env, log = _fresh(work, f"backfill-{size_text}x{weeks}")
    base = hubstats.dump_file(size_text, work / "hubstats-files", PY, env)
    _say(size_text, f"backfill: {weeks} weekly revisions from {base.name} (bench/hubstats_weeks.sql)")
    folder = hubstats.week_files(base, work / "hubstats-files" / f"weeks-{size_text}x{weeks}", weeks, PY, env)
    first = min(folder.glob("models-*.parquet")).name.removeprefix("models-").removesuffix(".parquet")
    server, url = serve([PY, "-m", "hubscope_testing.standin", "--hub-stats-dir", str(folder), "--port", "0"], env, log)
    db = d / "hub.duckdb"
    try:
        _say(size_text, f"backfill --from-hub-stats --since {first} --every week via {url}")
        cmd = [PY, "-m", "pipeline", "backfill", "--db", str(db), "--from-hub-stats", "--since", first,
               "--every", "week", "--endpoint", url]  # fmt: skip
        res = measured(cmd, env, log, True)
    finally:
        server.kill()
        server.wait()
    res = hubstats.backfill_result(res, log.read_text(errors="replace"), weeks, folder)
    res.update(
        {"size": size_text, "models": parse_size(size_text), "weeks": weeks, "file_mb": db.stat().st_size / 2**20}
    )
    if calls is None:
        _say(size_text, "recording the dashboard's calls (AppTest)")
        calls = discover_calls(db)
    _say(size_text, f"queries on the backfilled file ({len(calls)} calls x {reps})")
    res["idle"] = summarize(time_calls(db, calls, reps))
    return res, calls


def _fresh(work: Path, name: str) -> tuple[Path, dict[str, str], Path]:
    """An emptied step folder, the environment of its processes and its log."""
    d = work / name
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    return d, _env(work), d / "log.txt"


def _say(size: str, what: str) -> None:
    print(f"[{size}] {what}", file=sys.stderr, flush=True)


def _busy_run(
    db: Path, calls: list[Any], reps: int, cmd: list[str], env: dict[str, str], log: Path
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Time the dashboard's calls while `cmd` (a refresh) runs in another process."""
    stop = threading.Event()
    box: dict[str, Any] = {}

    def background_refresh() -> None:
        try:
            box["r"] = measured(cmd, env, log)
        except Exception as err:  # noqa: BLE001
            box["error"] = repr(err)
        finally:
            stop.set()

    worker = threading.Thread(target=background_refresh)
    worker.start()
    time.sleep(0.5)
    busy = summarize(time_calls(db, calls, reps, stop=stop))
    worker.join()
    if "error" in box:
        raise RuntimeError(box["error"])
    return busy, box["r"]


def _rollup_state(db: Path) -> str:
    """How the last refresh built the snapshot rollups (rollup_state 'last_refresh': full | incremental: …)."""
    from pipeline.database import Database

    with Database(db) as handle:
        frame = handle.query("SELECT value FROM hub.main.rollup_state WHERE key = 'last_refresh'")
    return str(frame.item()) if frame.height else "-"


def _commit() -> str:
    """The commit measured; '+dirty' when pipeline/, sql/, bench/ or dashboard/ differ from it."""
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "pipeline", "sql", "bench", "dashboard"], cwd=ROOT,
        capture_output=True, text=True,
    )  # fmt: skip
    if head.returncode != 0:  # a copy of the tree without .git (e.g. git archive): the caller names it
        return os.environ.get("BENCH_COMMIT", "?")
    return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def main(argv: list[str] | None = None) -> int:
    from bench.history import measured_churn

    p = argparse.ArgumentParser(prog="python -m bench")
    p.add_argument("--quick", action="store_true", help="100k models, 30 daily snapshots, 3 reps: a developer's loop")
    p.add_argument("--sizes", default="100k,1M,3M", help="record-crawl sizes ('none': skip them)")
    p.add_argument("--hub-stats", default="300k,3M", help="issue #11 (a): dump import sizes ('none': skip)")
    p.add_argument("--backfill", default="300k", help="issue #11 (b): backfill sizes ('none': skip)")
    p.add_argument("--weeks", type=int, default=52, help="backfill: weekly revisions")
    p.add_argument("--days", default="30,365", help="history axis: daily snapshots in the file, e.g. 30,365")
    p.add_argument("--reps", type=int, default=7, help="idle repetitions of every dashboard call")
    p.add_argument("--nice", default="0", help="nice levels of the refresh run beside the queries, e.g. 0,19")
    p.add_argument("--churn", type=float, default=None, help="daily churn (default: measured, bench/history.py)")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    p.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "hubscope-bench")
    args = p.parse_args(argv)
    if args.quick:
        args.sizes, args.days, args.reps = "100k", "30", 3
        args.hub_stats, args.backfill = QUICK_HUB_STATS, "none"
    nice_levels = [int(x) for x in args.nice.split(",")]
    days = [int(x) for x in args.days.split(",")]
    churn = measured_churn() if args.churn is None else {"churn": args.churn, "source": "--churn"}
    args.out.mkdir(parents=True, exist_ok=True)
    args.work.mkdir(parents=True, exist_ok=True)
    import duckdb
    import polars

    meta = {
        "format": 2, "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "commit": _commit(),
        "quick": args.quick, "cpus": os.cpu_count(),
        "mem_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(), "platform": platform.platform(), "churn": churn,
        "duckdb": duckdb.__version__, "polars": polars.__version__,
    }  # fmt: skip
    results: list[dict[str, Any]] = []
    report: dict[str, Any] = {"meta": meta, "results": results, "hub_stats": [], "backfill": []}
    calls = backfill_calls = None  # the backfilled file's sidebar defaults differ (weekly snapshots): own calls
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    started = time.perf_counter()
    out = args.out / f"bench-{stamp}.json"

    def save() -> None:
        _save(out, report, started)

    for size in _sizes(args.sizes):
        results.append(r := {"size": size})
        with _recorded(r, size):
            calls = bench_size(r, save, args.work, calls, args.reps, nice_levels, days, churn["churn"])
        save()
    for size in _sizes(args.hub_stats):
        with _recorded(r := {"size": size}, size):
            r = bench_hubstats(size, args.work)
        report["hub_stats"].append(r)
        save()
    for size in _sizes(args.backfill):
        with _recorded(r := {"size": size}, size):
            r, backfill_calls = bench_backfill(size, args.weeks, args.work, backfill_calls, args.reps)
        report["backfill"].append(r)
        save()
    save()
    print(f"results: {out} ({meta['seconds']:.0f} s)", flush=True)
    return 0


@contextlib.contextmanager
def _recorded(res: dict[str, Any], size: str) -> Iterator[None]:
    """A step that fails records its error in its result and the run goes on to the next step."""
    try:
        yield
    except Exception as err:  # noqa: BLE001 (any failure of a measured process: say it, keep the rest)
        res["error"] = f"{type(err).__name__}: {err}"
        _say(size, f"step failed: {res['error']}")


def _sizes(text: str) -> list[str]:
    return [] if text.strip() in ("", "none") else [s.strip() for s in text.split(",")]


def _save(out: Path, report: dict[str, Any], started: float) -> None:
    """Write the JSON (after every step, so a long run keeps what it measured) and print the tables."""
    from bench.report import tables

    report["meta"]["seconds"] = round(time.perf_counter() - started, 1)
    out.write_text(json.dumps(report, indent=1, default=str))
    print(tables(report), flush=True)
