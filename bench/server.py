"""The stand-in Hub serving `Resampled` records, in its own process (so its CPU is not the client's).

python -m bench.server --size 1M [--seed 6] [--port 0]     # prints the URL on stdout, then serves
"""

from __future__ import annotations

import argparse
import sys

from bench.records import Resampled, load_pool, parse_size
from hubscope_testing.standin import MAX_PAGE, StandinHub, serve_until_interrupted


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.server")
    p.add_argument("--size", required=True)
    p.add_argument("--seed", type=int, default=6)
    p.add_argument("--port", type=int, default=0)
    args = p.parse_args(argv)
    records = Resampled(load_pool(), parse_size(args.size), args.seed)
    hub = StandinHub(records, page_size=MAX_PAGE, port=args.port)
    serve_until_interrupted(hub, f"bench stand-in Hub: {len(records):,} resampled records")
    return 0


if __name__ == "__main__":
    sys.exit(main())
