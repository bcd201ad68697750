"""ANSWER's Altair charts (the share trend on a fixed cohort, the Trends page's month and mover charts), in the style
of dashboard/charts.py, into which the lead merges them. Pages never call alt.Chart themselves."""

from __future__ import annotations

import altair as alt
import polars as pl

from dashboard import charts
from dashboard import format as fmt

MEASURE_TITLES = {"share_downloads": "of downloads", "share_models": "of models"}
SHARE_GREEN = charts.CLASS_RANGE[0]
THIN_GREY = "#bdbdbd"


def _date_x(title: str | None = "Snapshot date") -> alt.X:
    return alt.X("snapshot_date:T", title=title, axis=fmt.date_axis(labelFlush=True))


def share_trend(frame: pl.DataFrame, downloads: str, downloads_title: str) -> alt.LayerChart:
    """SLM share per date as lines with a point on every date (share of downloads solid, of models dashed). Thin
    dates (column `thin`) are grey points off the line. `frame`: the rows of share_over_time.sql / cohort_share*.sql
    (one per date and class) plus `thin`; `downloads` names its downloads column (downloads_30d or
    downloads_per_day). Drawn above `count_strip` of the same frame."""
    data, tips = fmt.tooltips(
        frame,
        {"snapshot_date": "date", "models": "integer", downloads: "count", "date_models": "integer"},
    )
    tips[1].title, tips[2].title, tips[3].title = "SLMs counted", downloads_title.capitalize() + " to SLMs", \
        "Models counted that date"  # fmt: skip
    slm = (
        alt.Chart(data)
        .encode(x=_date_x())
        .transform_filter(alt.datum.cls == "SLM")
        .transform_fold(list(MEASURE_TITLES), as_=["measure_key", "share"])
        .transform_calculate(measure=f"{MEASURE_TITLES}[datum.measure_key]")
    )
    share_tip = alt.Tooltip("share:Q", title="SLM share", format=".1%")
    measure_tip = alt.Tooltip("measure:N", title="Measure")
    y = alt.Y("share:Q", title="SLM share", axis=fmt.percent_axis(), scale=alt.Scale(domain=[0, 1]))
    dash = alt.StrokeDash("measure:N", title="SLM share", legend=alt.Legend(orient="top"),
                          scale=alt.Scale(domain=list(MEASURE_TITLES.values()), range=[[1, 0], [5, 3]]))  # fmt: skip
    line = slm.transform_filter("!datum.thin").mark_line(color=SHARE_GREEN).encode(y=y, strokeDash=dash)
    points = slm.mark_point(filled=True, size=45).encode(
        y=y,
        shape=alt.Shape("measure:N", legend=None),
        color=alt.condition("datum.thin", alt.value(THIN_GREY), alt.value(SHARE_GREEN)),
        tooltip=[tips[0], measure_tip, share_tip, *tips[1:]],
    )
    return alt.layer(line, points).properties(height=400)  # with width="stretch" the height includes axes and legend


def count_strip(frame: pl.DataFrame) -> alt.Chart:
    """The models counted on each date of a share_trend frame, thin dates grey: the denominator under the line."""
    per_date = frame.group_by("snapshot_date").agg(pl.col("date_models").max(), pl.col("thin").any())
    return (
        alt.Chart(per_date)
        .mark_bar(width=4)
        .encode(
            x=_date_x(None),
            y=alt.Y("date_models:Q", title="Models", axis=fmt.count_axis(tickCount=3)),
            color=alt.condition("datum.thin", alt.value(THIN_GREY), alt.value("#607d8b")),
            tooltip=[
                fmt.tooltip("snapshot_date", "date"),
                alt.Tooltip("date_models:Q", title="Models counted that date", format=","),
            ],
        )  # fmt: skip
        .properties(height=130)
    )


def monthly_bars(frame: pl.DataFrame, partial: str | None) -> alt.Chart:
    """Models created per month stacked by size band; the partial (latest) month drawn faded and named."""
    data, tips = fmt.tooltips(frame, {"month": "month", "size_band": "", "models": "integer", "downloads_30d": "count"})
    tips[3].title = "30-day downloads now"
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X(
                "month:T",
                timeUnit="yearmonth",
                axis=fmt.month_axis(),
                title="Creation month" + (f" ({partial} is partial)" if partial else ""),
            ),
            y=alt.Y("models:Q", title="Models created", axis=fmt.count_axis()),
            color=charts.band_color(),
            order=alt.Order("band_order:Q"),
            opacity=alt.condition("datum.partial", alt.value(0.35), alt.value(1.0)),
            tooltip=tips,
        )  # fmt: skip
        .transform_calculate(band_order=_band_order())
        .properties(height=320)
    )


def _band_order() -> str:
    """The stack order of size bands (the configured bands once charts.band_order_expr exists)."""
    expr = getattr(charts, "band_order_expr", None)
    return expr() if expr else f"indexof({charts.BAND_DOMAIN}, datum.size_band)"


def median_size(frame: pl.DataFrame, threshold: float, partial: str | None) -> alt.LayerChart:
    """Median total parameters of each month's releases (log, decade ticks), 25th–75th percentile band, cut-off."""
    data, tips = fmt.tooltips(frame, {"month": "month", "median_params": "params", "p25_params": "params",
                                      "p75_params": "params", "models": "integer", "slm_share": "percent"})  # fmt: skip
    tips[1].title, tips[2].title, tips[3].title, tips[5].title = (
        "Median parameters",
        "25th percentile",
        "75th percentile",
        "SLM share",
    )
    lo, hi = float(frame["p25_params"].min() or 1e6), float(frame["p75_params"].max() or 1e12)
    log = alt.Scale(type="log")
    x = alt.X("month:T", timeUnit="yearmonth", axis=fmt.month_axis(),
              title="Creation month" + (f" ({partial} is partial)" if partial else ""))  # fmt: skip
    base = alt.Chart(data).encode(x=x)
    band = base.mark_area(opacity=0.2, color="#777").encode(y=alt.Y("p25_params:Q", scale=log), y2="p75_params:Q")
    line = base.mark_line(point=True, color="#333").encode(
        y=alt.Y("median_params:Q", title="Total parameters (log scale)", scale=log,
                axis=fmt.params_axis(lo=min(lo, threshold) / 10, hi=max(hi, threshold) * 10)),
        opacity=alt.condition("datum.partial", alt.value(0.35), alt.value(1.0)),
        tooltip=tips,
    )  # fmt: skip
    rule = alt.Chart().mark_rule(strokeDash=[4, 4], color=charts.CLASS_RANGE[1]).encode(y=alt.datum(threshold))
    return alt.layer(band, line, rule).properties(height=300)


def mover_bars(frame: pl.DataFrame, direction: str) -> alt.Chart:
    """Risers or fallers: change in 30-day downloads per model, human axis and tooltips."""
    kinds = {"model_id": "", "cls": "", "params_total": "params", "downloads_from": "count", "downloads_to": "count",
             "change": "count", "change_ratio": "percent"}  # fmt: skip
    data, tips = fmt.tooltips(frame, kinds)
    tips[3].title, tips[4].title, tips[5].title, tips[6].title = (
        "30-day downloads (from)",
        "30-day downloads (to)",
        "Change",
        "Change (relative)",
    )
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y(
                "model_id:N",
                title=None,
                axis=fmt.category_axis(),
                sort=alt.SortField("change", order="descending" if direction == "riser" else "ascending"),
            ),
            x=alt.X("change:Q", title="Change in 30-day downloads", axis=fmt.count_axis()),
            color=charts.class_color(),
            tooltip=tips,
        )  # fmt: skip
        .properties(height=alt.Step(28))
    )
