"""The benchmark driver (see bench/__main__.py)."""

from __future__ import annotations

import argparse
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
from pathlib import Path
from typing import Any

from bench.queries import discover_calls, percentile, time_calls
from bench.records import parse_size

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PHASES = re.compile(r"store phases \(s\): (.*)")


def _env(work: Path) -> dict[str, str]:
    env = {**os.environ, "HF_HOME": str(work / "hf_home"), "TQDM_DISABLE": "1", "PYTHONPATH": str(ROOT)}
    env.pop("HF_TOKEN", None)
    env.pop("HUBSCOPE_DB", None)
    return env


def measured(cmd: list[str], env: dict[str, str], log: Path) -> dict[str, Any]:
    """Run cmd in its own process; wall seconds, peak RSS (MB, that process only), stdout, store phases."""
    # The step runs under bench.peak, which reports VmHWM at exit (rusage's ru_maxrss would include the size of
    # this parent process at fork time).
    python = cmd.index(PY)
    cmd = [*cmd[: python + 1], "-m", "bench.peak", *cmd[python + 2 :]]
    peak_file = log.with_name(f"peak-{os.getpid()}-{time.monotonic_ns()}.txt")
    env = {**env, "BENCH_PEAK_FILE": str(peak_file)}
    started = time.perf_counter()
    with open(log, "ab") as err:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=err)
        assert proc.stdout is not None
        out = proc.stdout.read().decode()
        proc.wait()
    peak_kb = int(peak_file.read_text()) if peak_file.exists() else -1
    peak_file.unlink(missing_ok=True)
    result = {"seconds": time.perf_counter() - started, "rss_mb": peak_kb / 1024, "stdout": out.strip()}
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}; see {log}")
    phases = PHASES.findall(log.read_text(errors="replace"))
    if phases:
        result["phases"] = {k: float(v) for k, v in (p.split("=") for p in phases[-1].split())}
    return result


def start_server(size: str, env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    proc = subprocess.Popen(
        [PY, "-m", "bench.server", "--size", size], cwd=ROOT, env=env, stdout=subprocess.PIPE,
        stderr=open(log, "ab"),  # noqa: SIM115
    )  # fmt: skip
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
    size_text: str, work: Path, calls: list[Any] | None, reps: int, nice_levels: list[int]
) -> tuple[dict[str, Any], list[Any]]:
    n = parse_size(size_text)
    d = work / size_text
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    env, log = _env(work), d / "log.txt"
    db = d / "hub.duckdb"
    res: dict[str, Any] = {"size": size_text, "models": n}
    server, url = start_server(size_text, env, log)
    try:
        print(f"[{size_text}] end-to-end refresh via {url}", file=sys.stderr, flush=True)
        refresh_cmd = [PY, "-m", "pipeline", "refresh", "--db", str(db), "--endpoint", url]
        res["e2e"] = measured(refresh_cmd, env, log)
        res["file_mb_1_snapshot"] = db.stat().st_size / 2**20
        print(f"[{size_text}] history (29 earlier snapshots)", file=sys.stderr, flush=True)
        res["history"] = measured([PY, "-m", "bench.steps", "history", "--db", str(db)], env, log)
        res["file_mb_30_snapshots"] = db.stat().st_size / 2**20
        if calls is None:
            print(f"[{size_text}] recording the dashboard's calls (AppTest)", file=sys.stderr, flush=True)
            calls = discover_calls(db)
        res["calls"] = [[p, q, {k: str(v) for k, v in params.items()}] for p, q, params in calls]
        print(f"[{size_text}] queries idle ({len(calls)} calls x {reps})", file=sys.stderr, flush=True)
        res["idle"] = summarize(time_calls(db, calls, reps))
        for k, level in enumerate(nice_levels):
            label = f"nice{level}"
            print(f"[{size_text}] queries during refresh #{31 + k} ({label})", file=sys.stderr, flush=True)
            stop = threading.Event()
            box: dict[str, Any] = {}
            cmd = (["nice", "-n", str(level)] if level else []) + refresh_cmd

            def background_refresh(
                cmd: list[str] = cmd, box: dict[str, Any] = box, stop: threading.Event = stop
            ) -> None:
                try:
                    box["r"] = measured(cmd, env, log)
                except Exception as err:  # noqa: BLE001
                    box["error"] = repr(err)
                finally:
                    stop.set()

            worker = threading.Thread(target=background_refresh)
            worker.start()
            time.sleep(0.5)
            res[f"busy_{label}"] = summarize(time_calls(db, calls, reps, stop=stop))
            worker.join()
            if "error" in box:
                raise RuntimeError(box["error"])
            res[f"refresh_{label}"] = box["r"]
            res[f"file_mb_{31 + k}_snapshots"] = db.stat().st_size / 2**20
    finally:
        server.kill()
        server.wait()
    print(f"[{size_text}] CPU path (pre-fetched pages, no HTTP)", file=sys.stderr, flush=True)
    pages = d / "pages.jsonl"
    measured([PY, "-m", "bench.steps", "pages", "--size", size_text, "--out", str(pages)], env, log)
    cpu_db = d / "cpu.duckdb"
    res["cpu"] = measured([PY, "-m", "bench.steps", "cpu", "--pages", str(pages), "--db", str(cpu_db)], env, log)
    res["cpu"].update(json.loads(res["cpu"].pop("stdout").splitlines()[-1]))
    pages.unlink()
    for leftover in d.glob("cpu.duckdb*"):
        leftover.unlink()
    return res, calls


def _busy(r: dict[str, Any]) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    return [
        (k.removeprefix("busy_"), v, r[f"refresh_{k.removeprefix('busy_')}"])
        for k, v in r.items()
        if k.startswith("busy_")
    ]


def table(results: list[dict[str, Any]]) -> str:
    head = (
        "| models | end-to-end models/s | CPU path models/s | CPU path peak RSS | refresh peak RSS (1st / 31st) "
        "| refresh #31 s | DB file (1 / 30 snapshots) | worst page p95 idle | worst page p95 during refresh |"
    )
    lines = [head, "|" + "---|" * 9]
    for r in results:
        n = r["models"]
        idle = max(p["worst_p95_ms"] for p in r["idle"]["pages"].values())
        busy = ", ".join(
            f"{max(p['worst_p95_ms'] for p in b['pages'].values()):,.0f} ms ({label})" for label, b, _ in _busy(r)
        )
        first_busy = _busy(r)[0][2]
        lines.append(
            f"| {n:,} | {n / r['e2e']['seconds']:,.0f} | {n / r['cpu']['seconds']:,.0f} | {r['cpu']['rss_mb']:,.0f} MB "
            f"| {r['e2e']['rss_mb']:,.0f} / {first_busy['rss_mb']:,.0f} MB | {first_busy['seconds']:,.0f} "
            f"| {r['file_mb_1_snapshot']:,.0f} / {r['file_mb_30_snapshots']:,.0f} MB | {idle:,.0f} ms | {busy} |"
        )
    return "\n".join(lines)


def page_table(r: dict[str, Any]) -> str:
    busy = _busy(r)
    cols = " | ".join(f"{label}: worst p95 | {label}: / idle" for label, _, _ in busy)
    lines = [
        f"Pages at {r['models']:,} models (30 snapshots): p95 of the page's slowest query; sum of its p50s",
        f"| page | idle worst p95 | idle sum p50 | {cols} |",
        "|---|---|---|" + "---|---|" * len(busy),
    ]
    for page, idle in sorted(r["idle"]["pages"].items()):
        cells = []
        for _, b, _ in busy:
            worst = b["pages"][page]["worst_p95_ms"]
            cells.append(f"{worst:,.0f} ms | {worst / idle['worst_p95_ms']:.1f}x")
        lines.append(
            f"| {page} | {idle['worst_p95_ms']:,.0f} ms | {idle['sum_p50_ms']:,.0f} ms | {' | '.join(cells)} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench")
    p.add_argument("--sizes", default="10k,100k,1M,3M")
    p.add_argument("--reps", type=int, default=7, help="idle repetitions of every dashboard call")
    p.add_argument("--nice", default="0", help="nice levels of the refresh run beside the queries, e.g. 0,19")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    p.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "hubscope-bench")
    args = p.parse_args(argv)
    nice_levels = [int(x) for x in args.nice.split(",")]
    args.out.mkdir(parents=True, exist_ok=True)
    args.work.mkdir(parents=True, exist_ok=True)
    meta = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "cpus": os.cpu_count(),
        "mem_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(), "platform": platform.platform(),
    }  # fmt: skip
    try:
        import duckdb
        import polars

        meta.update(duckdb=duckdb.__version__, polars=polars.__version__)
    except ImportError:
        pass
    results: list[dict[str, Any]] = []
    calls = None
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    for size in args.sizes.split(","):
        r, calls = bench_size(size.strip(), args.work, calls, args.reps, nice_levels)
        results.append(r)
        out = args.out / f"bench-{stamp}.json"
        out.write_text(json.dumps({"meta": meta, "results": results}, indent=1, default=str))
        print(table(results), flush=True)
        print(page_table(r), flush=True)
    print(f"results: {out}", flush=True)
    return 0
