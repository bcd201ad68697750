"""`python -m bench --sizes 10k,100k,1M,3M [--out bench/results] [--work /tmp/hubscope-bench]`

Per size: the stand-in Hub serving resampled real records in its own process; a full refresh into a fresh DB
through the real CLI (end to end); 29 earlier snapshots added (documented bulk insert, bench/steps.py); every
dashboard query timed idle and while refresh #31 runs in another process; the CPU path alone (pre-fetched pages
through the refresh machinery, no HTTP). Each measured step runs in its own process; peak RSS is that process's
(`os.wait4` rusage). Prints a table and writes a JSON file per run. See BENCHMARKS.md.
"""

from __future__ import annotations

import sys

from bench.run import main

sys.exit(main())
