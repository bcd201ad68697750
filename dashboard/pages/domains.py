"""Domain focus: are small models the specialists? Tasks, languages and domain tags by class."""

import altair as alt
import streamlit as st

from dashboard import charts, data, state

f = state.current()
st.title("Domain focus")
cover = data.one("tag_coverage", f.params())


st.subheader("Tasks by class")
tasks = data.run("tasks_by_class", f.params(n=20))
if not charts.empty(tasks):
    counts, within = st.tabs(["Models", "Share of each class's models"])
    with counts:
        charts.show(charts.class_bars(tasks, "task", "Task", "share_of_class_models", "share of the class's models"))
    with within:
        chart = (
            alt.Chart(tasks)
            .mark_bar()
            .encode(
                y=alt.Y("task:N", title="Task", sort=alt.EncodingSortField("models", op="sum", order="descending")),
                yOffset=alt.YOffset("cls:N", sort=["SLM", "LLM"]),
                x=alt.X("share_of_class_models:Q", title="Share of the class's models", axis=alt.Axis(format="%")),
                color=charts.class_color(),
                tooltip=[
                    "task:N",
                    "cls:N",
                    alt.Tooltip("models:Q", format=","),
                    alt.Tooltip("share_of_class_models:Q", format=".1%", title="share of the class's models"),
                ],
            )  # fmt: skip
            .properties(height=alt.Step(12))
        )
        charts.show(chart)
    charts.caption(
        f"The 20 tasks with most models in view. Coverage: {cover.get('models_with_task', 0):,} of "
        f"{cover.get('models', 0):,} sized models in view have a task (pipeline tag); '(no task)' = none recorded."
    )

st.subheader("Languages by class")
langs = data.run("languages_by_class", f.params(n=25))
if not charts.empty(
    langs,
    f"No language tags in the data ({cover.get('models_with_language', 0):,} of {cover.get('models', 0):,} models "
    "in view carry one).",
):
    charts.show(charts.class_bars(langs, "language", "Language", "share_of_language", "class share of language"))
    charts.caption(
        f"Languages from the Hub's language tags (ISO 639-1 codes and 'multilingual'). Coverage: "
        f"{cover['models_with_language']:,} of {cover['models']:,} sized models in view have one."
    )

st.subheader("Domain tags by class")
tags = data.run("domain_tags_by_class", f.params(n=25))
if not charts.empty(
    tags,
    f"No free-form tags in the data ({cover.get('models_with_tags', 0):,} of {cover.get('models', 0):,} models in "
    "view have any tags; the bundled snapshot has only language tags).",
):
    charts.show(charts.class_bars(tags, "tag", "Tag", "share_of_tag", "class share of tag"))
    charts.caption(
        f"The 25 most common tags, excluding prefixed tags (license:, base_model:, region:…) and language codes. "
        f"Coverage: {cover['models_with_tags']:,} of {cover['models']:,} sized models in view have tags."
    )
