"""Organisations & concentration: who supplies the downloads in each class, and how concentrated is it?"""

import polars as pl
import streamlit as st

from dashboard import charts, data, scope, state
from dashboard import format as fmt

TOP = 15
f = state.current()
st.title("Organisations & concentration")
scope.caveat()

st.subheader(f"Top {TOP} organisations by 30-day downloads, per class")
orgs = data.run("top_orgs", f.params(n=TOP))
if not charts.empty(orgs):
    # Both panels on one x-scale, so a bar half as long is half the downloads in either class.
    shared = [0, int(orgs["downloads_30d"].max())]
    tips = {"author": "", "cls": "", "rank": "integer", "models": "integer", "downloads_30d": "count",
            "share_of_class": "percent"}  # fmt: skip
    cols = st.columns(2)
    for col, cls in zip(cols, ["SLM", "LLM"], strict=True):
        part = orgs.filter(orgs["cls"] == cls)
        with col:
            st.markdown(f"**{cls}**")
            if charts.empty(part, f"No {cls} models match the filters."):
                continue
            chart = charts.hbars(part, "author", "downloads_30d", tips=tips, color=charts.class_color(legend=False),
                                 sort=charts.by_field("rank"), x_domain=shared)  # fmt: skip
            charts.show(chart)
    charts.caption(
        "Both panels share one scale. Denominator: the class's 30-day downloads over the models in view (sized "
        "models; latest count per model; test/CI repos left out). An organisation = the namespace before '/' in "
        "the model id (a user or an org)."
    )

st.subheader("Concentration per class")
conc = data.run("concentration", f.params())
if not charts.empty(conc):
    names = {"top10_models_share": "top 10 models", "top50_models_share": "top 50 models",
             "top200_models_share": "top 200 models", "top10_orgs_share": "top 10 organisations"}  # fmt: skip
    long = conc.unpivot(index="cls", on=list(names), variable_name="measure", value_name="share").with_columns(
        pl.col("measure").replace(names)
    )
    chart = charts.hbars(long, "measure", "share", tips={"cls": "", "measure": "", "share": "percent"},
                         color=charts.class_color(), sort=list(names.values()), offset="cls", x_domain=[0, 1],
                         x_title="Share of the class's 30-day downloads", step=18)  # fmt: skip
    charts.show(chart)
    table = conc.select("cls", "models", "orgs", "downloads_30d", "top10_models_share", "top200_models_share",
                        "top10_orgs_share", "hhi_models", "hhi_orgs")  # fmt: skip
    kinds = {"models": "integer", "orgs": "integer", "downloads_30d": "count", "top10_models_share": "percent",
             "top200_models_share": "percent", "top10_orgs_share": "percent", "hhi_models": "integer",
             "hhi_orgs": "integer"}  # fmt: skip
    st.dataframe(fmt.table(table, kinds), hide_index=True, width="stretch")
    charts.caption(
        "HHI = sum of squared percentage shares of the class's downloads (0–10,000; above 2,500 is usually called "
        "highly concentrated). Denominator: the class's 30-day downloads over the models in view; a selection of "
        "the Hub concentrates differently from the whole Hub."
    )
