"""Global sidebar controls, kept across pages (they live in the entry script) and bound to the URL query string
(`bind="query-params"`). The URL holds the labels the widgets show: ?threshold=3B&scope=All+models&window=
Last+12+months; option keys (`scope=all`, `window=12m`) and numbers (`threshold=3e9`, `threshold=0.1B`) are read
as the matching label, and a value that matches nothing is dropped with a one-line notice naming the choices."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import streamlit as st

from dashboard import data
from dashboard import format as fmt

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
        parts = [SCOPES[self.scope].lower(), f"SLM < {fmt.params(self.threshold)}"]
        if self.tasks:
            parts.append("tasks: " + ", ".join(self.tasks))
        if self.orgs:
            parts.append("orgs: " + ", ".join(self.orgs))
        parts.append(f"unknown size: {UNKNOWN[self.unknown].lower()}")
        return "; ".join(parts)


def threshold_label(value: float) -> str:
    return fmt.params(value)


def _months_before(day: dt.date, months: int) -> dt.date:
    """The first day of a window of `months` calendar months ending with `day`'s month: "Last 3 months" of a
    5 October is August, September and (the partial) October, not four months."""
    y, m = divmod(day.year * 12 + day.month - months, 12)
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
    settings = data.settings()
    st.session_state["_bands"] = settings.bands
    configured = settings.default_threshold
    grid = data.run("threshold_grid")["threshold"].to_list()
    labels = {threshold_label(g): g for g in grid}
    default_label = _default_threshold_label(grid, configured)
    series_rows = data.run("series_dates").to_dicts()
    meta = data.one("meta")
    tasks = data.run("task_options")["pipeline_tag"].to_list()
    orgs = data.run("org_options")["author"].to_list()
    series_names = [s["series"] for s in series_rows]
    notices = check_url(
        {
            "threshold": (dict(labels), _parse_params),
            "scope": ({v: k for k, v in SCOPES.items()}, None),
            "unknown": ({v: k for k, v in UNKNOWN.items()}, None),
            "series": ({s: s for s in series_names}, None),
            "window": ({v: k for k, v in WINDOWS.items()}, None),
        }
    )
    notices += check_url_list({"task": tasks, "org": orgs})
    if notices:
        st.info("Link settings not understood: " + "; ".join(notices), icon="🔗")

    with st.sidebar:
        st.markdown("**Filters** · apply to every page")
        label = st.select_slider(
            "SLM / LLM threshold (parameters)", options=list(labels), value=default_label, key="threshold",
            bind="query-params",
            help=f"A model is an SLM when its total parameter count is below this. Default {default_label} "
            "(the boundary the DB was built with). Steps are log-spaced and match the precomputed size buckets.",
        )  # fmt: skip
        scope = st.radio(
            "Scope", list(SCOPES), format_func=SCOPES.get, key="scope", bind="query-params", horizontal=True,
            help="Language models: pipeline tags in the language-model scope of config/hubscope.toml.",
        )  # fmt: skip
        unknown = st.radio(
            "Models of unknown size", list(UNKNOWN), format_func=UNKNOWN.get, key="unknown", bind="query-params",
            help="Shares are shown with bounds: all unknown-size models small vs all large.",
        )  # fmt: skip
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


def _parse_params(text: str) -> float | None:
    """'3B', '0.1B', '3e9', '700M', '1.5 b' → parameters; None when it is not a number."""
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+(?:e[0-9]+)?)\s*([kmbt]?)\s*", text.lower())
    if not m:
        return None
    return float(m.group(1)) * {"": 1, "k": 1e3, "m": 1e6, "b": 1e9, "t": 1e12}[m.group(2)]


# {url key: ({label: value}, parser of other spellings → value or None)}
UrlSpec = Mapping[str, tuple[Mapping[str, object], object]]


def check_url(spec: UrlSpec) -> list[str]:
    """Before the widgets read the URL: a label is kept; an option key or a number naming an option is rewritten
    to its label; anything else is dropped. One short note per value that was not a label."""
    notes = []
    for key, (options, parse) in spec.items():
        if key not in st.query_params:
            continue
        raw = st.query_params[key]
        if raw in options:
            continue
        by_value = {str(v): label for label, v in options.items()}
        parsed = parse(raw) if callable(parse) else raw
        label = _nearest_label(options, parsed) if isinstance(parsed, float) else by_value.get(str(parsed))
        if label is not None:
            # The URL and the widget's state both get the label's value: the bound widget is created after this.
            st.query_params[key] = label
            st.session_state[key] = options[label] if key in _STATE_VALUES else label
            notes.append(f"{key}={raw} read as {label}")
        else:
            del st.query_params[key]
            shown = ", ".join(list(options)[:8]) + ("…" if len(options) > 8 else "")
            notes.append(f"{key}={raw} is not one of {shown}; the default is used")
    return notes


# Widgets whose state holds the option key (radio/selectbox with format_func), not the label shown.
_STATE_VALUES = {"scope", "unknown", "window", "explorer_sort"}


def _nearest_label(options: Mapping[str, object], value: float) -> str | None:
    """The option equal to `value` (to 0.1 %), else None."""
    for label, v in options.items():
        if isinstance(v, int | float) and abs(float(v) - value) <= 1e-3 * max(abs(value), 1.0):
            return label
    return None


def check_url_list(spec: Mapping[str, list[str]]) -> list[str]:
    """Multiselect keys: values that are not options are dropped (the others kept), with one note."""
    notes = []
    for key, options in spec.items():
        values = st.query_params.get_all(key)
        bad = [v for v in values if v not in set(options)]
        if bad:
            st.query_params[key] = [v for v in values if v in set(options)]
            notes.append(f"{key}={', '.join(bad)} not found in the data; left out")
    return notes
