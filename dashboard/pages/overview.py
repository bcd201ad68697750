"""Overview: how big is the SLM market next to the LLM market, right now and over the snapshot dates? The answer
comes first, as a sentence (dashboard/headline.py), then the two share tiles, then the details."""

import polars as pl
import streamlit as st

from dashboard import charts, cohort, data, headline, scope, state
from dashboard import format as fmt

f = state.current()
meta = data.one("meta")

st.title("SLM vs LLM on the Hugging Face Hub")
kpis = charts.models_or_stop(data.one("overview_kpis", f.params()))

text, facts, trend = headline.sentence(f)
unknown = state.UNKNOWN[f.unknown].lower()
with st.container(key="headline"):
    st.markdown(text)  # numbers, dates and the series name only: no markup
    c = st.columns(2)
    c[0].metric(
        "SLM share · models", fmt.percent(kpis["share_models"]),
        help=f"SLM models / (SLM + LLM), unknown sizes: {unknown}. Range from the "
        f"{fmt.integer(kpis['models_unknown'])} unknown-size models: "
        f"{fmt.percent(kpis['share_models_low'])} (all large) to "
        f"{fmt.percent(kpis['share_models_high'])} (all small).",
    )  # fmt: skip
    c[1].metric(
        "SLM share · 30-day downloads", fmt.percent(kpis["share_downloads"]),
        help=f"Downloads of SLMs / downloads of SLMs + LLMs (each model's latest 30-day count). Range: "
        f"{fmt.percent(kpis['share_downloads_low'])} – {fmt.percent(kpis['share_downloads_high'])}.",
    )  # fmt: skip
    with st.expander("Copy this answer with its link", icon=":material/content_copy:"):
        st.code(f"{text}\n{headline.page_link()}", language=None, wrap_lines=True)

scope.banner()

c = st.columns(4)
c[0].metric("Models tracked", f"{meta['models']:,}", help="Every model in the DB, before any filter.")
c[1].metric("Language models", f"{meta['language_models']:,}", help="Pipeline tag in the language-model scope.")
c[2].metric("Models in view", f"{kpis['models']:,}", help=f"After the sidebar filters: {f.describe()}.")
c[3].metric("SLMs · LLMs in view", f"{fmt.integer(kpis['slm_models'])} · {fmt.integer(kpis['llm_models'])}")
c = st.columns(2)
c[0].metric(
    "Data as of", fmt.date(meta.get("latest_snapshot_date")),
    help=f"The latest snapshot date: {data.age_text(meta.get('latest_snapshot_date'))}.",
)  # fmt: skip
c[1].metric(
    "Database rebuilt", data.age_text(meta.get("last_ok_refresh")),
    help=f"When this DB file was last rebuilt ({fmt.timestamp(meta.get('last_ok_refresh'))}); it says nothing about "
    "how recent the data is: see “Data as of”.",
)  # fmt: skip

st.subheader(f"SLM share over time, series “{f.series}”")
drawn = cohort.section(f, "overview")
if drawn is not None and drawn[0].height:
    series, measure = drawn
    last = series.filter(pl.col("snapshot_date") == series["snapshot_date"].max())
    sized_kpi = int(kpis["slm_models"]) + int(kpis["llm_models"])
    slm_last = last.filter(pl.col("cls") == "SLM")["share_downloads"].sum()
    charts.caption(
        f"Why the tiles and the chart's last date differ: the tiles count every model in view at its latest 30-day "
        f"count ({fmt.integer(sized_kpi)} models with a class); the chart's last date "
        f"({fmt.date(last['snapshot_date'][0])}) counts only the "
        f"{fmt.integer(last['date_models'][0] - last['unknown_models'][0])} models with a class that this population "
        f"holds on that date, so its SLM share is {fmt.percent(slm_last)} of {measure.title}."
    )
    kinds = {"snapshot_date": "date", "models": "integer", measure.column: "count", "share_downloads": "percent",
             "share_models": "percent"}  # fmt: skip
    st.dataframe(fmt.table(last.select("snapshot_date", "cls", *list(kinds)[1:]), kinds), hide_index=True)
