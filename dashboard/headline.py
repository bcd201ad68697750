"""The Overview's headline: one or two plain sentences that answer the question under the current filters.

Figures come from sql/queries/overview_kpis.sql (the KPI tiles' own row) with what they are a share of from
sql/queries/headline.sql, and, for the move, from
sql/queries/cohort_share.sql on a fixed cohort (dashboard/cohort.py). Every share carries the range the models of
unknown size allow (all counted large … all counted small); a range wider than WIDE is said instead of a figure."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import streamlit as st

from dashboard import data
from dashboard import format as fmt
from dashboard.cohort import MIN_MODELS, Trend, trend
from dashboard.state import Filters

WIDE = 0.10  # a range wider than 10 points is reported as a range, not as a point figure
STEADY = 0.005  # moves under half a point are "about the same"


def facts(f: Filters) -> dict[str, Any]:
    """The headline's figures (overview_kpis.sql) and what they are a share of (headline.sql), as one row."""
    params = f.params()
    return {**data.one("overview_kpis", params), **data.one("headline", params)}


def is_wide(low: float | None, high: float | None) -> bool:
    return low is not None and high is not None and high - low > WIDE


def share_text(point: float | None, low: float | None, high: float | None, unknown: int) -> str:
    """'55.2% (55.1–55.3%)', or 'between 18.9% and 76.1%' when the range is wide; no range without unknowns."""
    if is_wide(low, high):
        return f"between {fmt.percent(low)} and {fmt.percent(high)}"
    if unknown == 0 or low is None or high is None:
        return fmt.percent(point)
    return f"{fmt.percent(point)} ({fmt.percent(low)}–{fmt.percent(high)})"


def scope_text(row: dict[str, Any]) -> str:
    """What the shares are shares OF: the whole Hub or the bundled selection, and the as-of date."""
    if row.get("whole_hub"):
        return f"On the whole Hub (last full refresh {fmt.date(row.get('full_refresh_date'))}; data as of " \
               f"{fmt.date(row.get('as_of'))})"  # fmt: skip
    return f"In this selection of Hub models (not the whole Hub; data as of {fmt.date(row.get('as_of'))})"


def first_sentence(row: dict[str, Any], f: Filters) -> str:
    population = "language models" if f.scope == "language" else "models"
    filtered = " matching the task/organisation filters" if f.tasks or f.orgs else ""
    unknown = int(row.get("models_unknown") or 0)
    by_models = share_text(row.get("share_models"), row.get("share_models_low"), row.get("share_models_high"), unknown)
    by_dl = share_text(row.get("share_downloads"), row.get("share_downloads_low"), row.get("share_downloads_high"),
                       unknown)  # fmt: skip
    text = (f"{scope_text(row)}, small language models (SLMs, under {fmt.params(f.threshold)} parameters) are "
            f"{by_models} of the {fmt.integer(row.get('models'))} {population}{filtered} and {by_dl} of their "
            "30-day downloads")  # fmt: skip
    wide = [n for n, lo, hi in (("models", "share_models_low", "share_models_high"),
                                ("downloads", "share_downloads_low", "share_downloads_high"))
            if is_wide(row.get(lo), row.get(hi))]  # fmt: skip
    if wide:
        text += (
            f" — too wide a range for one figure, because {fmt.integer(unknown)} models of unknown size hold "
            f"{fmt.count(row.get('downloads_unknown'))} of the {fmt.count(row.get('downloads'))} downloads"
        )
    elif unknown:
        text += (
            f"; the ranges run from all {fmt.integer(unknown)} models of unknown size counted large to all "
            "counted small"
        )
    return text + "."


def trend_sentence(t: Trend | None, f: Filters) -> str:
    if t is None:
        return f"Series “{f.series}” has no two comparable dates in this window, so how the share moved can't be told."
    span = f"from {fmt.date(t.date_from)} to {fmt.date(t.date_to)}"
    if t.models < MIN_MODELS:
        return (f"Only {fmt.integer(t.models)} models were recorded on every date {span} in series “{f.series}”: "
                "too few to say how the share moved.")  # fmt: skip
    move = (t.share_to or 0.0) - (t.share_from or 0.0)
    who = f"On a fixed cohort of {fmt.integer(t.models)} models recorded on every date {span} (series “{f.series}”)"
    if abs(move) < STEADY:
        return f"{who}, the SLM share of {t.measure.title} held at about {fmt.percent(t.share_to)}."
    direction = "rose" if move > 0 else "fell"
    return (f"{who}, the SLM share of {t.measure.title} {direction} from {fmt.percent(t.share_from)} to "
            f"{fmt.percent(t.share_to)} ({'+' if move > 0 else '−'}{abs(100 * move):.1f} points).")  # fmt: skip


def sentence(f: Filters) -> tuple[str, dict[str, Any], Trend | None]:
    """The headline text, its facts and its trend."""
    row = facts(f)
    t = trend(f) if f.series else None
    return f"{first_sentence(row, f)} {trend_sentence(t, f)}", row, t


def page_link() -> str:
    """This page's address with the filters' query string (what 'copy' hands on)."""
    url = str(getattr(st.context, "url", "") or "").split("?")[0]
    query = urlencode([(k, v) for k in st.query_params for v in st.query_params.get_all(k)])
    return f"{url}?{query}" if query else url
