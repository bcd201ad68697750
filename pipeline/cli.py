"""`hubscope …` / `python -m pipeline …`: a thin command line over the library functions.

Every command is a function `cmd_*(args) -> ExitCode` and one row of COMMANDS (name, help, options), which
build_parser turns into a subparser with `set_defaults(func=…)`. Library modules are imported inside the
commands, so `--help` is instant and one command's dependencies never break another. Global options (--db, -v)
go before or after the command. Paths default from the package, not the working directory, so commands work
from anywhere. Errors are one line on stderr (`-v` adds the traceback).
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import IntEnum
from pathlib import Path
from typing import Any, NoReturn

from pipeline import __version__
from pipeline.paths import DEFAULT_SNAPSHOT, REPO_ROOT, db_path

log = logging.getLogger("pipeline.cli")


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1  # the work failed (a refresh keeps the previous DB)
    USAGE = 2  # bad usage, or a query refused
    LOCKED = 75  # EX_TEMPFAIL: another refresh holds the lock; cron and systemd read it as "try again later"


DESCRIPTION = """\
HubScope: Hugging Face Hub model metadata and download counts in one DuckDB file.

  hubscope refresh                                  # the whole Hub (set HF_TOKEN for a higher rate limit)
  hubscope refresh --author Qwen --limit 500
  hubscope refresh --from-snapshot                  # offline: the bundled real snapshot (data/snapshot)
  hubscope refresh --from-hub-stats                 # the latest hub-stats dump (cfahlgren1/hub-stats)
  hubscope backfill --from-hub-stats --since 2025-01-01 --every week
  hubscope status                                   # runs (failed ones too), counts, coverage
  hubscope query "from language_models limit 5"     # read-only SQL
  hubscope export --format parquet --out exports/   # Hive-partitioned snapshots
  hubscope compact                                  # lossless by default; --drop-dates thins old snapshots

`python -m pipeline …` is the same. The DB is --db, else $HUBSCOPE_DB, else data/hub.duckdb of the install.
A refresh builds a new file beside the old one and swaps it in; if it fails or is killed the previous file is
untouched and the attempt shows in `status`. Exit codes: 0 ok, 1 failed, 2 usage/refused, 75 locked.
"""


# -- argument types: each bad value is one usage line -----------------------------------------------------------


def bounded(convert: type, low: float, high: float, what: str) -> Any:
    """An argparse type: `convert(text)` within [low, high] and finite, else one usage line."""

    def parse(text: str) -> Any:
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not {what}: {text!r}") from None
        if not math.isfinite(value) or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be {what} from {low:,g} to {high:,.0f}, not {text}")
        return value

    return parse


seconds = bounded(float, 0.001, 3600, "a number of seconds")
budget = bounded(float, 0, 30 * 86400, "a number of seconds")
row_count = bounded(int, 0, 1_000_000, "a whole number of rows")
positive_int = bounded(int, 1, 10**9, "a positive whole number")
days = bounded(int, 0, 100_000, "a whole number of days")


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def package_path(text: str) -> Path:
    """A path as given; a relative one that does not exist here is tried against the install (data/snapshot)."""
    path = Path(text).expanduser()
    if not path.is_absolute() and not path.exists() and (REPO_ROOT / path).exists():
        return REPO_ROOT / path
    return path


# -- the parser -------------------------------------------------------------------------------------------------


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, not the usage block
        self.exit(ExitCode.USAGE, f"{self.prog}: error: {message} (see --help)\n")


def _globals(defaults: bool) -> argparse.ArgumentParser:
    """--db and -v, accepted before the command (defaults) and after it (SUPPRESS: only set when given)."""
    p = argparse.ArgumentParser(add_help=False)
    keep = {} if defaults else {"default": argparse.SUPPRESS}
    p.add_argument("--db", help="DuckDB file (default: $HUBSCOPE_DB, else data/hub.duckdb)", **keep)
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging, tracebacks on errors", **keep)
    return p


# -- commands ---------------------------------------------------------------------------------------------------


def _usage(message: str) -> ExitCode:
    print(f"error: {message}", file=sys.stderr)
    return ExitCode.USAGE


def _check_db(db: Path) -> None:
    """A file that is there must be a DuckDB file (NotADatabase names the way out); a missing one is built."""
    from pipeline.database import Database

    if db.exists():
        Database(db, require=None).close()


def _token() -> str | None:
    return os.environ.get("HF_TOKEN") or None


def _refresh_source(args: argparse.Namespace) -> Any:
    """The Source the arguments name (pipeline.ingest: the snapshot, the hub-stats dump or the Hub crawl)."""
    if args.from_snapshot is not None:
        from pipeline.ingest.snapshot import SnapshotSource, open_snapshot

        return SnapshotSource(open_snapshot(args.from_snapshot))
    if args.from_hub_stats is not None:
        from pipeline.ingest.hubstats import hub_stats_source

        return hub_stats_source(
            args.from_hub_stats or None, endpoint=args.endpoint, token=_token(), repo_id=args.repo_id,
            filename=args.filename,
        )  # fmt: skip
    from pipeline.ingest.crawl import CrawlSource, FetchOptions

    options = FetchOptions(
        endpoint=args.endpoint, author=args.author, task=args.task, search=args.search, limit=args.limit,
        sort=args.sort, rate_limit_budget_s=args.rate_limit_budget, token=_token(),
    )  # fmt: skip
    return CrawlSource(options)


def cmd_refresh(args: argparse.Namespace) -> ExitCode:
    from pipeline.refresh import refresh

    filters = any((args.author, args.task, args.search, args.limit, args.sort))
    if args.from_snapshot is not None and (filters or args.endpoint):
        return _usage("filters and --endpoint do not apply to --from-snapshot")
    if args.from_hub_stats is not None and filters:
        return _usage("filters do not apply to --from-hub-stats (it is the whole Hub)")
    _check_db(args.db_path)
    result = refresh(args.db_path, _refresh_source(args), config_path=args.config, storage_version=args.storage_version)
    if result is None:  # only with only_if_missing, which the CLI does not use
        return ExitCode.OK
    print(result.summary())
    return ExitCode.OK if result.status == "ok" else ExitCode.FAILED


def cmd_backfill(args: argparse.Namespace) -> ExitCode:
    from pipeline.backfill import backfill

    _check_db(args.db_path)
    result = backfill(
        args.db_path, since=args.since, every=args.every, endpoint=args.endpoint, token=_token(),
        repo_id=args.repo_id, filename=args.filename, keep_downloads=args.keep_downloads, config_path=args.config,
    )  # fmt: skip
    print(result.summary())
    return ExitCode.OK if result.ok else ExitCode.FAILED


def cmd_status(args: argparse.Namespace) -> ExitCode:
    from pipeline.product.status import status_report

    report, ok = status_report(args.db_path, runs=args.runs)
    print(report)
    return ExitCode.OK if ok else ExitCode.FAILED


def cmd_query(args: argparse.Namespace) -> ExitCode:
    from pipeline.product import safe_sql

    sql = sys.stdin.read() if args.sql == "-" else args.sql
    try:
        result = safe_sql.run_safe_query(args.db_path, sql, max_rows=args.max_rows, timeout_s=args.timeout)
    except safe_sql.UnsafeQuery as err:
        print(f"query refused: {err.reason}", file=sys.stderr)
        return ExitCode.USAGE
    except safe_sql.SafeSQLError as err:
        print(f"query failed: {err}", file=sys.stderr)
        return ExitCode.FAILED
    sys.stdout.buffer.write(safe_sql.render(result.frame, args.format))
    note = f"{result.frame.height:,} rows in {result.elapsed_s:.2f}s"
    if result.cut == "rows":
        note += f" (cut at --max-rows {args.max_rows:,}; more rows exist)"
    elif result.cut == "bytes":
        note += f" (cut at {safe_sql.MAX_RESULT_BYTES >> 20} MB of results; more rows exist)"
    print(note, file=sys.stderr)
    return ExitCode.OK


def cmd_export(args: argparse.Namespace) -> ExitCode:
    from pipeline.product.export import export_snapshots

    counts = export_snapshots(args.db_path, args.out, args.fmt)
    print(f"exported to {args.out} ({args.fmt}): " + ", ".join(f"{t} {n:,} rows" for t, n in counts.items()))
    return ExitCode.OK


def cmd_compact(args: argparse.Namespace) -> ExitCode:
    from pipeline.database import MissingDatabase
    from pipeline.product.compact import RetentionPolicy, compact

    if not args.db_path.exists():
        raise MissingDatabase(args.db_path)
    _check_db(args.db_path)
    try:
        policy = RetentionPolicy(args.keep_all_days, args.daily_days, args.weekly)
    except ValueError as err:
        return _usage(str(err))
    # The retention flags only mean something with --drop-dates: plain `compact` keeps every data point.
    chosen = policy if args.drop_dates else None
    print(compact(args.db_path, drop_dates=args.drop_dates, policy=chosen, dry_run=args.dry_run).summary())
    return ExitCode.OK


def cmd_schema_doc(args: argparse.Namespace) -> ExitCode:
    from pipeline.product import schema_doc

    out = args.out or schema_doc.DOC_PATH
    db = Path(args.db) if args.db else None  # only an explicit --db: $HUBSCOPE_DB is not the bundled snapshot
    if args.check:
        problems = schema_doc.check(db, out)
        for problem in problems:
            print(f"schema doc: {problem}", file=sys.stderr)
        if not problems:
            print(f"{out} is up to date")
        return ExitCode.FAILED if problems else ExitCode.OK
    print(f"wrote {schema_doc.write(db, out)}")
    return ExitCode.OK


# -- the command table: one row per subcommand -------------------------------------------------------------------

Option = tuple[tuple[str, ...], dict[str, Any]]


def opt(*flags: str, **settings: Any) -> Option:
    """One `add_argument(*flags, **settings)` call, written as a row of a command's options."""
    return flags, settings


@dataclass(frozen=True)
class Command:
    """One subcommand: what `add_parser` and its `add_argument` calls are given, and the function it runs."""

    name: str
    run: Callable[[argparse.Namespace], ExitCode]
    help: str
    options: tuple[Option, ...] = ()
    description: str | None = None
    exclusive: tuple[Option, ...] = ()  # one mutually exclusive group, listed before the other options


ENDPOINT = opt("--endpoint", help="Hub-compatible endpoint (default: $HF_ENDPOINT or https://huggingface.co)")
CONFIG = opt("--config", type=package_path, help="classes config (default config/hubscope.toml)")
HUB_STATS = (
    opt("--repo-id", default="cfahlgren1/hub-stats", help="hub-stats dataset (default cfahlgren1/hub-stats)"),
    opt("--filename", default="models.parquet", help="file in the dataset (default models.parquet)"),
)

COMMANDS = (
    Command(
        "refresh", cmd_refresh, "fetch from the Hub, a snapshot or the hub-stats dump into the DB",
        description="Fetch model metadata and downloads and store a new snapshot. Without a source or filters: the "
        "whole Hub through its API.",
        exclusive=(
            opt("--from-snapshot", metavar="DIR", type=package_path, nargs="?", const=DEFAULT_SNAPSHOT,
                help="load a recorded snapshot instead (default: the bundled data/snapshot)"),
            opt("--from-hub-stats", metavar="PATH|REVISION", nargs="?", const="", default=None,
                help="load the hub-stats dump: a local models.parquet, or a revision of the dataset (default: main)"),
        ),
        options=(
            ENDPOINT,
            opt("--author", help="only this organisation or user"),
            opt("--task", help="only this pipeline_tag, e.g. text-generation"),
            opt("--search", help="only ids containing this text"),
            opt("--limit", type=positive_int, help="stop after this many models"),
            opt("--sort", help="Hub sort key: downloads, likes, createdAt, lastModified, trendingScore"),
            opt("--rate-limit-budget", type=budget, default=3600.0, metavar="SECONDS",
                help="total time to spend waiting out rate limits before failing (default 3600)"),
            opt("--storage-version", metavar="VERSION",
                help="DuckDB storage version of the written file, e.g. v1.0.0 for duckdb 1.x clients"),
            CONFIG, *HUB_STATS,
        ),
    ),
    Command(
        "backfill", cmd_backfill, "import past days of the hub-stats dump, one revision per period",
        description="History on day one: one refresh per chosen revision of the hub-stats dataset, oldest first; "
        "revisions already imported are skipped.",
        options=(
            opt("--from-hub-stats", action="store_true", required=True, help="the source (the only one so far)"),
            opt("--since", type=iso_date, required=True, metavar="YYYY-MM-DD", help="first day to import"),
            opt("--every", choices=("day", "week", "month"), default="week", help="one revision per (default week)"),
            opt("--keep-downloads", action="store_true", help="keep the downloaded dump files"),
            ENDPOINT, CONFIG, *HUB_STATS,
        ),
    ),
    Command(
        "status", cmd_status, "runs (including failed/killed), model counts and coverage",
        options=(opt("--runs", type=positive_int, default=10, help="how many recent runs to list"),),
    ),
    Command(
        "query", cmd_query, "run one read-only SELECT against the DB",
        description="Run one read-only SQL query (SELECT/FROM/WITH/DESCRIBE/SHOW/SUMMARIZE). Writes, several "
        "statements, settings changes, reading files or URLs and functions that reveal local paths are refused "
        "(exit 2). The views are described in docs/schema.md; examples in sql/examples/.",
        options=(
            opt("sql", help='e.g. "from language_models limit 5"; use - to read it from stdin'),
            opt("--format", choices=("table", "csv", "json"), default="table", help="output (default table)"),
            opt("--max-rows", type=row_count, default=10_000, metavar="N", help="stop after N rows (default 10000)"),
            opt("--timeout", type=seconds, default=10.0, metavar="S", help="time limit (default 10 s)"),
        ),
    ),
    Command(
        "export", cmd_export, "export snapshots (Hive-partitioned by date) and tables to Parquet or CSV",
        description="model_snapshots as OUT/model_snapshots/snapshot_date=YYYY-MM-DD/…, plus models, "
        "model_lineage and refresh_runs as single files. Reads the DB read-only.",
        options=(
            opt("--format", choices=("parquet", "csv"), default="parquet", dest="fmt"),
            opt("--out", required=True, type=Path, metavar="DIR", help="output directory"),
        ),
    ),
    Command(
        "compact", cmd_compact, "rewrite the DB compactly; --drop-dates also thins old snapshots",
        description="Lossless by default (the file is rewritten, every snapshot kept). With --drop-dates: keep "
        "every snapshot for --keep-all-days, the latest of each day up to --daily-days, the latest of each ISO "
        "week after that (--no-weekly: none), relative to the newest snapshot. Takes the refresh lock and swaps "
        "in a new file like a refresh.",
        options=(
            opt("--drop-dates", action="store_true", help="apply the retention policy (drops snapshot rows)"),
            opt("--keep-all-days", type=days, default=7, metavar="DAYS"),
            opt("--daily-days", type=days, default=90, metavar="DAYS"),
            opt("--weekly", action=argparse.BooleanOptionalAction, default=True,
                help="keep one snapshot per week beyond --daily-days (default) or drop them"),
            opt("--dry-run", action="store_true", help="only report what would be dropped"),
        ),
    ),
    Command(
        "schema-doc", cmd_schema_doc, "regenerate docs/schema.md from a DB built from the bundled snapshot",
        description="Builds a DB from data/snapshot in a temporary directory (or uses --db), then writes "
        "docs/schema.md. --check: exit 1 if the committed file differs.",
        options=(
            opt("--check", action="store_true", help="fail if docs/schema.md is stale"),
            opt("--out", type=Path, help="doc file (default docs/schema.md)"),
        ),
    ),
)  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="hubscope", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[_globals(defaults=True)],
    )  # fmt: skip
    parser.add_argument("--version", action="version", version=f"hubscope {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=Parser)
    common = _globals(defaults=False)
    for command in COMMANDS:
        _add_command(sub, common, command)
    return parser


def _add_command(sub: Any, common: argparse.ArgumentParser, command: Command) -> None:
    p = sub.add_parser(command.name, parents=[common], help=command.help, description=command.description)
    group = p.add_mutually_exclusive_group() if command.exclusive else p
    for flags, settings in command.exclusive:
        group.add_argument(*flags, **settings)
    for flags, settings in command.options:
        p.add_argument(*flags, **settings)
    p.set_defaults(func=command.run)


def _setup_logging(verbose: bool) -> None:
    # One line per event on stderr: readable in a terminal, cron mail and journald alike.
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for noisy in ("httpx", "httpx2", "httpcore", "huggingface_hub", "filelock", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def one_line(err: BaseException) -> str:
    """The error as one line a user can read: OS errors name the file, others keep their first line."""
    if isinstance(err, OSError) and err.strerror:
        where = f": {err.filename}" if err.filename else ""
        return f"{err.strerror}{where}"
    text = str(err).strip()
    first = text.splitlines()[0] if text else ""
    return f"{type(err).__name__}: {first}" if not first or type(err).__module__.startswith("_duckdb") else first


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as stop:  # argparse: --help (0) or a usage error (2, already printed)
        return ExitCode.OK if stop.code in (0, None) else ExitCode.USAGE
    _setup_logging(args.verbose)
    args.db_path = db_path(args.db)
    from pipeline.database import DatabaseError
    from pipeline.store.lock import RefreshLocked

    try:
        return ExitCode(args.func(args))
    except RefreshLocked as err:
        print(f"{args.command} refused: {err}", file=sys.stderr)
        return ExitCode.LOCKED
    except DatabaseError as err:
        print(f"error: {err}", file=sys.stderr)
        return ExitCode.FAILED
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return ExitCode.FAILED
    except Exception as err:  # noqa: BLE001 (a command line shows one line, never a traceback, unless -v)
        if args.verbose:
            log.exception("%s failed", args.command)
        print(f"error: {args.command}: {one_line(err)}", file=sys.stderr)
        return ExitCode.FAILED
