"""Trends: is the SLM share moving on a fixed set of models, are new releases getting smaller or larger, and which
models gain or lose downloads fastest?"""

import calendar
import datetime as dt

import polars as pl
import streamlit as st

from dashboard import charts, cohort, data, scope, state
from dashboard import format as fmt

f = state.current()
st.title("Trends")
scope.caveat()
cover = data.one("created_coverage", f.series_params())
window = state.WINDOWS[f.window].lower()
as_of = data.one("meta").get("latest_snapshot_date")


def partial_month(frame: pl.DataFrame) -> str | None:
    """The latest month when the data stops before its end (e.g. Oct 2026 holds 5 days): it is drawn faded."""
    if frame.height == 0 or as_of is None:
        return None
    last = frame["month"].max()
    last = last.date() if isinstance(last, dt.datetime) else last
    end = dt.date(last.year, last.month, calendar.monthrange(last.year, last.month)[1])
    return fmt.month(last) if last.year == as_of.year and last.month == as_of.month and as_of < end else None


def flag_partial(frame: pl.DataFrame, partial: str | None) -> pl.DataFrame:
    return frame.with_columns(partial=pl.lit(partial is not None) & (pl.col("month") == pl.col("month").max()))


def movers_missing(dates: pl.DataFrame, span: dict) -> str:
    """Why there are no risers or fallers: the real cause, not just 'need two dates'."""
    if dates.height < 2:
        return (f"Series “{f.series}” has {dates.height} snapshot date(s) in this window ({window}); comparing needs "
                "two. Widen the window or pick another series.")  # fmt: skip
    date_from, date_to = span.get("date_from"), span.get("date_to")
    if date_from is None or date_from == date_to:
        return "Pick two different snapshot dates to compare."
    return (f"No model of series “{f.series}” in view was recorded on both {fmt.date(date_from)} and "
            f"{fmt.date(date_to)} with a change in downloads; pick two dates that share models.")  # fmt: skip


st.subheader(f"SLM share over time, series “{f.series}”")
cohort.section(f, "trends")

st.subheader("Releases per month by size band")
releases = data.run("releases_by_month", f.series_params())
if not charts.empty(releases):
    partial = partial_month(releases)
    charts.show(charts.monthly_bars(flag_partial(releases, partial), partial))
    charts.caption(
        f"Counted: {fmt.integer(cover['models_in_window'])} models created in the window ({window}). Coverage: "
        f"{fmt.integer(cover['models_dated'])} of {fmt.integer(cover['models'])} models in view have a known creation "
        "date; the rest predate the Hub's creation tracking (2022-03-02) and are left out. Only models still listed "
        "are counted (deleted repos are not), so older months are undercounted."
        + (f" {partial} is partial: the data stops on {fmt.date(as_of)}, so its bar is faded, not a drop." if partial
           else "")
    )  # fmt: skip

st.subheader("Median size of new releases per month")
median = data.run("median_size_by_month", f.series_params())
if not charts.empty(median):
    partial = partial_month(median)
    charts.show(charts.median_size(flag_partial(median, partial), f.threshold, partial))
    charts.caption(
        f"Line: median total parameters of the models created each month; band: 25th–75th percentile; dashed: "
        f"the SLM cut-off ({fmt.params(f.threshold)}). Denominator: {fmt.integer(cover['models_in_window_sized'])} "
        f"models with both a creation date in the window and a parameter count (of {fmt.integer(cover['models'])} in "
        "view)." + (f" {partial} is partial (faded)." if partial else "")
    )  # fmt: skip

st.subheader(f"Fastest risers and fallers · series “{f.series}”")
dates = data.run("series_date_counts", f.series_params())
default_span = data.one("movers_span", {"series": f.series})
precomputed = (default_span.get("date_from"), default_span.get("date_to"))
span = {}
if dates.height >= 2:
    days = dates["snapshot_date"].to_list()
    default = precomputed if f.window == "all" and precomputed[0] in days else (days[0], days[-1])
    picked = st.select_slider(
        "Compare snapshot dates", options=days, value=default, key=f"movers_span_{f.series}_{f.window}",
        format_func=fmt.date,
        help="Default: from the earliest date that recorded at least half as many models as the latest date.",
    )  # fmt: skip
    if tuple(picked) != precomputed:  # the precomputed span is read from the rollups; any other from raw rows
        span = {"date_from": picked[0], "date_to": picked[1]}
movers = data.run("movers", f.series_params(n=15, **span))
if not charts.empty(movers, movers_missing(dates, span or dict(date_from=precomputed[0], date_to=precomputed[1]))):
    first = movers.row(0, named=True)
    cols = st.columns(2)
    for col, direction, title in ((cols[0], "riser", "Risers"), (cols[1], "faller", "Fallers")):
        part = movers.filter(movers["direction"] == direction)
        with col:
            st.markdown(f"**{title}**")
            if charts.empty(part, f"No {title.lower()} between these dates."):
                continue
            charts.show(charts.mover_bars(part, direction))
    charts.caption(
        f"Change in the Hub's 30-day download count between {fmt.date(first['date_from'])} and "
        f"{fmt.date(first['date_to'])} (series “{f.series}”), over the {fmt.integer(first['models_compared'])} models "
        "in view recorded on both dates; models recorded on only one of them are not compared."
    )
