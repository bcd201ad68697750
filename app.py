"""HubScope dashboard (placeholder until the dashboard issue lands): model counts from the DB."""

import streamlit as st

from pipeline.db import ReadOnlyDB
from pipeline.paths import DEFAULT_SNAPSHOT, db_path
from pipeline.refresh import refresh_from_snapshot
from pipeline.snapshot import open_snapshot

st.set_page_config(page_title="HubScope", layout="wide")
path = db_path()
if not path.exists():
    with st.spinner("Building the database from the bundled snapshot (first start)…"):
        refresh_from_snapshot(path, open_snapshot(DEFAULT_SNAPSHOT))
with ReadOnlyDB(path) as db:
    summary = db.query_named("status_summary").to_dicts()[0]
st.title("HubScope")
cols = st.columns(4)
cols[0].metric("Models tracked", f"{summary['models']:,}")
cols[1].metric("Language models", f"{summary['language_models']:,}")
cols[2].metric("SLM (<10B)", f"{summary['slm_default_threshold']:,}")
cols[3].metric("LLM (≥10B)", f"{summary['llm_default_threshold']:,}")
