"""Every Altair chart of the dashboard (pages only query and draw through these), one SLM/LLM colour scale, band
colours that follow the threshold, captions and empty states. Numbers, labels and axes come from
dashboard/format.py, so tooltips and axes say '4.0M downloads' and '1.2B', never `downloads_30d 5.466e+8`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import altair as alt
import polars as pl
import streamlit as st

from dashboard import format as fmt

CLASS_DOMAIN = ["SLM", "LLM", "unknown"]
CLASS_RANGE = ["#1b9e77", "#d95f02", "#9e9e9e"]  # colour-blind-safe pair (ColorBrewer Dark2) + grey for unknown
# Fallback band order for a DB without config_bands (the bands of config/hubscope.toml before they were tables).
BAND_DOMAIN = ["<1B", "1-3B", "3-10B", "10-30B", "30-100B", ">100B", "unknown"]
SLM_SHADES = ["#c7e9c0", "#a1d99b", "#74c476", "#41ab5d", "#238b45", "#006d2c", "#00441b"]
LLM_SHADES = ["#fdd0a2", "#fdae6b", "#fd8d3c", "#e6550d", "#a63603", "#7f2704", "#5a1a00"]
TIER_DOMAIN = ["permissive", "copyleft", "open-restricted", "non-commercial", "unknown"]
TIER_RANGE = ["#2b83ba", "#abdda4", "#fdae61", "#d7191c", "#bdbdbd"]
GATED_DOMAIN = ["no", "auto", "manual"]
GATED_RANGE = ["#4daf4a", "#ff7f00", "#e41a1c"]
MUTED = "#bdbdbd"
MEASURE_TITLES = {"share_downloads": "of downloads", "share_models": "of models"}  # share_trend's two lines
NO_MATCH = "No models match the current filters. Widen the scope, clear the task/organisation filters or the window."
Tips = Mapping[str, str]  # {column: format kind (count, params, percent, integer, date, month, nominal)}


@dataclass(frozen=True)
class Band:
    label: str
    upper: float | None  # exclusive upper bound in parameters; None = no upper bound / unknown


def class_color(field: str = "cls", title: str = "Class", legend: bool = True) -> alt.Color:
    """The SLM/LLM colour encoding, identical on every page."""
    return alt.Color(
        f"{field}:N", title=title, scale=alt.Scale(domain=CLASS_DOMAIN, range=CLASS_RANGE),
        legend=alt.Legend(orient="top") if legend else None,
    )  # fmt: skip


def _session_bands() -> tuple[list[Band], float | None]:
    """The DB's configured bands and the current threshold (set by app.py / state.sidebar for this run)."""
    bands = st.session_state.get("_bands") or [Band(b, None) for b in BAND_DOMAIN]
    filters = st.session_state.get("_filters")
    return bands, getattr(filters, "threshold", None)


def band_colors(bands: Sequence[Band], threshold: float | None) -> tuple[list[str], list[str]]:
    """(domain, range): bands wholly below the threshold in SLM greens, the others in LLM oranges, unknown grey."""
    known = [b for b in bands if b.label != "unknown"]
    cut = threshold if threshold is not None else 10e9
    small = [b for b in known if b.upper is not None and b.upper <= cut]
    large = [b for b in known if b not in small]
    colors = SLM_SHADES[-len(small) :] if small else []
    colors += LLM_SHADES[: len(large)]
    return [b.label for b in small + large] + ["unknown"], [*colors, MUTED]


def band_color(
    field: str = "size_band", bands: Sequence[Band] | None = None, threshold: float | None = None
) -> alt.Color:
    session_bands, session_threshold = _session_bands()
    domain, colors = band_colors(bands or session_bands, threshold if threshold is not None else session_threshold)
    return alt.Color(f"{field}:N", title="Size band", scale=alt.Scale(domain=domain, range=colors), sort=domain,
                     legend=alt.Legend(orient="top"))  # fmt: skip


def band_order_expr(field: str = "size_band") -> str:
    """Vega expression: the band's position in the configured order (stack order)."""
    return f"indexof({[b.label for b in _session_bands()[0]] + ['unknown']}, datum.{field})"


def tier_color(field: str = "license_tier") -> alt.Color:
    return alt.Color(f"{field}:N", title="Licence tier", scale=alt.Scale(domain=TIER_DOMAIN, range=TIER_RANGE),
                     sort=TIER_DOMAIN, legend=alt.Legend(orient="top"))  # fmt: skip


def show(chart: alt.TopLevelMixin) -> None:
    st.altair_chart(chart, width="stretch")


def caption(text: str) -> None:
    """Every chart's caption: what is counted, the denominator, and coverage. Plain text: Hub strings in it
    (ids, authors, tags) must never become links or images, so markdown is escaped."""
    st.caption(escape_markdown(text))


def escape_markdown(text: str) -> str:
    """Text shown literally by st.markdown/st.caption: markdown and HTML characters escaped."""
    return "".join("\\" + ch if ch in "\\`*_{}[]()<>#+-.!|~$:" else ch for ch in str(text))


def empty(frame: pl.DataFrame | None, message: str = NO_MATCH) -> bool:
    """True (and a friendly note) when there is nothing to draw."""
    if frame is None or frame.height == 0:
        st.info(message, icon="🔎")
        return True
    return False


def models_or_stop(kpis: dict[str, Any] | None) -> dict[str, Any]:
    """The view's KPI row when it has models; otherwise the empty note and st.stop(): every chart below would
    be empty, and one note says so better than one per chart."""
    if not kpis or not kpis.get("models"):
        empty(None)
        st.stop()
    return kpis


def _chart(frame: pl.DataFrame, tips: Tips, titles: Mapping[str, str] | None = None) -> tuple[alt.Chart, list]:
    """The chart over `frame` plus its tooltips (human text columns added; titles in words unless given)."""
    data, tooltip = fmt.tooltips(frame, tips)
    for column, tip in zip([c for c in tips if c in frame.columns], tooltip, strict=True):
        if titles and column in titles:
            tip.title = titles[column]
    return alt.Chart(data), tooltip


def share_area(frame: pl.DataFrame, y: str, y_title: str, x: str = "snapshot_date") -> alt.Chart:
    """Stacked 100% area of SLM vs LLM over dates (frame columns: x, cls, y, plus tooltip columns)."""
    kinds = {x: "date", "cls": "nominal"}
    kinds |= {c: ("percent" if c.startswith("share") else "count") for c in frame.columns if c not in (x, "cls")}
    base, tips = _chart(frame, kinds)
    return (
        base.mark_area(opacity=0.85)
        .encode(
            x=alt.X(f"{x}:T", title="Snapshot date", axis=fmt.date_axis()),
            y=alt.Y(f"{y}:Q", title=y_title, stack="normalize", axis=fmt.percent_axis()),
            color=class_color(),
            order=alt.Order("cls_order:Q"),
            tooltip=tips,
        )  # fmt: skip
        .transform_calculate(cls_order="datum.cls == 'SLM' ? 0 : 1")
        .properties(height=320)
    )


def trend_line(frame: pl.DataFrame, x: str, y: str, *, y_title: str, tips: Tips, color: alt.Color | None = None,
               percent: bool = False) -> alt.Chart:  # fmt: skip
    """A line with a point on every date (so sparse dates show as points, not as a smooth curve)."""
    base, tooltip = _chart(frame, tips)
    axis = fmt.percent_axis() if percent else fmt.count_axis()
    enc = {"x": alt.X(f"{x}:T", title=fmt.label(x), axis=fmt.date_axis()),
           "y": alt.Y(f"{y}:Q", title=y_title, axis=axis), "tooltip": tooltip}  # fmt: skip
    if color is not None:
        enc["color"] = color
    return base.mark_line(point=True).encode(**enc).properties(height=300)


def hbars(frame: pl.DataFrame, y: str, x: str, *, tips: Tips, y_title: str | None = None, x_title: str | None = None,
          color: alt.Color | None = None, sort: object = "-x", normalize: bool = False, x_domain: list | None = None,
          offset: str | None = None, order: str | None = None, step: int = 24,
          titles: Mapping[str, str] | None = None) -> alt.Chart:  # fmt: skip
    """Horizontal bars: counts (integer axis, 4M labels) or, with normalize, shares of 100%. `x_domain` shares one
    scale between compared panels; `offset` groups bars side by side (e.g. SLM beside LLM)."""
    base, tooltip = _chart(frame, tips, titles)
    axis = fmt.percent_axis() if normalize or x.startswith("share") else fmt.count_axis()
    scale = alt.Scale(domain=x_domain) if x_domain else alt.Undefined
    enc = {
        "y": alt.Y(f"{y}:N", title=y_title, sort=sort, axis=fmt.category_axis()),
        "x": alt.X(f"{x}:Q", title=x_title or fmt.label(x), axis=axis, scale=scale,
                   stack="normalize" if normalize else True),
        "tooltip": tooltip,
    }  # fmt: skip
    if color is not None:
        enc["color"] = color
    if offset:
        enc["yOffset"] = alt.YOffset(f"{offset}:N", sort=["SLM", "LLM"])
    chart = (base.mark_bar() if color is not None else base.mark_bar(color="#607d8b")).encode(**enc)
    if order:
        chart = chart.encode(order=alt.Order("stack_order:Q")).transform_calculate(stack_order=order)
    return chart.properties(height=alt.Step(step))


def class_bars(frame: pl.DataFrame, field: str, title: str, share: str, share_title: str) -> alt.Chart:
    """Models per `field` value, stacked by class, most common first; the tooltip adds the `share` column."""
    return hbars(
        frame, field, "models", tips={field: "", "cls": "", "models": "integer", share: "percent"},
        titles={share: share_title}, y_title=title, color=class_color(), sort=by_total("models"), step=22,
    )  # fmt: skip


def histogram(frame: pl.DataFrame) -> alt.Chart:
    """Models per 0.1-decade bin of parameters (log10 fields), stacked by class; decade ticks 1M … 1T."""
    base, tips = _chart(frame, {"params_lo": "params", "params_hi": "params", "cls": "", "models": "integer",
                                "downloads_30d": "count"})  # fmt: skip
    tips[0].title, tips[1].title = "From", "To"
    hi = int(frame["log10_hi"].max() + 0.999) if frame.height else 13
    lo = int(frame["log10_lo"].min()) if frame.height else 0
    return (
        base.mark_bar(binSpacing=0)
        .encode(
            x=alt.X(
                "log10_lo:Q",
                bin=alt.Bin(binned=True, step=0.1),
                title="Total parameters (log scale)",
                axis=fmt.log10_axis(lo, hi),
                scale=alt.Scale(domain=[lo, hi]),
            ),
            x2="log10_hi:Q",
            y=alt.Y("models:Q", title="Models", stack=True, axis=fmt.count_axis()),
            color=class_color(),
            tooltip=tips,
        )  # fmt: skip
        .properties(height=300)
    )


def _cut_rule(threshold: float, axis: str = "x") -> alt.Chart:
    enc = {axis: alt.datum(threshold)}
    return alt.Chart().mark_rule(strokeDash=[4, 4], color=CLASS_RANGE[1]).encode(**enc)


def quartile_ranges(frame: pl.DataFrame, field: str, title: str, threshold: float) -> alt.LayerChart:
    """Per category: the 25th–75th percentile of parameters as a bar, the median as a dot, the cut-off dashed."""
    base, tips = _chart(frame, {field: "", "models": "integer", "median_params": "params", "p25_params": "params",
                                "p75_params": "params", "slm_share": "percent"})  # fmt: skip
    tips[-1].title = "SLM share"
    base = base.encode(y=alt.Y(f"{field}:N", title=title, sort=alt.SortField("models", order="descending"),
                               axis=fmt.category_axis()))  # fmt: skip
    log = alt.Scale(type="log")
    x = alt.X("p25_params:Q", title="Total parameters (log scale)", scale=log, axis=fmt.params_axis())
    rule = base.mark_rule(strokeWidth=3, color="#999").encode(x=x, x2="p75_params:Q", tooltip=tips)
    point = base.mark_point(filled=True, size=90, color="#333").encode(x="median_params:Q", tooltip=tips)
    return alt.layer(rule, point, _cut_rule(threshold)).properties(height=alt.Step(26))


def scatter_log(frame: pl.DataFrame, x: str, y: str, *, size: str, tips: Tips) -> alt.Chart:
    """Parameters vs parameters on log axes with decade ticks, dot size = `size`, colour = class."""
    base, tooltip = _chart(frame, tips)
    log = alt.Scale(type="log")
    return (
        base.mark_circle(opacity=0.7)
        .encode(
            x=alt.X(f"{x}:Q", title=fmt.label(x) + " (memory)", scale=log, axis=fmt.params_axis()),
            y=alt.Y(f"{y}:Q", title=fmt.label(y) + " per token (compute)", scale=log, axis=fmt.params_axis()),
            size=alt.Size(f"{size}:Q", title=fmt.label(size), legend=None),
            color=class_color(),
            tooltip=tooltip,
        )  # fmt: skip
        .properties(height=340)
    )


def sensitivity(long: pl.DataFrame, marks: pl.DataFrame) -> alt.LayerChart:
    """SLM share at every cut-off (line + points), bounds as a band, dashed rules at the default and selection.
    `long`: threshold, measure, share, low, high; `marks`: threshold, label."""
    base, tips = _chart(long, {"threshold": "params", "measure": "", "share": "percent", "low": "percent",
                               "high": "percent"})  # fmt: skip
    tips[0].title, tips[3].title, tips[4].title = "Cut-off", "Bound: unknown all LLM", "Bound: unknown all SLM"
    x = alt.X("threshold:Q", title="SLM cut-off (total parameters, log scale)", scale=alt.Scale(type="log"),
              axis=fmt.params_axis(lo=float(long["threshold"].min()), hi=float(long["threshold"].max())))  # fmt: skip
    color = alt.Color("measure:N", title="SLM share", legend=alt.Legend(orient="top"),
                      scale=alt.Scale(range=[CLASS_RANGE[0], "#5e3c99"]))  # fmt: skip
    base = base.encode(x=x, color=color)
    band = base.mark_area(opacity=0.18).encode(y=alt.Y("low:Q", title="SLM share", axis=fmt.percent_axis()),
                                               y2="high:Q")  # fmt: skip
    line = base.mark_line(point=True).encode(y="share:Q", tooltip=tips)
    marked, mark_tips = _chart(marks, {"label": "", "threshold": "params"})
    rules = marked.mark_rule(strokeDash=[4, 4], color="#555").encode(x="threshold:Q", tooltip=mark_tips)
    text = marked.mark_text(align="left", dx=4, dy=-120, color="#555").encode(x="threshold:Q", text="label:N")
    return (band + line + rules + text).properties(height=360)


def month_shares(frame: pl.DataFrame, color: alt.Color, order: str, *, tips: Tips, title: str,
                 months: tuple[object, object], partial: str | None = None) -> alt.Chart:  # fmt: skip
    """Per month, 100% stacked bars (e.g. licence tiers) on a month axis with years over `months` (first, last: the
    same for compared panels); rows flagged `muted` are drawn faded; the partial month is named on the axis."""
    base, tooltip = _chart(frame, {"month": "month", **tips})
    return (
        base.mark_bar()
        .encode(
            x=_month_x(partial, scale=alt.Scale(domain=[str(m) for m in months])),
            y=alt.Y("models:Q", stack="normalize", title=title, axis=fmt.percent_axis()),
            color=color,
            order=alt.Order("stack_order:Q"),
            tooltip=tooltip,
            opacity=alt.condition("datum.muted", alt.value(0.25), alt.value(1.0)),
        )  # fmt: skip
        .transform_calculate(stack_order=order)
        .properties(height=200)
    )


def _date_x(title: str | None = "Snapshot date") -> alt.X:
    return alt.X("snapshot_date:T", title=title, axis=fmt.date_axis(labelFlush=True))


def _month_x(partial: str | None, **kw: object) -> alt.X:
    """Creation-month axis with years; the partial (latest) month is named in the title."""
    return alt.X("month:T", timeUnit="yearmonth", axis=fmt.month_axis(),
                 title="Creation month" + (f" ({partial} is partial)" if partial else ""), **kw)  # fmt: skip


def share_trend(frame: pl.DataFrame, downloads: str, downloads_title: str) -> alt.LayerChart:
    """SLM share per date as lines with a point on every date (share of downloads solid, of models dashed). Thin
    dates (column `thin`) are grey points off the line. `frame`: the rows of share_over_time.sql / cohort_share*.sql
    (one per date and class) plus `thin`; `downloads` names its downloads column (downloads_30d or
    downloads_per_day). Drawn above `count_strip` of the same frame."""
    base, tips = _chart(frame, {"snapshot_date": "date", "models": "integer", downloads: "count",
                                "date_models": "integer"},
                        {"models": "SLMs counted", downloads: downloads_title.capitalize() + " to SLMs",
                         "date_models": "Models counted that date"})  # fmt: skip
    slm = (
        base.encode(x=_date_x())
        .transform_filter(alt.datum.cls == "SLM")
        .transform_fold(list(MEASURE_TITLES), as_=["measure_key", "share"])
        .transform_calculate(measure=f"{MEASURE_TITLES}[datum.measure_key]")
    )
    y = alt.Y("share:Q", title="SLM share", axis=fmt.percent_axis(), scale=alt.Scale(domain=[0, 1]))
    dash = alt.StrokeDash("measure:N", title="SLM share", legend=alt.Legend(orient="top"),
                          scale=alt.Scale(domain=list(MEASURE_TITLES.values()), range=[[1, 0], [5, 3]]))  # fmt: skip
    line = slm.transform_filter("!datum.thin").mark_line(color=CLASS_RANGE[0]).encode(y=y, strokeDash=dash)
    points = slm.mark_point(filled=True, size=45).encode(
        y=y,
        shape=alt.Shape("measure:N", legend=None),
        color=alt.condition("datum.thin", alt.value(MUTED), alt.value(CLASS_RANGE[0])),
        tooltip=[tips[0], alt.Tooltip("measure:N", title="Measure"),
                 alt.Tooltip("share:Q", title="SLM share", format=".1%"), *tips[1:]],
    )  # fmt: skip
    return alt.layer(line, points).properties(height=400)  # with width="stretch" the height includes axes and legend


def count_strip(frame: pl.DataFrame) -> alt.Chart:
    """The models counted on each date of a share_trend frame, thin dates grey: the denominator under the line."""
    per_date = frame.group_by("snapshot_date").agg(pl.col("date_models").max(), pl.col("thin").any())
    base, tips = _chart(per_date, {"snapshot_date": "date", "date_models": "integer"},
                        {"date_models": "Models counted that date"})  # fmt: skip
    return (
        base.mark_bar(width=4)
        .encode(
            x=_date_x(None),
            y=alt.Y("date_models:Q", title="Models", axis=fmt.count_axis(tickCount=3)),
            color=alt.condition("datum.thin", alt.value(MUTED), alt.value("#607d8b")),
            tooltip=tips,
        )  # fmt: skip
        .properties(height=130)
    )


def monthly_bars(frame: pl.DataFrame, partial: str | None) -> alt.Chart:
    """Models created per month stacked by size band; the partial (latest) month drawn faded and named."""
    base, tips = _chart(frame, {"month": "month", "size_band": "", "models": "integer", "downloads_30d": "count"},
                        {"downloads_30d": "30-day downloads now"})  # fmt: skip
    return (
        base.mark_bar()
        .encode(
            x=_month_x(partial),
            y=alt.Y("models:Q", title="Models created", axis=fmt.count_axis()),
            color=band_color(),
            order=alt.Order("band_order:Q"),
            opacity=alt.condition("datum.partial", alt.value(0.35), alt.value(1.0)),
            tooltip=tips,
        )  # fmt: skip
        .transform_calculate(band_order=band_order_expr())
        .properties(height=320)
    )


def median_size(frame: pl.DataFrame, threshold: float, partial: str | None) -> alt.LayerChart:
    """Median total parameters of each month's releases (log, decade ticks), 25th–75th percentile band, cut-off."""
    base, tips = _chart(frame, {"month": "month", "median_params": "params", "p25_params": "params",
                                "p75_params": "params", "models": "integer", "slm_share": "percent"},
                        {"median_params": "Median parameters", "p25_params": "25th percentile",
                         "p75_params": "75th percentile", "slm_share": "SLM share"})  # fmt: skip
    lo, hi = float(frame["p25_params"].min() or 1e6), float(frame["p75_params"].max() or 1e12)
    log = alt.Scale(type="log")
    base = base.encode(x=_month_x(partial))
    band = base.mark_area(opacity=0.2, color="#777").encode(y=alt.Y("p25_params:Q", scale=log), y2="p75_params:Q")
    line = base.mark_line(point=True, color="#333").encode(
        y=alt.Y("median_params:Q", title="Total parameters (log scale)", scale=log,
                axis=fmt.params_axis(lo=min(lo, threshold) / 10, hi=max(hi, threshold) * 10)),
        opacity=alt.condition("datum.partial", alt.value(0.35), alt.value(1.0)),
        tooltip=tips,
    )  # fmt: skip
    return alt.layer(band, line, _cut_rule(threshold, "y")).properties(height=300)


def mover_bars(frame: pl.DataFrame, direction: str) -> alt.Chart:
    """Risers or fallers: change in 30-day downloads per model, human axis and tooltips."""
    return hbars(
        frame, "model_id", "change", x_title="Change in 30-day downloads", color=class_color(), step=28,
        sort=by_field("change", descending=direction == "riser"),
        tips={"model_id": "", "cls": "", "params_total": "params", "downloads_from": "count", "downloads_to": "count",
              "change": "count", "change_ratio": "percent"},
        titles={"downloads_from": "30-day downloads (from)", "downloads_to": "30-day downloads (to)",
                "change": "Change", "change_ratio": "Change (relative)"},
    )  # fmt: skip


def category_color(field: str, title: str, domain: list[str], colors: list[str]) -> alt.Color:
    """A fixed nominal colour scale with a top legend (gating, relations, …)."""
    return alt.Color(f"{field}:N", title=title, scale=alt.Scale(domain=domain, range=colors),
                     legend=alt.Legend(orient="top"))  # fmt: skip


def by_field(field: str, descending: bool = False) -> alt.SortField:
    """Sort a category axis by another column (e.g. rank)."""
    return alt.SortField(field, order="descending" if descending else "ascending")


def by_total(field: str) -> alt.EncodingSortField:
    """Sort a category axis by the sum of `field` over its rows, largest first."""
    return alt.EncodingSortField(field, op="sum", order="descending")


_COLUMN_KINDS = {
    "count": lambda t: st.column_config.NumberColumn(t, format="compact"),
    "params": lambda t: st.column_config.NumberColumn(t, format="compact"),
    "integer": lambda t: st.column_config.NumberColumn(t, format="localized"),
    "percent": lambda t: st.column_config.NumberColumn(t, format="percent"),
    "date": lambda t: st.column_config.DateColumn(t, format="D MMM YYYY"),
    "datetime": lambda t: st.column_config.DatetimeColumn(t, format="D MMM YYYY"),
    "link": lambda t: st.column_config.LinkColumn(t, display_text="open ↗"),
    "check": lambda t: st.column_config.CheckboxColumn(t),
}


def table(frame: pl.DataFrame, kinds: Mapping[str, str] | None = None, **kw: object) -> None:
    """st.dataframe with every header in words and numbers in human form (4M, 1.2B, 55.3%); the values stay
    numbers, so sorting and downloads keep working. Cells are plain text (never markdown or HTML)."""
    kinds = kinds or {}
    config = {c: _COLUMN_KINDS[kinds[c]](fmt.label(c)) if c in kinds else st.column_config.Column(fmt.label(c))
              for c in frame.columns}  # fmt: skip
    st.dataframe(frame, hide_index=True, column_config=config, **kw)
