"""The stand-in Hub serving `Resampled` records, in its own process (so its CPU is not the client's).

python -m bench.server --size 1M [--seed 6] [--port 0]     # prints the URL on stdout, then serves
"""

from __future__ import annotations

import argparse
import sys
import threading

from bench.records import Resampled, load_pool, parse_size
from pipeline.standin import MAX_PAGE, StandinHub


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.server")
    p.add_argument("--size", required=True)
    p.add_argument("--seed", type=int, default=6)
    p.add_argument("--port", type=int, default=0)
    args = p.parse_args(argv)
    records = Resampled(load_pool(), parse_size(args.size), args.seed)
    hub = StandinHub(records, page_size=MAX_PAGE, port=args.port).start()
    print(hub.url, flush=True)
    print(f"bench stand-in Hub: {len(records):,} resampled records at {hub.url}", file=sys.stderr, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        hub.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
