"""`python -m bench [--quick | --sizes 100k,1M,3M --days 30,365 --hub-stats 300k,3M --backfill 300k --weeks 52]` and
`python -m bench report [--write]` (a size list of `none` skips that part).

Per size: the stand-in Hub serving resampled real records in its own process; a full refresh into a fresh DB
through the real CLI (end to end); per history length, the documented bulk path (bench/history.py,
bench/history_bulk.sql) builds that many daily snapshots with the churn measured from a real daily series; every
dashboard query timed idle and while a steady-state refresh runs in another process; the CPU path alone
(pre-fetched pages through the refresh machinery, no HTTP) beside its floor (DuckDB read_json of the same pages
into a bare table). Issue #11 (bench/hubstats.py): the hub-stats dump import of an N-row file beside its floor
(DuckDB reading the same Parquet into a bare table), and a backfill of weekly revisions through the stand-in Hub
with the dashboard timed on the result. Each measured step runs in its own process; peak RSS is that process's
(VmHWM). Writes a JSON file per run; `python -m bench report --write` turns the results into BENCHMARKS.md's tables.
"""

from __future__ import annotations

import sys

if len(sys.argv) > 1 and sys.argv[1] == "report":
    from bench.report import main as report

    sys.exit(report(sys.argv[2:]))

from bench.run import main  # noqa: E402

sys.exit(main())
