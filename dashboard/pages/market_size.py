"""Market size: how large is the SLM share of models and downloads, over time and at every possible cut-off?"""

import polars as pl
import streamlit as st

from dashboard import charts, cohort, data, scope, state
from dashboard import format as fmt

f = state.current()
st.title("Market size")
scope.caveat()
kpis = charts.models_or_stop(data.one("overview_kpis", f.params()))

c = st.columns(4)
c[0].metric("SLM share · downloads", fmt.percent(kpis["share_downloads"]))
c[1].metric("SLM share · models", fmt.percent(kpis["share_models"]))
c[2].metric("SLM downloads (30 d)", fmt.count(kpis["slm_downloads"]))
c[3].metric("LLM downloads (30 d)", fmt.count(kpis["llm_downloads"]))
charts.caption(
    f"{fmt.integer(kpis['models'])} models in view ({f.describe()}); bounds from "
    f"{fmt.integer(kpis['models_unknown'])} unknown-size "
    f"models: downloads {fmt.percent(kpis['share_downloads_low'])}–{fmt.percent(kpis['share_downloads_high'])}, "
    f"models {fmt.percent(kpis['share_models_low'])}–{fmt.percent(kpis['share_models_high'])}."
)

st.subheader(f"Share over time · series “{f.series}”")
cohort.section(f, "market_size")  # the Overview's definition: a fixed cohort by default, thin dates greyed

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
    # The marks come from the query (is_default = the boundary the DB was built with), not from Python.
    marks = pl.concat(
        [curve.filter(pl.col("is_default")).select("threshold", label=pl.lit("default (as built)")),
         curve.filter(pl.col("is_selected")).select("threshold", label=pl.lit("selected"))]
    ).unique("threshold", keep="first", maintain_order=True)  # fmt: skip
    charts.show(charts.sensitivity(long, marks))
    total = curve.row(0, named=True)
    n_models = total["slm_models"] + total["llm_models"] + total["unknown_models"]
    charts.caption(
        f"Each point: SLM share when the cut-off is that value (the slider's steps). Denominator: the "
        f"{fmt.integer(n_models)} models in view and their 30-day downloads; shaded band = bounds from the "
        f"{fmt.integer(total['unknown_models'])} "
        f"models of unknown size (all large ↔ all small). Dashed: configured default "
        f"{fmt.params(f.default_threshold)} (the boundary the DB was built with) and the selected "
        f"{fmt.params(f.threshold)}."
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
    tips = {"measure": "", "size_band": "", "value": "percent", "count": "count"}
    chart = charts.hbars(long, "measure", "value", tips=tips, color=charts.band_color(), normalize=True, sort=None,
                         order=charts.band_order_expr(), x_title="Share", step=40,
                         titles={"value": "Share", "count": "Models or downloads"})  # fmt: skip
    charts.show(chart)
    charts.caption(
        f"Denominator: the {fmt.integer(bands['models'].sum())} models in view and their "
        f"{fmt.count(bands['downloads_30d'].sum())} 30-day downloads. Bands as the DB was built (config_bands); "
        f"green bands lie below the {fmt.params(f.threshold)} cut-off, orange above; 'unknown' = no parameter count."
    )
