"""Global sidebar controls, kept across pages (they live in the entry script) and bound to the URL query string
(`bind="query-params"`: ?threshold=3B&scope=all&unknown=small&task=…&org=…&series=catalog&window=12m)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import streamlit as st

from dashboard import charts, data

SCOPES = {"language": "Language models", "all": "All models"}
UNKNOWN = {"exclude": "Exclude them", "small": "Count as small (SLM)", "large": "Count as large (LLM)"}
WINDOWS = {"all": "All dates", "24m": "Last 24 months", "12m": "Last 12 months", "6m": "Last 6 months",
           "3m": "Last 3 months"}  # fmt: skip
SERIES_HELP = {
    "hub": "live refreshes of the Hub",
    "catalog": "the bundled catalog of locally-run models",
    "daily-top": "the daily top-300 lists",
    "trending-top10": "the Hub's top-10 trending models",
}


@dataclass(frozen=True)
class Filters:
    threshold: float
    default_threshold: float
    scope: str
    unknown: str
    tasks: tuple[str, ...]
    orgs: tuple[str, ...]
    series: str | None
    window: str
    since: dt.date | None

    def params(self, **extra: Any) -> dict[str, Any]:
        """The DuckDB variables every filtered query reads (see sql/rollups.sql)."""
        return {
            "threshold": self.threshold, "default_threshold": self.default_threshold, "scope": self.scope,
            "unknown": self.unknown, "tasks": list(self.tasks), "orgs": list(self.orgs), **extra,
        }  # fmt: skip

    def series_params(self, **extra: Any) -> dict[str, Any]:
        """Plus the download series and the window start, for time-series queries."""
        return self.params(series=self.series, since=self.since, **extra)

    def describe(self) -> str:
        """One line naming the active filters, for captions."""
        parts = [SCOPES[self.scope].lower(), f"SLM < {charts.params_text(self.threshold)}"]
        if self.tasks:
            parts.append("tasks: " + ", ".join(self.tasks))
        if self.orgs:
            parts.append("orgs: " + ", ".join(self.orgs))
        parts.append(f"unknown size: {UNKNOWN[self.unknown].lower()}")
        return "; ".join(parts)


def threshold_label(value: float) -> str:
    return charts.params_text(value)


def _months_before(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(y, m + 1, 1)


def default_series(series: list[dict[str, Any]]) -> str | None:
    """'hub' when it has at least 2 dates, else 'catalog', else the series with most dates."""
    dates = {s["series"]: s["dates"] for s in series}
    if dates.get("hub", 0) >= 2:
        return "hub"
    if "catalog" in dates:
        return "catalog"
    return max(dates, key=lambda k: dates[k]) if dates else None


def _default_threshold_label(grid: list[float], configured: float) -> str:
    nearest = min(grid, key=lambda g: abs(g - configured)) if grid else configured
    return threshold_label(nearest)


def sidebar() -> Filters:
    """Draw the global controls in the sidebar and return the current filters."""
    from pipeline.enrich.classify import load_config

    configured = float(load_config().slm_max_params)
    grid = data.run("threshold_grid")["threshold"].to_list()
    labels = {threshold_label(g): g for g in grid}
    default_label = _default_threshold_label(grid, configured)
    series_rows = data.run("series_dates").to_dicts()
    meta = data.one("meta")
    tasks = data.run("task_options")["pipeline_tag"].to_list()
    orgs = data.run("org_options")["author"].to_list()

    with st.sidebar:
        st.markdown("**Filters** · apply to every page")
        label = st.select_slider(
            "SLM / LLM threshold (parameters)", options=list(labels), value=default_label, key="threshold",
            bind="query-params",
            help=f"A model is an SLM when its total parameter count is below this. Default {default_label} "
            "(config/hubscope.toml). Steps are log-spaced and match the precomputed size buckets exactly.",
        )  # fmt: skip
        scope = st.radio(
            "Scope", list(SCOPES), format_func=SCOPES.get, key="scope", bind="query-params", horizontal=True,
            help="Language models: pipeline tags in the language-model scope of config/hubscope.toml.",
        )  # fmt: skip
        unknown = st.radio(
            "Models of unknown size", list(UNKNOWN), format_func=UNKNOWN.get, key="unknown", bind="query-params",
            help="Shares are shown with bounds: all unknown-size models small vs all large.",
        )  # fmt: skip
        series_names = [s["series"] for s in series_rows]
        chosen_default = default_series(series_rows)
        series = st.selectbox(
            "Download series (time charts)", series_names,
            index=series_names.index(chosen_default) if chosen_default in series_names else None,
            key="series", bind="query-params",
            help="Series have different populations, so time charts never mix them. "
            + "; ".join(f"{k}: {v}" for k, v in SERIES_HELP.items()),
        )  # fmt: skip
        window = st.selectbox(
            "Time window", list(WINDOWS), format_func=WINDOWS.get, key="window", bind="query-params",
            help="Limits snapshot dates and creation months, counted back from the latest snapshot date.",
        )  # fmt: skip
        picked_tasks = st.multiselect("Tasks (pipeline tag)", tasks, key="task", bind="query-params",
                                      placeholder="All tasks")  # fmt: skip
        picked_orgs = st.multiselect("Organisations", orgs, key="org", bind="query-params",
                                     placeholder="All organisations (top 300 by downloads listed)")  # fmt: skip

    since = None
    latest = meta.get("latest_snapshot_date")
    if window != "all" and latest is not None:
        since = _months_before(latest, int(window.rstrip("m")))
    return Filters(
        threshold=labels.get(label, configured),
        default_threshold=labels.get(default_label, configured),
        scope=scope or "language",
        unknown=unknown or "exclude",
        tasks=tuple(picked_tasks),
        orgs=tuple(picked_orgs),
        series=series,
        window=window or "all",
        since=since,
    )


def current() -> Filters:
    """The filters the entry script computed for this run."""
    return st.session_state["_filters"]
