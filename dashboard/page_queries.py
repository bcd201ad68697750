"""The queries each dashboard page runs with the default sidebar settings, and a timer for them — for the
Hub-scale benchmark (issue 6): `python -m dashboard.page_queries --db X [--reps 5]` prints p50/p95 per page and per
query, run uncached straight through `DashboardDB` (what a first visit costs). tests/test_app.py checks that this
list matches what the pages really run."""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path
from typing import Any

DEFAULTS: dict[str, Any] = {
    "threshold": 10e9, "default_threshold": 10e9, "scope": "language", "unknown": "exclude", "tasks": [], "orgs": [],
}  # fmt: skip
SIDEBAR = ["threshold_grid", "series_dates", "meta", "task_options", "org_options"]
# page -> [(query, extra variables)]; "+series" adds series/since (time-series queries)
PAGES: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "overview": [("meta", {}), ("overview_kpis", {}), ("share_over_time", {"+series": True})],
    "market_size": [("overview_kpis", {}), ("share_over_time", {"+series": True}), ("threshold_sensitivity", {}),
                    ("downloads_by_band", {})],
    "trends": [("created_coverage", {"+series": True}), ("releases_by_month", {"+series": True}),
               ("median_size_by_month", {"+series": True}), ("series_date_counts", {"+series": True}),
               ("movers_span", {"+series": True}), ("movers", {"+series": True, "n": 15})],
    "sizes": [("overview_kpis", {}), ("size_histogram", {}), ("size_by_task", {"n": 15}),
              ("size_by_library", {"n": 15}), ("moe", {}), ("params_source_mix", {}), ("device_classes", {})],
    "openness": [("license_tiers", {}), ("gated_share", {}), ("openness_by_month", {"+series": True})],
    "organisations": [("top_orgs", {"n": 15}), ("concentration", {})],
    "domains": [("tag_coverage", {}), ("tasks_by_class", {"n": 20}), ("languages_by_class", {"n": 25}),
                ("domain_tags_by_class", {"n": 25})],
    "lineage": [("lineage_coverage", {}), ("families", {"n": 20}), ("relation_mix", {}), ("class_of_parents", {})],
    "explorer": [("explorer", {"search": "", "cls_filter": "all", "sort": "downloads", "max_rows": 5000})],
    "data": [("meta", {}), ("series_dates", {}), ("rejected_records", {"max_rows": 500}), ("field_coverage", {}),
             ("table_counts", {}), ("schema_columns", {}), ("rollup_info", {})],
    "validation": [("meta", {}), ("validation", {})],
}  # fmt: skip
UNFILTERED = {"meta", "series_dates", "threshold_grid", "task_options", "org_options", "rejected_records",
              "field_coverage", "table_counts", "schema_columns", "rollup_info", "validation"}  # fmt: skip


def page_queries(series: str | None) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """Each page's queries with the variables the page passes at the default settings (sidebar queries first)."""
    out = {}
    for page, queries in PAGES.items():
        calls = [(name, {}) for name in SIDEBAR]
        for name, extra in queries:
            params = {} if name in UNFILTERED else dict(DEFAULTS)
            if extra.get("+series"):
                params["series"] = series
            if name in ("series_date_counts", "movers_span"):
                params = {"series": series}
            params.update({k: v for k, v in extra.items() if not k.startswith("+")})
            calls.append((name, params))
        out[page] = calls
    return out


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def time_pages(db_path: Path, reps: int = 5) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(per page, per query) rows with p50/p95 in ms over `reps` uncached runs."""
    from dashboard.data import DashboardDB
    from dashboard.state import default_series

    db = DashboardDB(db_path)
    try:
        series = default_series(db.query("series_dates", {}).to_dicts())
        per_query: dict[str, list[float]] = {}
        pages = []
        for page, calls in page_queries(series).items():
            totals = []
            for _ in range(reps):
                start = time.perf_counter()
                for name, params in calls:
                    t = time.perf_counter()
                    db.query(name, params)
                    per_query.setdefault(name, []).append(time.perf_counter() - t)
                totals.append(time.perf_counter() - start)
            worst = max(max(per_query[n][-reps:]) for n, _ in calls)
            pages.append({"page": page, "p50_ms": 1000 * statistics.median(totals), "p95_ms": 1000 * _pct(totals, 0.95),
                          "slowest_query_ms": 1000 * worst})  # fmt: skip
        queries = [
            {"query": n, "p50_ms": 1000 * statistics.median(v), "p95_ms": 1000 * _pct(v, 0.95), "runs": len(v)}
            for n, v in sorted(per_query.items(), key=lambda kv: -statistics.median(kv[1]))
        ]
        return pages, queries
    finally:
        db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    pages, queries = time_pages(args.db, args.reps)
    print(f"{'page':16s} {'p50 ms':>8s} {'p95 ms':>8s} {'slowest query ms':>18s}")
    for r in pages:
        print(f"{r['page']:16s} {r['p50_ms']:8.0f} {r['p95_ms']:8.0f} {r['slowest_query_ms']:18.0f}")
    print(f"\n{'query':26s} {'p50 ms':>8s} {'p95 ms':>8s}")
    for r in queries:
        print(f"{r['query']:26s} {r['p50_ms']:8.0f} {r['p95_ms']:8.0f}")


if __name__ == "__main__":
    main()
