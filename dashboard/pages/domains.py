"""Domain focus: are small models the specialists? Tasks, languages and domain tags by class."""

import streamlit as st

from dashboard import charts, data, scope, state
from dashboard import format as fmt

MIN_TAG_MODELS = 5  # a tag on fewer models in view is noise, not a domain
f = state.current()
st.title("Domain focus")
scope.caveat()
cover = data.one("tag_coverage", f.params())
in_view = fmt.integer(cover.get("models", 0))

st.subheader("Tasks by class")
tasks = data.run("tasks_by_class", f.params(n=20))
if not charts.empty(tasks):
    counts, within = st.tabs(["Models", "Share of each class's models"])
    with counts:
        charts.show(charts.class_bars(tasks, "task", "Task", "share_of_class_models", "Share of the class's models"))
    with within:
        tips = {"task": "", "cls": "", "models": "integer", "share_of_class_models": "percent"}
        by_models = charts.by_total("models")
        chart = charts.hbars(tasks, "task", "share_of_class_models", tips=tips, color=charts.class_color(),
                             sort=by_models, offset="cls", y_title="Task", step=12)  # fmt: skip
        charts.show(chart)
    n_tasks = tasks["task"].n_unique()
    charts.caption(
        f"The {n_tasks} task{'s' if n_tasks != 1 else ''} with most models in view"
        + (" (at most 20)" if n_tasks >= 20 else "")
        + f". Coverage: {fmt.integer(cover.get('models_with_task', 0))} of {in_view} sized models in view have a "
        "task (pipeline tag); '(no task)' = none recorded."
    )

st.subheader("Languages by class")
langs = data.run("languages_by_class", f.params(n=25))
if not charts.empty(
    langs,
    f"No language tags in the data ({fmt.integer(cover.get('models_with_language', 0))} of {in_view} models in view "
    "carry one).",
):
    charts.show(charts.class_bars(langs, "language", "Language", "share_of_language", "Class share of language"))
    charts.caption(
        f"Languages from the Hub's language tags (ISO 639-1 codes and 'multilingual'). Coverage: "
        f"{fmt.integer(cover['models_with_language'])} of {in_view} sized models in view have one."
    )

st.subheader("Domain tags by class")
tags = data.run("domain_tags_by_class", f.params(n=25, min_models=MIN_TAG_MODELS))
if not charts.empty(
    tags,
    f"No domain tag is carried by {MIN_TAG_MODELS} or more models in view "
    f"({fmt.integer(cover.get('models_with_tags', 0))} of {in_view} models have any tags).",
):
    charts.show(charts.class_bars(tags, "tag", "Tag", "share_of_tag", "Class share of tag"))
    n_tags = tags["tag"].n_unique()
    charts.caption(
        f"The {n_tags} most common word-like tags carried by at least {MIN_TAG_MODELS} models in view (letters and "
        "hyphens, 3+ characters: codes such as 'tf', 'oq' or 'sm-100' are left out), excluding prefixed tags "
        f"(license:, base_model:, region:…) and language codes. Coverage: {fmt.integer(cover['models_with_tags'])} "
        f"of {in_view} sized models in view have tags."
    )
