"""Trends: are new releases getting smaller or larger, and which models gain or lose downloads fastest?"""

import altair as alt
import streamlit as st

from dashboard import charts, data, state

f = state.current()
st.title("Trends")
cover = data.one("created_coverage", f.series_params())
window = state.WINDOWS[f.window].lower()

st.subheader("Releases per month by size band")
releases = data.run("releases_by_month", f.series_params())
if not charts.empty(releases):
    chart = (
        alt.Chart(releases)
        .mark_bar()
        .encode(
            x=alt.X("month:T", title="Creation month"),
            y=alt.Y("models:Q", title="Models created"),
            color=charts.band_color(),
            order=alt.Order("band_order:Q"),
            tooltip=[
                alt.Tooltip("month:T", format="%Y-%m"),
                "size_band:N",
                alt.Tooltip("models:Q", format=","),
                alt.Tooltip("downloads_30d:Q", format=",", title="30-day downloads now"),
            ],
        )  # fmt: skip
        .transform_calculate(band_order=f"indexof({charts.BAND_DOMAIN}, datum.size_band)")
        .properties(height=320)
    )
    charts.show(chart)
    charts.caption(
        f"Counted: {cover['models_in_window']:,} models created in the window ({window}). Coverage: "
        f"{cover['models_dated']:,} of {cover['models']:,} models in view have a known creation date; the rest "
        "predate the Hub's creation tracking (2022-03-02) and are left out. Only models still listed are counted "
        "(deleted repos are not), so older months are undercounted."
    )

st.subheader("Median size of new releases per month")
median = data.run("median_size_by_month", f.series_params())
if not charts.empty(median):
    base = alt.Chart(median).encode(x=alt.X("month:T", title="Creation month"))
    y = alt.Y("median_params:Q", title="Total parameters (log scale)", scale=alt.Scale(type="log"),
              axis=charts.PARAMS_AXIS)  # fmt: skip
    band = base.mark_area(opacity=0.2, color="#777").encode(y=alt.Y("p25_params:Q", scale=alt.Scale(type="log")),
                                                           y2="p75_params:Q")  # fmt: skip
    line = base.mark_line(point=True, color="#333").encode(
        y=y,
        tooltip=[alt.Tooltip("month:T", format="%Y-%m"), alt.Tooltip("median_params:Q", format=".3~s"),
                 alt.Tooltip("p25_params:Q", format=".3~s"), alt.Tooltip("p75_params:Q", format=".3~s"),
                 alt.Tooltip("models:Q", format=","), alt.Tooltip("slm_share:Q", format=".1%", title="SLM share")],
    )  # fmt: skip
    rule = alt.Chart().mark_rule(strokeDash=[4, 4], color=charts.CLASS_RANGE[1]).encode(y=alt.datum(f.threshold))
    charts.show(alt.layer(band, line, rule).properties(height=300))
    charts.caption(
        f"Line: median total parameters of the models created each month; band: 25th–75th percentile; dashed: "
        f"the SLM cut-off ({charts.params_text(f.threshold)}). Denominator: {cover['models_in_window_sized']:,} "
        f"models with both a creation date in the window and a parameter count (of {cover['models']:,} in view)."
    )

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
        help="Default: from the earliest date that recorded at least half as many models as the latest date.",
    )  # fmt: skip
    if tuple(picked) != precomputed:  # the precomputed span is read from the rollups; any other from raw rows
        span = {"date_from": picked[0], "date_to": picked[1]}
movers = data.run("movers", f.series_params(n=15, **span))
if not charts.empty(movers, "Not enough snapshot dates in this series and window to compare (need two)."):
    first = movers.row(0, named=True)
    cols = st.columns(2)
    for col, direction, title in ((cols[0], "riser", "Risers"), (cols[1], "faller", "Fallers")):
        part = movers.filter(movers["direction"] == direction)
        with col:
            st.markdown(f"**{title}**")
            if charts.empty(part, f"No {title.lower()} between these dates."):
                continue
            chart = (
                alt.Chart(part)
                .mark_bar()
                .encode(
                    y=alt.Y(
                        "model_id:N",
                        title=None,
                        axis=alt.Axis(labelLimit=260),
                        sort=alt.SortField("change", order="descending" if direction == "riser" else "ascending"),
                    ),
                    x=alt.X("change:Q", title="Change in 30-day downloads"),
                    color=charts.class_color(),
                    tooltip=[
                        "model_id:N",
                        "cls:N",
                        alt.Tooltip("params_total:Q", format=".3~s"),
                        alt.Tooltip("downloads_from:Q", format=","),
                        alt.Tooltip("downloads_to:Q", format=","),
                        alt.Tooltip("change:Q", format="+,"),
                        alt.Tooltip("change_ratio:Q", format="+.0%"),
                    ],
                )  # fmt: skip
                .properties(height=alt.Step(28))
            )
            charts.show(chart)
    charts.caption(
        f"Change in the Hub's 30-day download count between {first['date_from']} and {first['date_to']} (series "
        f"“{f.series}”), over the {first['models_compared']:,} models in view recorded on both dates; models "
        "recorded on only one of them are not compared."
    )
