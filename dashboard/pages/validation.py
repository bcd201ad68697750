"""Validation: do our figures agree with published ones, and where are they simply not comparable?"""

import polars as pl
import streamlit as st

from dashboard import charts, data

st.title("Validation")
meta = data.one("meta")
v = data.one("validation")
if not v or not v.get("models"):
    charts.empty(None, "The DB holds no models yet.")
    st.stop()

selection = not meta.get("any_full_refresh")
scope_note = (
    "our DB is a SELECTION (a catalog of locally-run language/multimodal models plus two top lists), not the "
    "whole Hub: NOT comparable in level"
    if selection
    else "our DB is a full Hub refresh"
)
rows = [
    {
        "figure": "Share of downloads to models under 1B parameters",
        "published": "83% (all models, all-time downloads) — Hugging Face, Summer 2026",
        "ours": charts.pct(v["share_downloads_under_1b_all"]),
        "our denominator": f"all {v['models']:,} models, {charts.num(v['downloads_30d'])} 30-day downloads "
        "(unknown size counted as not < 1B)",
        "comparable?": f"No: 30-day vs all-time downloads; {scope_note}.",
    },
    {
        "figure": "Share of size-known downloads to models under 1B",
        "published": "92.5% of downloads of models with a known size — HF blog, 2025-10-13",
        "ours": charts.pct(v["share_downloads_under_1b_sized"]),
        "our denominator": f"{v['models_sized']:,} models with a count, {charts.num(v['downloads_30d_sized'])} "
        "30-day downloads",
        "comparable?": f"Closest in definition (size-known denominator) but {scope_note}.",
    },
    {
        "figure": "Share of models with a safetensors parameter count",
        "published": "23.4% of 2.16M models — 2025-10",
        "ours": charts.pct(v["share_models_with_safetensors"]),
        "our denominator": f"{v['models_with_safetensors']:,} of {v['models']:,} models; any-source count: "
        f"{charts.pct(v['share_models_sized'])}",
        "comparable?": "Only for a full Hub refresh with safetensors fetched; the bundled snapshot has no "
        "safetensors field (its counts come from weight files, source 'reference')."
        if selection else "Yes if the refresh fetched safetensors for every model.",
    },
    {
        "figure": "Share of downloads to the top 200 models",
        "published": "49.6% — Hugging Face, Spring 2026",
        "ours": charts.pct(v["share_downloads_top200"]),
        "our denominator": f"top 200 of {v['models']:,} models by 30-day downloads "
        f"({charts.num(v['downloads_30d_top200'])} of {charts.num(v['downloads_30d'])})",
        "comparable?": f"No: {scope_note} (a selection of popular models has a much shorter tail)."
        if selection else "Roughly: 30-day rather than all-time downloads.",
    },
]  # fmt: skip
st.table(pl.DataFrame(rows))  # a static table: long text wraps
charts.caption(
    "Computed over every model in the DB (sidebar filters do not apply here), downloads = the Hub's rolling "
    "30-day count as last seen. Published figures cover the whole Hub and mostly all-time downloads."
)
if selection:
    st.warning(
        "This DB comes from the bundled snapshot, a selection of the Hub. The published figures describe the whole "
        "Hub; differences here say more about the selection than about the Hub.",
        icon=":material/warning:",
    )
