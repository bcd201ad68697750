"""HubScope dashboard: how big is the small-model (SLM) market next to the large-model (LLM) market on the
Hugging Face Hub, and how is it moving?  Run: `streamlit run app.py` (DB: $HUBSCOPE_DB, else data/hub.duckdb)."""

import streamlit as st

from dashboard import data, state
from pipeline.bootstrap import ensure_db
from pipeline.paths import db_path
from pipeline.product import safe_sql

st.set_page_config(page_title="HubScope · SLM vs LLM", page_icon="📊", layout="wide")

path = db_path()
if not path.exists():
    with st.spinner("Building the database from the bundled snapshot (first start, a few seconds)…"):
        result = ensure_db(path)
    if result is not None and result.status != "ok":
        st.error(f"Could not build the database at {path}: {result.error}")
        st.stop()
if (problem := data.open_error()) is not None:  # a corrupt or foreign file: say so once, not on every chart
    st.error(problem)
    st.stop()

PAGES = "dashboard/pages"
market = [
    st.Page(f"{PAGES}/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page(f"{PAGES}/market_size.py", title="Market size", icon=":material/pie_chart:"),
    st.Page(f"{PAGES}/trends.py", title="Trends", icon=":material/trending_up:"),
    st.Page(f"{PAGES}/claims.py", title="The essay's claims", icon=":material/gavel:"),
]
navigation = st.navigation(
    {
        "Market": market,
        "Models": [
            st.Page(f"{PAGES}/sizes.py", title="Sizes", icon=":material/straighten:"),
            st.Page(f"{PAGES}/openness.py", title="Openness", icon=":material/lock_open:"),
            st.Page(f"{PAGES}/organisations.py", title="Organisations & concentration", icon=":material/apartment:"),
            st.Page(f"{PAGES}/domains.py", title="Domain focus", icon=":material/category:"),
            st.Page(f"{PAGES}/lineage.py", title="Lineage", icon=":material/account_tree:"),
            st.Page(f"{PAGES}/explorer.py", title="Explorer", icon=":material/table_view:"),
        ],
        "Trust": [
            st.Page(f"{PAGES}/data.py", title="Data", icon=":material/database:"),
            st.Page(f"{PAGES}/validation.py", title="Validation", icon=":material/fact_check:"),
        ],
    }
)
safe_sql.prestart()  # the SQL box's worker starts while the first page draws
st.session_state["_filters"] = state.sidebar()
navigation.run()
