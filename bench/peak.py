"""`python -m bench.peak <module> [args…]`: run a module as __main__ and, at exit, write the process's peak RSS
(VmHWM from /proc/self/status, in kB) to $BENCH_PEAK_FILE.

Why not rusage: on Linux `ru_maxrss` survives fork+exec, so a child of a large parent (the benchmark holding a
3M-model DB open) reports at least the parent's size; VmHWM belongs to the post-exec address space only.
"""

from __future__ import annotations

import os
import runpy
import sys


def _vmhwm_kb() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return -1


def main() -> None:
    module, sys.argv = sys.argv[1], sys.argv[1:]
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    finally:
        out = os.environ.get("BENCH_PEAK_FILE")
        if out:
            with open(out, "w") as f:
                f.write(str(_vmhwm_kb()))


if __name__ == "__main__":
    main()
