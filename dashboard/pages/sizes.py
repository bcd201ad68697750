"""Sizes: how are parameter counts distributed, per task and library, for MoE models, and where do they run?"""

import streamlit as st

from dashboard import charts, data, scope, state
from dashboard import format as fmt

f = state.current()
st.title("Sizes")
scope.caveat()
kpis = charts.models_or_stop(data.one("overview_kpis", f.params()))
coverage = f"{fmt.integer(kpis['models_sized'])} of {fmt.integer(kpis['models'])} models in view have a parameter count"

st.subheader("Parameter distribution by class (log scale)")
hist = data.run("size_histogram", f.params())
if not charts.empty(hist):
    charts.show(charts.histogram(hist))
    charts.caption(f"Bins of 0.1 in log10(parameters). Coverage: {coverage}; the others are not drawn.")

tabs = st.tabs(["By task", "By library"])
for tab, name, field, title, plural in ((tabs[0], "size_by_task", "task", "Task", "tasks"),
                                        (tabs[1], "size_by_library", "library", "Library", "libraries")):  # fmt: skip
    with tab:
        frame = data.run(name, f.params(n=15))
        if not charts.empty(frame):
            charts.show(charts.quartile_ranges(frame, field, title, f.threshold))
            what = f"The {frame.height} {plural}" if frame.height < 15 else f"The 15 {plural}"
            charts.caption(
                f"Dot: median; bar: 25th–75th percentile; dashed: SLM cut-off ({fmt.params(f.threshold)}). "
                f"{what} with most sized models ({fmt.integer(frame['models'].sum())} models). Coverage: {coverage}."
            )

st.subheader("Mixture-of-experts: total vs active parameters")
moe = data.run("moe", f.params())
if not charts.empty(moe, "No mixture-of-experts models (active < total parameters) match the filters."):
    tips = {"model_id": "", "cls": "", "params_total": "params", "params_active": "params", "active_ratio": "percent",
            "downloads_30d": "count"}  # fmt: skip
    charts.show(charts.scatter_log(moe, "params_total", "params_active", size="downloads_30d", tips=tips))
    charts.caption(
        f"{fmt.integer(moe['moe_models'][0])} MoE models in view (active parameters below the total); the "
        f"{fmt.integer(moe.height)} most downloaded are drawn. Classes use TOTAL parameters (the memory needed to "
        "hold the model)."
    )

cols = st.columns(2)
with cols[0]:
    st.subheader("Where the counts come from")
    src = data.run("params_source_mix", f.params())
    if not charts.empty(src):
        tips = {"params_source": "", "cls": "", "models": "integer", "share_models": "percent",
                "downloads_30d": "count"}  # fmt: skip
        charts.show(charts.hbars(src, "params_source", "models", tips=tips, color=charts.class_color(), step=30))
        charts.caption(
            f"Denominator: {fmt.integer(src['models'].sum())} models in view. reference = exact counts read from "
            "weight files by the bundled catalog; safetensors/gguf = Hub metadata; base_model/name = inferred "
            "(less certain)."
        )
with cols[1]:
    st.subheader("Deployability")
    dev = data.run("device_classes", f.params())
    if not charts.empty(dev):
        order = ["phone", "laptop", "single-gpu", "multi-gpu", "unknown size"]
        tips = {"device_class": "", "cls": "", "models": "integer", "downloads_30d": "count", "max_gb_4bit": "number"}
        chart = charts.hbars(dev, "device_class", "models", tips=tips, color=charts.class_color(), sort=order,
                             y_title="Smallest device (4-bit weights)", step=30,
                             titles={"max_gb_4bit": "Largest weights (GB, 4-bit)"})  # fmt: skip
        charts.show(chart)
        charts.caption(
            f"Denominator: {fmt.integer(dev['models'].sum())} models in view. Weights only at 0.5 bytes/parameter "
            "(no KV cache): phone ≤ 4 GB, laptop ≤ 16 GB, single GPU ≤ 80 GB (config/hubscope.toml [devices])."
        )
