"""Sizes: how are parameter counts distributed, per task and library, for MoE models, and where do they run?"""

import altair as alt
import streamlit as st

from dashboard import charts, data, state

f = state.current()
st.title("Sizes")
kpis = data.one("overview_kpis", f.params())
if not kpis or not kpis.get("models"):
    charts.empty(None)
    st.stop()
coverage = f"{kpis['models_sized']:,} of {kpis['models']:,} models in view have a parameter count"

st.subheader("Parameter distribution by class (log scale)")
hist = data.run("size_histogram", f.params())
if not charts.empty(hist):
    chart = (
        alt.Chart(hist)
        .mark_bar(binSpacing=0)
        .encode(
            x=alt.X(
                "log10_lo:Q",
                bin=alt.Bin(binned=True, step=0.1),
                title="Total parameters (log scale)",
                axis=charts.LOG10_AXIS,
            ),
            x2="log10_hi:Q",
            y=alt.Y("models:Q", title="Models", stack=True),
            color=charts.class_color(),
            tooltip=[
                alt.Tooltip("params_lo:Q", format=".3~s", title="from"),
                alt.Tooltip("params_hi:Q", format=".3~s", title="to"),
                "cls:N",
                alt.Tooltip("models:Q", format=","),
                alt.Tooltip("downloads_30d:Q", format=","),
            ],
        )  # fmt: skip
        .properties(height=300)
    )
    charts.show(chart)
    charts.caption(f"Bins of 0.1 in log10(parameters). Coverage: {coverage}; the others are not drawn.")


def quartile_chart(frame, field: str, title: str) -> alt.LayerChart:
    y = alt.Y(f"{field}:N", title=title, sort=alt.SortField("models", order="descending"))
    x = alt.X("p25_params:Q", title="Total parameters (log scale)", scale=alt.Scale(type="log"),
              axis=charts.PARAMS_AXIS)  # fmt: skip
    tips = [f"{field}:N", alt.Tooltip("models:Q", format=","), alt.Tooltip("median_params:Q", format=".3~s"),
            alt.Tooltip("p25_params:Q", format=".3~s"), alt.Tooltip("p75_params:Q", format=".3~s"),
            alt.Tooltip("slm_share:Q", format=".1%", title="SLM share")]  # fmt: skip
    base = alt.Chart(frame).encode(y=y)
    rule = base.mark_rule(strokeWidth=3, color="#999").encode(x=x, x2="p75_params:Q", tooltip=tips)
    point = base.mark_point(filled=True, size=90, color="#333").encode(x="median_params:Q", tooltip=tips)
    cut = alt.Chart().mark_rule(strokeDash=[4, 4], color=charts.CLASS_RANGE[1]).encode(x=alt.datum(f.threshold))
    return alt.layer(rule, point, cut).properties(height=alt.Step(26))


tabs = st.tabs(["By task", "By library"])
for tab, name, field, title in ((tabs[0], "size_by_task", "task", "Task"),
                                (tabs[1], "size_by_library", "library", "Library")):  # fmt: skip
    with tab:
        frame = data.run(name, f.params(n=15))
        if not charts.empty(frame):
            charts.show(quartile_chart(frame, field, title))
            charts.caption(
                f"Dot: median; bar: 25th–75th percentile; dashed: SLM cut-off. The 15 {title.lower()}s with most "
                f"sized models ({frame['models'].sum():,} models). Coverage: {coverage}."
            )

st.subheader("Mixture-of-experts: total vs active parameters")
moe = data.run("moe", f.params())
if not charts.empty(moe, "No mixture-of-experts models (active < total parameters) match the filters."):
    log = alt.Scale(type="log")
    chart = (
        alt.Chart(moe)
        .mark_circle(opacity=0.7)
        .encode(
            x=alt.X("params_total:Q", title="Total parameters (memory)", scale=log, axis=charts.PARAMS_AXIS),
            y=alt.Y(
                "params_active:Q", title="Active parameters per token (compute)", scale=log, axis=charts.PARAMS_AXIS
            ),
            size=alt.Size("downloads_30d:Q", title="30-day downloads", legend=None),
            color=charts.class_color(),
            tooltip=[
                "model_id:N",
                "cls:N",
                alt.Tooltip("params_total:Q", format=".3~s"),
                alt.Tooltip("params_active:Q", format=".3~s"),
                alt.Tooltip("active_ratio:Q", format=".1%"),
                alt.Tooltip("downloads_30d:Q", format=","),
            ],
        )  # fmt: skip
        .properties(height=340)
    )
    charts.show(chart)
    charts.caption(
        f"{moe['moe_models'][0]:,} MoE models in view (active parameters below the total); the {moe.height:,} most "
        "downloaded are drawn. Classes use TOTAL parameters (the memory needed to hold the model)."
    )

cols = st.columns(2)
with cols[0]:
    st.subheader("Where the counts come from")
    src = data.run("params_source_mix", f.params())
    if not charts.empty(src):
        chart = (
            alt.Chart(src)
            .mark_bar()
            .encode(
                y=alt.Y("params_source:N", title="Source", sort="-x"),
                x=alt.X("models:Q", title="Models"),
                color=charts.class_color(),
                tooltip=[
                    "params_source:N",
                    "cls:N",
                    alt.Tooltip("models:Q", format=","),
                    alt.Tooltip("share_models:Q", format=".1%"),
                    alt.Tooltip("downloads_30d:Q", format=","),
                ],
            )  # fmt: skip
            .properties(height=alt.Step(30))
        )
        charts.show(chart)
        charts.caption(
            f"Denominator: {src['models'].sum():,} models in view. reference = exact counts read from weight files "
            "by the bundled catalog; safetensors/gguf = Hub metadata; base_model/name = inferred (less certain)."
        )
with cols[1]:
    st.subheader("Deployability")
    dev = data.run("device_classes", f.params())
    if not charts.empty(dev):
        order = ["phone", "laptop", "single-gpu", "multi-gpu", "unknown size"]
        chart = (
            alt.Chart(dev)
            .mark_bar()
            .encode(
                y=alt.Y("device_class:N", title="Smallest device (4-bit weights)", sort=order),
                x=alt.X("models:Q", title="Models"),
                color=charts.class_color(),
                tooltip=[
                    "device_class:N",
                    "cls:N",
                    alt.Tooltip("models:Q", format=","),
                    alt.Tooltip("downloads_30d:Q", format=","),
                    alt.Tooltip("max_gb_4bit:Q", format=".1f"),
                ],
            )  # fmt: skip
            .properties(height=alt.Step(30))
        )
        charts.show(chart)
        charts.caption(
            f"Denominator: {dev['models'].sum():,} models in view. Weights only at 0.5 bytes/parameter (no KV "
            "cache): phone ≤ 4 GB, laptop ≤ 16 GB, single GPU ≤ 80 GB (config/hubscope.toml [devices])."
        )
