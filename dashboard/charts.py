"""Shared drawing helpers: one SLM/LLM colour scale for every page, number formats, captions, empty states."""

from __future__ import annotations

import altair as alt
import polars as pl
import streamlit as st

CLASS_DOMAIN = ["SLM", "LLM", "unknown"]
CLASS_RANGE = ["#1b9e77", "#d95f02", "#9e9e9e"]  # colour-blind-safe pair (ColorBrewer Dark2) + grey for unknown
BAND_DOMAIN = ["<1B", "1-3B", "3-10B", "10-30B", "30-100B", ">100B", "unknown"]
BAND_RANGE = ["#c7e9c0", "#74c476", "#238b45", "#fdae6b", "#e6550d", "#a63603", "#bdbdbd"]
TIER_DOMAIN = ["permissive", "copyleft", "open-restricted", "non-commercial", "unknown"]
TIER_RANGE = ["#2b83ba", "#abdda4", "#fdae61", "#d7191c", "#bdbdbd"]
# Axis labels in k/M/B (not SI "G"), for parameter counts and download counts; and for log10 values.
_KMB = (
    "{v} >= 1e9 ? format({v} / 1e9, '~g') + 'B' : {v} >= 1e6 ? format({v} / 1e6, '~g') + 'M' : "
    "{v} >= 1e3 ? format({v} / 1e3, '~g') + 'k' : format({v}, '~g')"
)
PARAMS_AXIS = alt.Axis(labelExpr=_KMB.format(v="datum.value"))
COUNT_AXIS = PARAMS_AXIS
LOG10_AXIS = alt.Axis(labelExpr=_KMB.format(v="pow(10, datum.value)"), values=list(range(0, 14)))
NO_MATCH = "No models match the current filters. Widen the scope, clear the task/organisation filters or the window."


def class_color(field: str = "cls", title: str = "Class", legend: bool = True) -> alt.Color:
    """The SLM/LLM colour encoding, identical on every page."""
    return alt.Color(
        f"{field}:N",
        title=title,
        scale=alt.Scale(domain=CLASS_DOMAIN, range=CLASS_RANGE),
        legend=alt.Legend(orient="top") if legend else None,
    )


def band_color(field: str = "size_band") -> alt.Color:
    return alt.Color(
        f"{field}:N", title="Size band", scale=alt.Scale(domain=BAND_DOMAIN, range=BAND_RANGE),
        sort=BAND_DOMAIN, legend=alt.Legend(orient="top"),
    )  # fmt: skip


def tier_color(field: str = "license_tier") -> alt.Color:
    return alt.Color(
        f"{field}:N", title="Licence tier", scale=alt.Scale(domain=TIER_DOMAIN, range=TIER_RANGE),
        sort=TIER_DOMAIN, legend=alt.Legend(orient="top"),
    )  # fmt: skip


def params_text(n: float | None) -> str:
    """7_241_732_096 → '7.2B'; 135e6 → '135M'."""
    if n is None:
        return "unknown"
    if n >= 1e9:
        return f"{n / 1e9:.3g}B"
    if n >= 1e6:
        return f"{n / 1e6:.3g}M"
    return f"{n:,.0f}"


def num(n: float | None) -> str:
    """Compact count: 1234567 → '1.23M'."""
    if n is None:
        return "–"
    n = float(n)
    for unit, div in (("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(n) >= div:
            return f"{n / div:.3g}{unit}"
    return f"{n:,.0f}"


def pct(x: float | None, digits: int = 1) -> str:
    return "–" if x is None else f"{100 * x:.{digits}f}%"


def show(chart: alt.TopLevelMixin) -> None:
    st.altair_chart(chart, width="stretch")


def caption(text: str) -> None:
    """Every chart's caption: what is counted, the denominator, and coverage."""
    st.caption(text)


def empty(frame: pl.DataFrame | None, message: str = NO_MATCH) -> bool:
    """True (and a friendly note) when there is nothing to draw."""
    if frame is None or frame.height == 0:
        st.info(message, icon=":material/filter_alt_off:")
        return True
    return False


def share_area(frame: pl.DataFrame, y: str, y_title: str, x: str = "snapshot_date") -> alt.Chart:
    """Stacked 100% area of SLM vs LLM over dates (frame columns: x, cls, y, plus tooltip columns)."""
    tooltips = [alt.Tooltip(f"{x}:T", title="Date"), alt.Tooltip("cls:N", title="Class")]
    tooltips += [alt.Tooltip(f"{c}:Q", format=",.4~g") for c in frame.columns if c not in (x, "cls")]
    return (
        alt.Chart(frame)
        .mark_area(opacity=0.85)
        .encode(
            x=alt.X(f"{x}:T", title="Snapshot date"),
            y=alt.Y(f"{y}:Q", title=y_title, stack="normalize", axis=alt.Axis(format="%")),
            color=class_color(),
            order=alt.Order("cls_order:Q"),
            tooltip=tooltips,
        )
        .transform_calculate(cls_order="datum.cls == 'SLM' ? 0 : 1")
        .properties(height=320)
    )


def class_bars(frame: pl.DataFrame, field: str, title: str, share: str, share_title: str) -> alt.Chart:
    """Models per `field` value, stacked by class, most common first; the tooltip adds the `share` column."""
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y(f"{field}:N", title=title, sort=alt.EncodingSortField("models", op="sum", order="descending")),
            x=alt.X("models:Q", title="Models", stack=True),
            color=class_color(),
            tooltip=[
                f"{field}:N",
                "cls:N",
                alt.Tooltip("models:Q", format=","),
                alt.Tooltip(f"{share}:Q", format=".1%", title=share_title),
            ],
        )  # fmt: skip
        .properties(height=alt.Step(22))
    )
