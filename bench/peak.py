"""`python -m bench.peak <module> [args…]`: run a module as __main__ and, at exit, write the process's peak RSS
(VmHWM from /proc/self/status, in kB) to $BENCH_PEAK_FILE; with $BENCH_PHASE_RSS_FILE, also the peak RSS of
each store phase of the refresh (JSON, MB: {phase: peak}, `-` for the time between phases).

Why not rusage: on Linux `ru_maxrss` survives fork+exec, so a child of a large parent (the benchmark holding a
3M-model DB open) reports at least the parent's size; VmHWM belongs to the post-exec address space only.
Per phase: writing 5 to /proc/self/clear_refs resets VmHWM to the current RSS, so VmHWM read at a phase's end is
that phase's own peak (the process's peak is the largest of them).
"""

from __future__ import annotations

import json
import os
import runpy
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

BETWEEN = "-"


def _vmhwm_kb() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return -1


class PhasePeaks:
    """Peak RSS (kB) per store phase, by resetting VmHWM at every phase boundary."""

    def __init__(self) -> None:
        self.peaks: dict[str, int] = {}
        self.overall = 0

    def close(self, name: str) -> None:
        """The peak since the last boundary belongs to `name`; start a new interval."""
        hwm = _vmhwm_kb()
        self.peaks[name] = max(self.peaks.get(name, 0), hwm)
        self.overall = max(self.overall, hwm)
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
        except OSError:  # no reset here: every phase then reports the process's peak so far
            pass

    def install(self) -> None:
        from pipeline.store.writer import Writer

        original = Writer.phase
        peaks = self

        @contextmanager
        def phase(self: Any, name: str) -> Iterator[None]:
            peaks.close(BETWEEN)
            try:
                with original(self, name):
                    yield
            finally:
                peaks.close(name)

        Writer.phase = phase  # type: ignore[method-assign]


def main() -> None:
    module, sys.argv = sys.argv[1], sys.argv[1:]
    phases = PhasePeaks() if os.environ.get("BENCH_PHASE_RSS_FILE") else None
    if phases is not None:
        phases.install()
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    finally:
        peak = _vmhwm_kb()
        if phases is not None:
            phases.close(BETWEEN)
            peak = phases.overall
            with open(os.environ["BENCH_PHASE_RSS_FILE"], "w") as f:
                json.dump({k: round(v / 1024) for k, v in phases.peaks.items()}, f)
        out = os.environ.get("BENCH_PEAK_FILE")
        if out:
            with open(out, "w") as f:
                f.write(str(peak))


if __name__ == "__main__":
    main()
