"""Explorer: find any model in view, sort it, open it on the Hub, and take the rows away as CSV or Parquet."""

import io

import streamlit as st

from dashboard import charts, data, state

MAX_ROWS = 5000
SORTS = {"downloads": "30-day downloads", "params": "Parameters", "likes": "Likes", "created": "Newest", "id": "Id"}

f = state.current()
st.title("Explorer")
cols = st.columns([3, 1, 1])
search = cols[0].text_input("Search model id", key="explorer_search", placeholder="e.g. qwen3, llama, gemma")
cls_filter = cols[1].selectbox("Class", ["all", "SLM", "LLM", "unknown"], key="explorer_class")
sort = cols[2].selectbox("Sort by", list(SORTS), format_func=SORTS.get, key="explorer_sort")

rows = data.run("explorer", f.params(search=search, cls_filter=cls_filter, sort=sort, max_rows=MAX_ROWS))
if not charts.empty(rows):
    matches = rows["matches"][0]
    table = rows.drop("matches")
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        height=560,
        column_config={
            "model_id": st.column_config.TextColumn("model", pinned=True),
            "hub_url": st.column_config.LinkColumn("Hub page", display_text="open ↗"),
            "params_total": st.column_config.NumberColumn("params", format="compact"),
            "params_active": st.column_config.NumberColumn("active", format="compact"),
            "downloads_30d": st.column_config.NumberColumn("downloads 30d", format="localized"),
            "created_at": st.column_config.DatetimeColumn("created", format="YYYY-MM-DD"),
        },
    )
    shown = f"{table.height:,} of {matches:,} matching models" + (
        f" (capped at {MAX_ROWS:,}: narrow the search)" if matches > table.height else ""
    )
    charts.caption(f"{shown}; filters: {f.describe()}. Class 'unknown' = no parameter count (excluded from shares).")
    dl = st.columns([1, 1, 4])
    dl[0].download_button("Download CSV", table.write_csv(), file_name="hubscope_models.csv", mime="text/csv",
                          icon=":material/download:")  # fmt: skip
    buf = io.BytesIO()
    table.write_parquet(buf)
    dl[1].download_button("Download Parquet", buf.getvalue(), file_name="hubscope_models.parquet",
                          mime="application/vnd.apache.parquet", icon=":material/download:")  # fmt: skip
