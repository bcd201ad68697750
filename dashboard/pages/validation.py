"""Validation: the published figures (data/published_figures.csv) beside ours, each with its denominator.

Ours are computed at refresh time (sql/rollups.sql: rollup_validation) on the whole-Hub snapshot nearest to each
figure's date (a full crawl or a hub-stats dump); without one, over every model in the DB, and the page says the DB
is not the Hub.
"""

import polars as pl
import streamlit as st

from dashboard import charts, data, format

st.title("Validation")
meta = data.one("meta")
if not meta.get("models"):
    charts.empty(None, "The DB holds no models yet.")
    st.stop()
figures = data.run("validation")


def _value(unit: str, value: float | None) -> str:
    return format.percent(value) if unit == "share" else format.count(value, digits=2)


rows = [
    {
        "Figure": r["figure"],
        "Published": f"{_value(r['unit'], r['published_value'])} of {r['published_denominator']}",
        "Source": r["source"],
        "Ours": _value(r["unit"], r["our_value"]),
        "Our denominator": r["our_denominator"]
        + ("" if r["downloads_used"] == "-" else f", {r['downloads_used']} downloads"),
        "Basis": r["basis"],
    }
    for r in figures.iter_rows(named=True)
]
comparable = bool(figures.height) and all(figures["comparable"].to_list())
if not comparable:
    st.warning(
        "The DB holds no whole-Hub snapshot (a full crawl or a hub-stats dump): the figures below are computed over "
        "the models it has, which are a selection, NOT the whole Hub — the bundled sample included. Differences "
        "say more about the selection than about the Hub. `python -m pipeline refresh --from-hub-stats` loads the "
        "whole Hub in minutes.",
        icon=":material/warning:",
    )
st.table(pl.DataFrame(rows))  # a static table: long text wraps
charts.caption(
    "Published figures: data/published_figures.csv (their sources and data dates). Ours use all-time downloads "
    "where the basis has them, else the Hub's rolling 30-day count; sizes, safetensors and baseModels presence are "
    "the models' current values. Sidebar filters do not apply here."
)
