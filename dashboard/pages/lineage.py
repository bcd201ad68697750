"""Lineage: which families spawn the most derivatives and downloads, and how many SLMs come from LLM bases?"""

import streamlit as st

from dashboard import charts, data, scope, state
from dashboard import format as fmt

MIN_COVERAGE = 0.2  # below this share of models with a recorded parent, family charts would mislead
f = state.current()
st.title("Lineage")
scope.caveat()
cover = data.one("lineage_coverage", f.params())
models, linked = cover.get("models", 0) or 0, cover.get("models_with_parent", 0) or 0
share = linked / models if models else 0.0
coverage = (
    f"{fmt.integer(linked)} of {fmt.integer(models)} models in view ({fmt.percent(share)}) have a recorded parent "
    f"({fmt.integer(cover.get('links_total', 0))} links in the DB, from: {cover.get('link_sources') or 'none'})"
)
if not models:
    charts.empty(None)
    st.stop()
st.markdown(f"**Coverage:** {charts.escape_markdown(coverage)}.")
complete = share >= MIN_COVERAGE
if not complete:
    st.warning(
        f"Lineage is recorded for only {fmt.percent(share)} of the models in view (below {fmt.percent(MIN_COVERAGE, 0)}"
        "), so families and base-model classes would be drawn as if complete when they are not. The charts are "
        "hidden; turn them on to see what is recorded.",
        icon="⚠️",
    )
if not (complete or st.toggle("Show the lineage charts anyway", key="lineage_show")):
    st.stop()

st.subheader("Families")
families = data.run("families", f.params(n=20))
if not charts.empty(families, "No model families (a root with derivatives) match the filters."):
    tabs = st.tabs(["By derivatives", "By rolled-up downloads"])
    tips = {"family_root": "", "root_cls": "", "root_params": "params", "derivatives": "integer",
            "family_downloads_30d": "count", "root_downloads_30d": "count"}  # fmt: skip
    for tab, field, rank, title in (
        (tabs[0], "derivatives", "rank_derivatives", "Derived models in view"),
        (tabs[1], "family_downloads_30d", "rank_downloads", "30-day downloads, root + derivatives"),
    ):
        with tab:
            part = families.filter(families[rank] <= 20)
            color = charts.class_color("root_cls", "Root class")
            chart = charts.hbars(part, "family_root", field, tips=tips, color=color, sort=charts.by_field(rank),
                                 y_title="Family root", x_title=title, step=22)  # fmt: skip
            charts.show(chart)
    charts.caption(
        f"A family = every model whose top ancestor (family root, through parent links) is the root; "
        f"{fmt.integer(families['families'][0])} families with derivatives in view. Coverage: {coverage}."
    )

cols = st.columns(2)
with cols[0]:
    st.subheader("How derivatives relate to their base")
    mix = data.run("relation_mix", f.params())
    if not charts.empty(mix, "No parent links for the models in view."):
        tips = {"relation": "", "cls": "", "models": "integer", "links": "integer"}
        charts.show(charts.hbars(mix, "relation", "models", tips=tips, color=charts.class_color(),
                                 x_title="Derived models", step=30))  # fmt: skip
        charts.caption(f"Denominator: derived models in view with a recorded relation. Coverage: {coverage}.")
with cols[1]:
    st.subheader("Class of the derived model vs its base")
    pairs = data.run("class_of_parents", f.params())
    if not charts.empty(pairs, "No parent links for the models in view."):
        color = charts.category_color("parent_cls", "Base model", [*charts.CLASS_DOMAIN, "parent not tracked"],
                                      [*charts.CLASS_RANGE, "#e0e0e0"])  # fmt: skip
        tips = {"child_cls": "", "parent_cls": "", "models": "integer", "links": "integer"}
        charts.show(charts.hbars(pairs, "child_cls", "models", tips=tips, color=color, sort=charts.CLASS_DOMAIN,
                                 y_title="Derived model", x_title="Derived models", step=30))  # fmt: skip
        slm_from_llm = pairs.filter((pairs["child_cls"] == "SLM") & (pairs["parent_cls"] == "LLM"))["models"].sum()
        charts.caption(
            f"{fmt.integer(slm_from_llm)} SLMs in view have an LLM base recorded. Check them before reading them as "
            "distillations: a quantized or GGUF copy keeps its base's size, so an SLM under an LLM base is often a "
            "parameter-count error in the copy. 'parent not tracked' = the base is not in the DB. "
            f"Coverage: {coverage}."
        )
