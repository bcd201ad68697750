"""Market size: how large is the SLM share of models and downloads, over time and at every possible cut-off?"""

import altair as alt
import polars as pl
import streamlit as st

from dashboard import charts, data, state

f = state.current()
st.title("Market size")
kpis = data.one("overview_kpis", f.params())
if not kpis or not kpis.get("models"):
    charts.empty(None)
    st.stop()

c = st.columns(4)
c[0].metric("SLM share · downloads", charts.pct(kpis["share_downloads"]))
c[1].metric("SLM share · models", charts.pct(kpis["share_models"]))
c[2].metric("SLM downloads (30 d)", charts.num(kpis["slm_downloads"]))
c[3].metric("LLM downloads (30 d)", charts.num(kpis["llm_downloads"]))
st.caption(
    f"{kpis['models']:,} models in view ({f.describe()}); bounds from {kpis['models_unknown']:,} unknown-size "
    f"models: downloads {charts.pct(kpis['share_downloads_low'])}–{charts.pct(kpis['share_downloads_high'])}, "
    f"models {charts.pct(kpis['share_models_low'])}–{charts.pct(kpis['share_models_high'])}."
)

st.subheader(f"Share over time · series “{f.series}”")
series = data.run("share_over_time", f.series_params())
if not charts.empty(series, "No snapshot dates match the current filters and series."):
    by_downloads, by_count = st.tabs(["By 30-day downloads", "By model count"])
    with by_downloads:
        charts.show(charts.share_area(series, "downloads_30d", "Share of 30-day downloads"))
    with by_count:
        charts.show(charts.share_area(series, "models", "Share of models"))
    charts.caption(
        f"Per date, the denominator is the models of series “{f.series}” recorded that date that pass the filters "
        f"({series['date_models'].min():,}–{series['date_models'].max():,} models) and their 30-day downloads; "
        f"unknown-size models: {state.UNKNOWN[f.unknown].lower()}."
    )

st.subheader("Threshold sensitivity: SLM share at every cut-off")
curve = data.run("threshold_sensitivity", f.params())
if not charts.empty(curve):
    long = pl.concat(
        [
            curve.select(
                "threshold",
                share=pl.col(f"share_{m}"),
                low=pl.col(f"share_{m}_low"),
                high=pl.col(f"share_{m}_high"),
                measure=pl.lit(label),
            )  # fmt: skip
            for m, label in (("downloads", "of 30-day downloads"), ("models", "of models"))
        ]
    )
    x = alt.X("threshold:Q", title="SLM cut-off (total parameters, log scale)", scale=alt.Scale(type="log"),
              axis=charts.PARAMS_AXIS)  # fmt: skip
    color = alt.Color("measure:N", title="SLM share", legend=alt.Legend(orient="top"),
                      scale=alt.Scale(range=[charts.CLASS_RANGE[0], "#5e3c99"]))  # fmt: skip
    tips = [alt.Tooltip("threshold:Q", format="~s", title="cut-off"), "measure:N",
            alt.Tooltip("share:Q", format=".1%"), alt.Tooltip("low:Q", format=".1%", title="bound: unknown all LLM"),
            alt.Tooltip("high:Q", format=".1%", title="bound: unknown all SLM")]  # fmt: skip
    base = alt.Chart(long).encode(x=x, color=color)
    band = base.mark_area(opacity=0.18).encode(y=alt.Y("low:Q", title="SLM share", axis=alt.Axis(format="%")),
                                               y2="high:Q")  # fmt: skip
    line = base.mark_line(point=True).encode(y="share:Q", tooltip=tips)
    marks = pl.DataFrame(
        {"threshold": [f.default_threshold, f.threshold], "label": ["default (config)", "selected"]}
    ).unique("threshold", keep="first")
    rules = alt.Chart(marks).mark_rule(strokeDash=[4, 4], color="#555").encode(x="threshold:Q", tooltip=["label:N"])
    labels = (
        alt.Chart(marks).mark_text(align="left", dx=4, dy=-120, color="#555").encode(x="threshold:Q", text="label:N")
    )
    charts.show((band + line + rules + labels).properties(height=360))
    total = curve.row(0, named=True)
    n_models = total["slm_models"] + total["llm_models"] + total["unknown_models"]
    charts.caption(
        f"Each point: SLM share when the cut-off is that value (the slider's steps). Denominator: the {n_models:,} "
        f"models in view and their 30-day downloads; shaded band = bounds from the {total['unknown_models']:,} "
        f"models of unknown size (all large ↔ all small). Dashed: configured default "
        f"{charts.params_text(f.default_threshold)} and the selected {charts.params_text(f.threshold)}."
    )

st.subheader("Models and downloads by size band")
bands = data.run("downloads_by_band", f.params())
if not charts.empty(bands):
    long = pl.concat(
        [
            bands.select("size_band", value=pl.col("share_models"), count=pl.col("models"), measure=pl.lit("models")),
            bands.select("size_band", value=pl.col("share_downloads"), count=pl.col("downloads_30d"),
                         measure=pl.lit("30-day downloads")),
        ]
    )  # fmt: skip
    chart = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("measure:N", title=None),
            x=alt.X("value:Q", stack="normalize", title="Share", axis=alt.Axis(format="%")),
            color=charts.band_color(),
            order=alt.Order("band_order:Q"),
            tooltip=[
                "measure:N",
                "size_band:N",
                alt.Tooltip("value:Q", format=".1%", title="share"),
                alt.Tooltip("count:Q", format=","),
            ],
        )  # fmt: skip
        .transform_calculate(band_order=f"indexof({charts.BAND_DOMAIN}, datum.size_band)")
        .properties(height=alt.Step(40))
    )
    charts.show(chart)
    charts.caption(
        f"Denominator: the {bands['models'].sum():,} models in view and their "
        f"{charts.num(bands['downloads_30d'].sum())} 30-day downloads. Bands from config/hubscope.toml; "
        "'unknown' = no parameter count from any source."
    )
