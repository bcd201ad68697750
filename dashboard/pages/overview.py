"""Overview: how big is the SLM market next to the LLM market, right now and over the snapshot dates?"""

import polars as pl
import streamlit as st

from dashboard import charts, data, state

f = state.current()
meta = data.one("meta")
kpis = data.one("overview_kpis", f.params())

st.title("SLM vs LLM on the Hugging Face Hub")
selection = not meta.get("any_full_refresh")
source = meta.get("last_ok_source") or "no successful refresh yet"
if selection:
    st.warning(
        f"**What this data covers:** {meta.get('models', 0):,} models from `{source}`. This is a **selection** "
        "of the Hub (a catalog of language and multimodal models people run locally, plus the models of two "
        'daily top lists), **not the whole Hub** (~3 million models). Read every figure as "within this '
        'selection".',
        icon=":material/info:",
    )
else:
    st.info(f"**What this data covers:** {meta.get('models', 0):,} models; last full refresh from `{source}`.")

if not kpis or not kpis.get("models"):
    charts.empty(None)
    st.stop()

c = st.columns(4)
c[0].metric("Models tracked", f"{meta['models']:,}", help="Every model in the DB, before any filter.")
c[1].metric("Language models", f"{meta['language_models']:,}", help="Pipeline tag in the language-model scope.")
c[2].metric("Models in view", f"{kpis['models']:,}", help=f"After the sidebar filters: {f.describe()}.")
c[3].metric(
    "Last refresh", data.age_text(meta.get("last_ok_refresh")),
    help=f"Last successful refresh finished {meta.get('last_ok_refresh')} UTC.",
)  # fmt: skip
c = st.columns(4)
c[0].metric(
    "SLM share · models", charts.pct(kpis["share_models"]),
    help=f"SLM models / (SLM + LLM) with unknown sizes: {state.UNKNOWN[f.unknown].lower()}. Bounds from the "
    f"{kpis['models_unknown']:,} unknown-size models: {charts.pct(kpis['share_models_low'])} (all large) to "
    f"{charts.pct(kpis['share_models_high'])} (all small).",
)  # fmt: skip
c[1].metric(
    "SLM share · 30-day downloads", charts.pct(kpis["share_downloads"]),
    help=f"Downloads of SLMs / downloads of SLMs + LLMs (latest 30-day count seen per model). Bounds: "
    f"{charts.pct(kpis['share_downloads_low'])} – {charts.pct(kpis['share_downloads_high'])}.",
)  # fmt: skip
c[2].metric("SLMs · LLMs in view", f"{kpis['slm_models']:,} · {kpis['llm_models']:,}")
c[3].metric(
    "Data as of", str(meta.get("latest_snapshot_date") or "–"),
    help=f"The latest snapshot date ({data.age_text(meta.get('latest_snapshot_date'))}).",
)  # fmt: skip
st.caption(
    f"Bounds from the {kpis['models_unknown']:,} models of unknown size "
    f"({charts.num(kpis['downloads_unknown'])} downloads): SLM share of models "
    f"{charts.pct(kpis['share_models_low'])}–{charts.pct(kpis['share_models_high'])}, of downloads "
    f"{charts.pct(kpis['share_downloads_low'])}–{charts.pct(kpis['share_downloads_high'])}. "
    f"SLM = total parameters < {charts.params_text(f.threshold)}. Data as of the latest snapshot date "
    f"{meta.get('latest_snapshot_date')} ({data.age_text(meta.get('latest_snapshot_date'))}); last refresh "
    f"{meta.get('last_ok_refresh')} UTC. Downloads = the Hub's rolling 30-day count, not all-time."
)

st.subheader(f"SLM vs LLM share of 30-day downloads, series “{f.series}”")
series = data.run("share_over_time", f.series_params())
if not charts.empty(series, "No snapshot dates match the current filters and series."):
    charts.show(charts.share_area(series, "downloads_30d", "Share of 30-day downloads"))
    per_date = series.group_by("snapshot_date").agg(
        pl.col("date_models").first(), unknown=pl.col("unknown_models").first()
    )
    charts.caption(
        f"Each date's denominator: the models of series “{f.series}” recorded that date and in the filters "
        f"({per_date['date_models'].min():,}–{per_date['date_models'].max():,} models per date, "
        f"{per_date.height} dates), classed by today's parameter counts; unknown-size models "
        f"{'excluded' if f.unknown == 'exclude' else 'counted as ' + ('SLM' if f.unknown == 'small' else 'LLM')} "
        f"(up to {per_date['unknown'].max():,} a date). Series are never mixed: pick another in the sidebar."
    )
    latest = series.filter(series["snapshot_date"] == series["snapshot_date"].max())
    st.dataframe(
        latest.select("snapshot_date", "cls", "models", "downloads_30d", "share_downloads", "share_models"),
        hide_index=True,
        column_config={
            "snapshot_date": st.column_config.DateColumn("snapshot date"),
            "share_downloads": st.column_config.NumberColumn("share of downloads", format="percent"),
            "share_models": st.column_config.NumberColumn("share of models", format="percent"),
        },
    )
