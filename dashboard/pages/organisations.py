"""Organisations & concentration: who supplies the downloads in each class, and how concentrated is it?"""

import altair as alt
import polars as pl
import streamlit as st

from dashboard import charts, data, state

f = state.current()
st.title("Organisations & concentration")

st.subheader("Top organisations by 30-day downloads, per class")
orgs = data.run("top_orgs", f.params(n=15))
if not charts.empty(orgs):
    cols = st.columns(2)
    for col, cls in zip(cols, ["SLM", "LLM"], strict=True):
        part = orgs.filter(orgs["cls"] == cls)
        with col:
            st.markdown(f"**{cls}**")
            if charts.empty(part, f"No {cls} models match the filters."):
                continue
            chart = (
                alt.Chart(part)
                .mark_bar()
                .encode(
                    y=alt.Y("author:N", sort=alt.SortField("rank"), title=None, axis=alt.Axis(labelLimit=260)),
                    x=alt.X("downloads_30d:Q", title="30-day downloads", axis=charts.COUNT_AXIS),
                    color=charts.class_color(legend=False),
                    tooltip=[
                        "author:N",
                        "cls:N",
                        "rank:Q",
                        alt.Tooltip("models:Q", format=","),
                        alt.Tooltip("downloads_30d:Q", format=","),
                        alt.Tooltip("share_of_class:Q", format=".1%", title="share of class downloads"),
                    ],
                )  # fmt: skip
                .properties(height=alt.Step(24))
            )
            charts.show(chart)
    charts.caption(
        "Denominator: the class's 30-day downloads over the models in view (sized models; latest count per "
        "model). An organisation = the namespace before '/' in the model id (a user or an org)."
    )

st.subheader("Concentration per class")
conc = data.run("concentration", f.params())
if not charts.empty(conc):
    labels = {"top10_models_share": "top 10 models", "top50_models_share": "top 50 models",
              "top200_models_share": "top 200 models", "top10_orgs_share": "top 10 organisations"}  # fmt: skip
    long = conc.unpivot(index="cls", on=list(labels), variable_name="measure", value_name="share").with_columns(
        pl.col("measure").replace(labels)
    )
    chart = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("measure:N", title=None, sort=list(labels.values())),
            yOffset=alt.YOffset("cls:N", sort=["SLM", "LLM"]),
            x=alt.X(
                "share:Q",
                title="Share of the class's 30-day downloads",
                axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1]),
            ),
            color=charts.class_color(),
            tooltip=["cls:N", "measure:N", alt.Tooltip("share:Q", format=".1%")],
        )  # fmt: skip
        .properties(height=alt.Step(18))
    )
    charts.show(chart)
    st.dataframe(
        conc.select("cls", "models", "orgs", "downloads_30d", "top10_models_share", "top200_models_share",
                    "top10_orgs_share", "hhi_models", "hhi_orgs"),
        hide_index=True,
        column_config={
            "top10_models_share": st.column_config.NumberColumn("top-10 models", format="percent"),
            "top200_models_share": st.column_config.NumberColumn("top-200 models", format="percent"),
            "top10_orgs_share": st.column_config.NumberColumn("top-10 orgs", format="percent"),
            "hhi_models": st.column_config.NumberColumn("HHI (models)", format="%.0f"),
            "hhi_orgs": st.column_config.NumberColumn("HHI (orgs)", format="%.0f"),
        },
    )  # fmt: skip
    charts.caption(
        "HHI = sum of squared percentage shares of the class's downloads (0–10,000; above 2,500 is usually called "
        "highly concentrated). Denominator: the class's 30-day downloads over the models in view; a selection of "
        "the Hub concentrates differently from the whole Hub."
    )
