"""Lineage: which families spawn the most derivatives and downloads, and how many SLMs come from LLM bases?"""

import altair as alt
import streamlit as st

from dashboard import charts, data, state

f = state.current()
st.title("Lineage")
cover = data.one("lineage_coverage", f.params())
coverage = (
    f"{cover.get('models_with_parent', 0):,} of {cover.get('models', 0):,} models in view have a recorded parent "
    f"({cover.get('links_total', 0):,} links in the DB, from: {cover.get('link_sources') or 'none'})"
)

st.subheader("Families")
families = data.run("families", f.params(n=20))
if not charts.empty(families, "No model families (a root with derivatives) match the filters."):
    tabs = st.tabs(["By derivatives", "By rolled-up downloads"])
    for tab, field, rank, title in (
        (tabs[0], "derivatives", "rank_derivatives", "Derived models in view"),
        (tabs[1], "family_downloads_30d", "rank_downloads", "30-day downloads, root + derivatives"),
    ):
        part = families.filter(families[rank] <= 20)
        with tab:
            chart = (
                alt.Chart(part)
                .mark_bar()
                .encode(
                    y=alt.Y(
                        "family_root:N", sort=alt.SortField(rank), title="Family root", axis=alt.Axis(labelLimit=300)
                    ),
                    x=alt.X(f"{field}:Q", title=title, axis=charts.COUNT_AXIS),
                    color=charts.class_color("root_cls", "Root class"),
                    tooltip=[
                        "family_root:N",
                        "root_cls:N",
                        alt.Tooltip("root_params:Q", format=".3~s"),
                        alt.Tooltip("derivatives:Q", format=","),
                        alt.Tooltip("family_downloads_30d:Q", format=","),
                        alt.Tooltip("root_downloads_30d:Q", format=","),
                    ],
                )  # fmt: skip
                .properties(height=alt.Step(22))
            )
            charts.show(chart)
    charts.caption(
        f"A family = every model whose top ancestor (family_root, through parent links) is the root; "
        f"{families['families'][0]:,} families with derivatives in view. Coverage: {coverage}."
    )

cols = st.columns(2)
with cols[0]:
    st.subheader("How derivatives relate to their base")
    mix = data.run("relation_mix", f.params())
    if not charts.empty(mix, "No parent links for the models in view."):
        chart = (
            alt.Chart(mix)
            .mark_bar()
            .encode(
                y=alt.Y("relation:N", title="Relation", sort="-x"),
                x=alt.X("models:Q", title="Derived models"),
                color=charts.class_color(),
                tooltip=[
                    "relation:N",
                    "cls:N",
                    alt.Tooltip("models:Q", format=","),
                    alt.Tooltip("links:Q", format=","),
                ],
            )  # fmt: skip
            .properties(height=alt.Step(30))
        )
        charts.show(chart)
        charts.caption(f"Denominator: derived models in view with a recorded relation. Coverage: {coverage}.")
with cols[1]:
    st.subheader("Class of the derived model vs its base")
    pairs = data.run("class_of_parents", f.params())
    if not charts.empty(pairs, "No parent links for the models in view."):
        chart = (
            alt.Chart(pairs)
            .mark_bar()
            .encode(
                y=alt.Y("child_cls:N", title="Derived model", sort=["SLM", "LLM", "unknown"]),
                x=alt.X("models:Q", title="Derived models"),
                color=alt.Color(
                    "parent_cls:N",
                    title="Base model",
                    scale=alt.Scale(
                        domain=[*charts.CLASS_DOMAIN, "parent not tracked"], range=[*charts.CLASS_RANGE, "#e0e0e0"]
                    ),
                    legend=alt.Legend(orient="top"),
                ),
                tooltip=[
                    "child_cls:N",
                    "parent_cls:N",
                    alt.Tooltip("models:Q", format=","),
                    alt.Tooltip("links:Q", format=","),
                ],
            )  # fmt: skip
            .properties(height=alt.Step(30))
        )
        charts.show(chart)
        slm_from_llm = pairs.filter((pairs["child_cls"] == "SLM") & (pairs["parent_cls"] == "LLM"))["models"].sum()
        charts.caption(
            f"{slm_from_llm:,} SLMs in view derive from an LLM base (e.g. distillations or pruned copies; a quantized "
            "copy keeps its base's parameter count). 'parent not tracked' = the base is not in the DB."
        )
