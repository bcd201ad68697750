"""The child process one user query runs in (started by pipeline/product/safe_sql.py, never by hand).

Why a process: DuckDB cannot interrupt a query while it plans 30,000 UNION ALLs or evaluates one enormous
`repeat(...)`, and its memory_limit does not cover every allocation. A process can be killed at the deadline,
and an address-space rlimit caps its memory, so neither a runaway query nor its result can take the dashboard
process with it. The job directory holds request.json in, status.json and result.arrow out.

Children are forked by a zygote: `python -m pipeline.product.sql_worker`, started once per caller process, imports
this module (duckdb, pyarrow, polars) and then forks one child per `run JOB` line on stdin, answering its pid.
A query thus starts in milliseconds instead of the ~1 s (3 s on a busy 2-core machine) of a fresh interpreter,
and the caller is never forked (it may be a threaded Streamlit server). multiprocessing's forkserver is not
used: its children re-import the caller's `__main__`, which under Streamlit is the app script. The zygote
does not reap a child until the caller says `reap PID`, so the pid the caller polls and kills stays that child's
(a zombie at worst) until the caller is done with it. One child is forked ahead (a spare), which starts its
in-memory DuckDB and then waits on a pipe for its job: starting an instance is most of a small query's cost.
A new spare is forked once the caller is done with the last query (`reap`), not while a query runs beside it.
"""

from __future__ import annotations

import json
import math
import os
import resource
import signal
import sys
from pathlib import Path
from typing import NoReturn, TextIO

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.ipc

from pipeline.database import Database, DatabaseError, in_memory_connection, printable


def _limit_memory(address_space_bytes: int) -> None:
    # Before the query: RLIMIT_AS caps the whole address space, so what is already mapped counts too.
    resource.setrlimit(resource.RLIMIT_AS, (address_space_bytes, address_space_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _write_status(job: Path, **status: object) -> None:
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    (job / "status.json").write_text(json.dumps({**status, "peak_rss_bytes": peak_kb * 1024}))


def run(job: Path, request: dict, con: duckdb.DuckDBPyConnection | None = None) -> None:
    """The query of `request` on a fresh locked-down Database (on `con`, a new in-memory connection, if given).
    The DB is not closed: the process exits right after, and closing costs ~10 ms the caller would wait for."""
    max_rows, max_bytes = int(request["max_rows"]), int(request["max_bytes"])
    db = Database.locked_down(
        Path(request["db"]),
        job / "spill",
        memory_limit=request["memory_limit"],
        spill_limit=request["spill_limit"],
        threads=request["threads"],
        con=con,
    )
    try:
        rel = db.con.sql(request["sql"])  # the connection itself: cursors do not inherit USE hub
        if rel is None:
            _write_status(job, kind="unsafe", message="statement returned no result set")
            return
        reader = printable(rel).limit(max_rows + 1).to_arrow_reader(256)
        batches, rows, size, cut = [], 0, 0, None
        for batch in (redact(b, request["redact"]) for b in reader):
            if rows + batch.num_rows > max_rows:
                batch, cut = batch.slice(0, max_rows - rows), "rows"
            if size + batch.nbytes > max_bytes:
                batch, cut = _fit(batch, max_bytes - size), "bytes"
            batches.append(batch)
            rows, size = rows + batch.num_rows, size + batch.nbytes
            if cut:
                break
        table = pa.Table.from_batches(batches, schema=reader.schema)
        with pa.OSFile(str(job / "result.arrow"), "wb") as sink, pyarrow.ipc.new_file(sink, table.schema) as out:
            out.write_table(table)
        _write_status(job, kind="ok", cut=cut, rows=rows, bytes=size)
    except duckdb.OutOfMemoryException as err:
        _write_status(job, kind="memory", message=_first_line(err))
    except duckdb.PermissionException as err:
        _write_status(job, kind="unsafe", message=f"reading files or URLs is not allowed ({_first_line(err)})")
    except duckdb.Error as err:
        _write_status(job, kind="failed", message=_first_line(err))
    except MemoryError:
        _write_status(job, kind="memory", message="out of memory")


def redact(batch: pa.RecordBatch, paths: list[str]) -> pa.RecordBatch:
    """Text columns with these machine paths replaced by `<redacted>`: a second guard behind safe_sql's name
    check, done here so it runs inside the time limit."""
    columns = []
    for column in batch.columns:
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            for path in paths:
                column = pc.replace_substring(column, pattern=path, replacement="<redacted>")
        columns.append(column)
    return pa.RecordBatch.from_arrays(columns, schema=batch.schema)


def _fit(batch: object, budget: int) -> object:
    """The longest prefix of the batch within `budget` bytes (binary search: row sizes vary)."""
    lo, hi = 0, batch.num_rows  # type: ignore[attr-defined]
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if batch.slice(0, mid).nbytes <= budget:  # type: ignore[attr-defined]
            lo = mid
        else:
            hi = mid - 1
    return batch.slice(0, lo)  # type: ignore[attr-defined]


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def run_job(job_dir: str, con: duckdb.DuckDBPyConnection | None = None) -> None:
    """The forked child's entry point (`con`: the spare's in-memory connection, opened before the job came)."""
    job = Path(job_dir)
    with open(job / "stderr.txt", "wb") as err:  # whatever DuckDB or Python print goes to the job, not the app
        os.dup2(err.fileno(), 2)
        os.dup2(err.fileno(), 1)
    for name in [k for k in os.environ if k.startswith(("HF_", "HUGGING"))]:
        del os.environ[name]  # no token in a process that runs a stranger's SQL
    request = json.loads((job / "request.json").read_text())
    _limit_memory(int(request["address_space_bytes"]))
    # A backstop should the caller die mid-query: SIGALRM's default action ends the process, even inside DuckDB.
    signal.alarm(math.ceil(float(request["timeout_s"])) + 2)
    try:
        run(job, request, con)
    except DatabaseError as err:
        _write_status(job, kind="database", message=str(err))
    except MemoryError:
        _write_status(job, kind="memory", message="out of memory")


def _reap(pending: set[int]) -> None:
    for pid in list(pending):
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done = pid
        if done:
            pending.discard(pid)


def _child(out: TextIO, job: str | None, spare_r: int | None = None) -> NoReturn:
    """A forked child: run `job`, or (a spare, `spare_r` its pipe) start DuckDB and wait for the job's path."""
    code = 0
    out.close()  # the caller's pipe belongs to the zygote
    try:
        con = None
        if spare_r is not None:
            con = in_memory_connection()
            with os.fdopen(spare_r, "rb") as pipe:
                job = pipe.read().decode()
        if job:  # a spare gets nothing when the zygote retires it or ends
            run_job(job, con)
    except BaseException:  # noqa: BLE001 (the status file, or its absence, says what happened)
        code = 1
    finally:
        os._exit(code)


def _fork_spare(out: TextIO) -> tuple[int, int]:
    """(pid, write end of its job pipe) of a new spare child."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(w)
        _child(out, None, r)
    os.close(r)
    return pid, w


def serve() -> None:
    """The zygote's loop: `run JOB` → hand JOB to the spare (or fork a child for it), answer its pid;
    `reap PID` → forget a finished child, and have a spare ready for the next query."""
    for name in [k for k in os.environ if k.startswith(("HF_", "HUGGING"))]:
        del os.environ[name]
    out = os.fdopen(os.dup(1), "w", buffering=1)
    spare: tuple[int, int] | None = _fork_spare(out)
    out.write("ready\n")
    pending: set[int] = set()
    for line in sys.stdin:
        command, _, arg = line.strip().partition(" ")
        _reap(pending)
        if command == "reap":
            pending.add(int(arg))
            _reap(pending)
            if spare is None:
                spare = _fork_spare(out)
        elif command == "run":
            pid = _hand_over(spare, arg) if spare is not None else None
            if pid is None and spare is not None:
                pending.add(spare[0])  # a spare that died: reaped, not left a zombie
            spare = None
            if pid is None:
                pid = os.fork()
                if pid == 0:
                    _child(out, arg)
            out.write(f"{pid}\n")
    # stdin closed: the caller is gone; its children are killed by it or finish on their own (the spare sees its
    # pipe close when this process exits, and ends)


def _hand_over(spare: tuple[int, int], job: str) -> int | None:
    """The spare's pid once it has `job`; None if it is gone (then a child is forked for the job)."""
    pid, w = spare
    try:
        os.write(w, job.encode())  # a path is far below PIPE_BUF: one atomic write
    except OSError:
        return None
    finally:
        os.close(w)
    return pid


if __name__ == "__main__":
    serve()
