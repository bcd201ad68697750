"""Subcommands for the DB file as a product: query, export, compact, schema-doc. Thin over the library modules.

Wired into `pipeline/cli.py` with:
    from pipeline.cli_product import add_subcommands
    COMMANDS.update(add_subcommands(sub))
Exit codes as everywhere: 0 ok · 1 failed · 2 refused / bad usage · 75 a refresh holds the lock (compact).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import orjson
import polars as pl

from pipeline.paths import db_path
from pipeline.store.lock import EXIT_LOCKED, RefreshLocked

EXIT_OK, EXIT_FAILED, EXIT_REFUSED = 0, 1, 2


def add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help="DuckDB file (default: $HUBSCOPE_DB or data/hub.duckdb)")


def add_subcommands(sub: argparse._SubParsersAction) -> dict[str, Callable[[argparse.Namespace], int]]:
    query = sub.add_parser(
        "query",
        help="run one read-only SELECT against the DB",
        description="Run one read-only SQL query (SELECT/FROM/WITH/DESCRIBE/SHOW/SUMMARIZE). Writes, several "
        "statements, settings changes and reading files or URLs are refused (exit 2). The views are described "
        "in docs/schema.md; examples in sql/examples/.",
    )
    query.add_argument("sql", help='e.g. "from language_models limit 5"; use - to read it from stdin')
    add_db_option(query)
    query.add_argument("--format", choices=("table", "csv", "json"), default="table", help="output (default table)")
    query.add_argument("--max-rows", type=int, default=10_000, metavar="N", help="stop after N rows (default 10000)")
    query.add_argument("--timeout", type=float, default=10.0, metavar="S", help="time limit in seconds (default 10)")

    export = sub.add_parser(
        "export",
        help="export snapshots (Hive-partitioned by date) and tables to Parquet or CSV",
        description="model_snapshots as OUT/model_snapshots/snapshot_date=YYYY-MM-DD/…, plus models, "
        "model_lineage and refresh_runs as single files. Reads the DB read-only.",
    )
    export.add_argument("--format", choices=("parquet", "csv"), default="parquet", dest="fmt")
    export.add_argument("--out", required=True, type=Path, metavar="DIR", help="output directory")
    add_db_option(export)

    compact = sub.add_parser(
        "compact",
        help="thin out old snapshots (retention policy); never touches models",
        description="Keep every snapshot for --keep-all-days, the latest of each day up to --daily-days, the "
        "latest of each ISO week after that (--no-weekly: none), all relative to the newest snapshot. Takes "
        "the refresh lock and swaps in a new file like a refresh.",
    )
    add_db_option(compact)
    compact.add_argument("--keep-all-days", type=int, default=7, metavar="DAYS")
    compact.add_argument("--daily-days", type=int, default=90, metavar="DAYS")
    compact.add_argument("--weekly", action=argparse.BooleanOptionalAction, default=True,
                         help="keep one snapshot per week beyond --daily-days (default) or drop them")  # fmt: skip
    compact.add_argument("--dry-run", action="store_true", help="only report what would be dropped")

    schema_doc = sub.add_parser(
        "schema-doc",
        help="regenerate docs/schema.md from a DB built from the bundled snapshot",
        description="Builds a DB from data/snapshot in a temporary directory, then writes docs/schema.md "
        "(tables, views, columns with the comments of sql/schema.sql and sql/views.sql, and sql/examples/ with "
        "their first rows). --check: exit 1 if the committed file differs.",
    )
    schema_doc.add_argument("--check", action="store_true", help="fail if docs/schema.md is stale")
    schema_doc.add_argument("--out", type=Path, help="doc file (default docs/schema.md)")
    schema_doc.add_argument("--db", help="use this already-built bundled-snapshot DB instead of building one")

    return {"query": cmd_query, "export": cmd_export, "compact": cmd_compact, "schema-doc": cmd_schema_doc}


def cmd_query(args: argparse.Namespace) -> int:
    from pipeline.product.safe_sql import SafeSQLError, UnsafeQuery, run_safe_query

    sql = sys.stdin.read() if args.sql == "-" else args.sql
    if args.max_rows < 0 or args.timeout <= 0:
        print("error: --max-rows must be >= 0 and --timeout > 0", file=sys.stderr)
        return EXIT_REFUSED
    try:
        result = run_safe_query(db_path(args.db), sql, max_rows=args.max_rows, timeout_s=args.timeout)
    except UnsafeQuery as err:
        print(f"query refused: {err.reason}", file=sys.stderr)
        return EXIT_REFUSED
    except (SafeSQLError, FileNotFoundError) as err:
        print(f"query failed: {err}", file=sys.stderr)
        return EXIT_FAILED
    frame = result.frame
    if args.format == "csv":
        sys.stdout.write(_flat(frame).write_csv())
    elif args.format == "json":
        sys.stdout.write(frame.write_json() + "\n")
    else:
        shown = {"tbl_rows": -1, "tbl_cols": -1, "fmt_str_lengths": 80, "tbl_width_chars": 200}
        with pl.Config(**shown, tbl_hide_dataframe_shape=True):
            print(frame)
    note = f"{frame.height:,} rows in {result.elapsed_s:.2f}s"
    if result.truncated:
        note += f" (cut at --max-rows {args.max_rows:,}; more rows exist)"
    print(note, file=sys.stderr)
    return EXIT_OK


def _flat(frame: pl.DataFrame) -> pl.DataFrame:
    """CSV cannot hold lists/structs: write them as JSON text."""
    nested = [name for name, dtype in frame.schema.items() if dtype.is_nested()]
    return frame.with_columns(
        pl.Series(name, [orjson.dumps(v, default=str).decode() for v in frame[name].to_list()], dtype=pl.String)
        for name in nested
    )


def cmd_export(args: argparse.Namespace) -> int:
    from pipeline.product.export import export_snapshots

    counts = export_snapshots(db_path(args.db), args.out, args.fmt)
    print(f"exported to {args.out} ({args.fmt}): " + ", ".join(f"{t} {n:,} rows" for t, n in counts.items()))
    return EXIT_OK


def cmd_compact(args: argparse.Namespace) -> int:
    from pipeline.product.compact import RetentionPolicy, compact

    try:
        policy = RetentionPolicy(args.keep_all_days, args.daily_days, args.weekly)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_REFUSED
    try:
        r = compact(db_path(args.db), policy, dry_run=args.dry_run)
    except RefreshLocked as err:  # also caught by cli.main; handled here so the handler stands alone
        print(f"compaction refused: {err}", file=sys.stderr)
        return EXIT_LOCKED
    verb = "would drop" if args.dry_run else "dropped"
    print(
        f"compaction ({'dry run' if args.dry_run else 'done'}): {verb} {r['rows_dropped']:,} of {r['rows_before']:,} "
        f"snapshot rows ({r['snapshot_times_dropped']} of {r['snapshot_times_before']} snapshot times), "
        f"{r['rows_after']:,} kept; models untouched ({r['models_rows']:,} rows); newest {r['newest_snapshot_at']}"
    )
    return EXIT_OK


def cmd_schema_doc(args: argparse.Namespace) -> int:
    from pipeline.product import schema_doc

    out = args.out or schema_doc.DOC_PATH
    db = Path(args.db) if args.db else None
    if args.check:
        problems = schema_doc.check(db, out)
        for problem in problems:
            print(f"schema doc: {problem}", file=sys.stderr)
        if not problems:
            print(f"{out} is up to date")
        return EXIT_FAILED if problems else EXIT_OK
    path = schema_doc.write(db, out)
    print(f"wrote {path}")
    return EXIT_OK
