"""`python -m pipeline …`: a thin command line over the library functions.

Exit codes: 0 ok · 1 the work failed (the previous DB is kept) · 2 bad usage · 75 another refresh is running.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from pipeline import __version__
from pipeline.cli_product import EXIT_FAILED, add_db_option, add_subcommands
from pipeline.paths import DEFAULT_SNAPSHOT, db_path
from pipeline.store.lock import EXIT_LOCKED, RefreshLocked

DESCRIPTION = """\
HubScope pipeline: Hugging Face Hub model metadata and download counts into one DuckDB file.

  python -m pipeline refresh                          # the whole Hub (set HF_TOKEN for a higher rate limit)
  python -m pipeline refresh --author Qwen --limit 500
  python -m pipeline refresh --from-snapshot data/snapshot   # offline: the bundled real snapshot
  python -m pipeline status                           # runs (failed ones too), counts, coverage
  python -m pipeline query "from language_models limit 5"   # read-only SQL
  python -m pipeline export --format parquet --out exports/ # Hive-partitioned snapshots
  python -m pipeline compact                          # thin old snapshots by the retention policy

The DB is --db, else $HUBSCOPE_DB, else data/hub.duckdb. A refresh builds a new file beside the old one and
swaps it in; if it fails or is killed the previous file is untouched and the attempt shows in `status`.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"hubscope {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    refresh = sub.add_parser(
        "refresh",
        help="fetch from the Hub (or a snapshot) into the DB",
        description="Fetch model metadata and downloads and store a new snapshot. Without filters: the whole Hub.",
    )
    add_db_option(refresh)
    origin = refresh.add_mutually_exclusive_group()
    origin.add_argument("--endpoint", help="Hub-compatible endpoint (default: $HF_ENDPOINT or https://huggingface.co)")
    origin.add_argument(
        "--from-snapshot", metavar="DIR", type=Path, help=f"load a recorded snapshot instead (e.g. {DEFAULT_SNAPSHOT})"
    )
    refresh.add_argument("--author", help="only this organisation or user")
    refresh.add_argument("--task", help="only this pipeline_tag, e.g. text-generation")
    refresh.add_argument("--search", help="only ids containing this text")
    refresh.add_argument("--limit", type=int, help="stop after this many models")
    refresh.add_argument("--sort", help="Hub sort key: downloads, likes, createdAt, lastModified, trendingScore")
    refresh.add_argument(
        "--rate-limit-budget",
        type=float,
        default=3600.0,
        metavar="SECONDS",
        help="total time to spend waiting out rate limits before failing (default 3600)",
    )
    refresh.add_argument(
        "--storage-version",
        metavar="VERSION",
        help="DuckDB storage version of the written file, e.g. v1.0.0 so duckdb 1.x clients can open it",
    )
    refresh.add_argument("--config", type=Path, help="classes config (default config/hubscope.toml)")

    status = sub.add_parser("status", help="runs (including failed/killed), model counts and coverage")
    add_db_option(status)
    status.add_argument("--runs", type=int, default=10, help="how many recent runs to list")
    COMMANDS.update(add_subcommands(sub))
    return parser


def _setup_logging(verbose: bool) -> None:
    # One line per event on stderr: readable in a terminal, cron mail and journald alike.
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for noisy in ("httpx", "httpx2", "httpcore", "huggingface_hub"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def cmd_refresh(args: argparse.Namespace) -> int:
    from pipeline.ingest.crawl import FetchOptions
    from pipeline.ingest.snapshot import open_snapshot
    from pipeline.refresh import refresh_from_hub, refresh_from_snapshot

    db = db_path(args.db)
    if args.from_snapshot:
        if any((args.author, args.task, args.search, args.limit, args.sort)):
            print("error: filters do not apply to --from-snapshot", file=sys.stderr)
            return 2
        result = refresh_from_snapshot(
            db, open_snapshot(args.from_snapshot), storage_version=args.storage_version, config_path=args.config
        )
    else:
        options = FetchOptions(
            endpoint=args.endpoint, author=args.author, task=args.task, search=args.search, limit=args.limit,
            sort=args.sort, rate_limit_budget_s=args.rate_limit_budget,
        )  # fmt: skip
        result = refresh_from_hub(db, options, storage_version=args.storage_version, config_path=args.config)
    if result is None:  # only with only_if_missing, which the CLI does not use
        return 0
    print(result.summary())
    return 0 if result.status == "ok" else EXIT_FAILED


def cmd_status(args: argparse.Namespace) -> int:
    from pipeline.product.status import status_report

    report, ok = status_report(db_path(args.db), runs=args.runs)
    print(report)
    return 0 if ok else EXIT_FAILED


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {"refresh": cmd_refresh, "status": cmd_status}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _setup_logging(args.verbose)
    try:
        return COMMANDS[args.command](args)
    except RefreshLocked as err:
        print(f"refresh refused: {err}", file=sys.stderr)
        return EXIT_LOCKED
    except FileNotFoundError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_FAILED
