"""Coverage report: share of models and of 30-day downloads with a parameter count (by source), a licence,
lineage. The SQL lives in sql/coverage.sql; this module runs it and formats it for the CLI (`status`)."""

from __future__ import annotations

from typing import Any

import duckdb

from pipeline.database import Database, load_sql

HEADER = ("section", "item", "models", "% models", "downloads 30d", "% downloads")


def coverage_report(con: Database | duckdb.DuckDBPyConnection) -> list[tuple[Any, ...]]:
    """Rows of sql/coverage.sql: (section, item, models, pct_models, downloads_30d, pct_downloads).

    con: a pipeline.database.Database (queries run in its attached `hub`), or a duckdb connection whose default
    schema holds the tables (e.g. a writer's connection, or an in-memory test DB).
    """
    sql = load_sql("coverage")
    if isinstance(con, Database):
        return con.query(sql).rows()
    cur = con.cursor()
    try:
        return cur.sql(sql).fetchall()
    finally:
        cur.close()


def format_coverage(rows: list[tuple[Any, ...]]) -> str:
    """Fixed-width table for the terminal."""
    cells = [HEADER] + [
        (
            str(s),
            str(i),
            f"{m:,}",
            "-" if pm is None else f"{pm:.1f}",
            f"{d:,}",
            "-" if pd is None else f"{pd:.1f}",
        )
        for s, i, m, pm, d, pd in rows
    ]
    widths = [max(len(r[k]) for r in cells) for k in range(len(HEADER))]
    lines = []
    for n, r in enumerate(cells):
        lines.append(
            "  ".join(c.ljust(w) if k < 2 else c.rjust(w) for k, (c, w) in enumerate(zip(r, widths, strict=True)))
        )
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def coverage_text(con: Database | duckdb.DuckDBPyConnection) -> str:
    """Titled coverage table, as `python -m pipeline status` prints it."""
    return "Coverage (share of models / of 30-day downloads):\n" + format_coverage(coverage_report(con))
