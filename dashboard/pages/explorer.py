"""Explorer: find any model in view, sort it, open it on the Hub, and take the rows away as CSV or Parquet."""

import io

import streamlit as st

from dashboard import charts, data, scope, state
from dashboard import format as fmt

MAX_ROWS = 5000
SORTS = {"downloads": "30-day downloads", "params": "Parameters", "likes": "Likes", "created": "Newest", "id": "Id"}
CLASSES = ["all", "SLM", "LLM", "unknown"]
KINDS = {"hub_url": "link", "params_total": "params", "params_active": "params", "downloads_30d": "count",
         "likes": "integer", "created_at": "datetime", "test_repo": "check"}  # fmt: skip

f = state.current()
st.title("Explorer")
scope.caveat()
notes = state.check_url({"explorer_sort": ({v: k for k, v in SORTS.items()}, None),
                         "explorer_class": ({c: c for c in CLASSES}, None)})  # fmt: skip
if notes:
    st.info("Link settings not understood: " + "; ".join(notes), icon="🔗")
cols = st.columns([3, 1, 1, 1])
search = cols[0].text_input("Search model id", key="explorer_search", placeholder="e.g. qwen3, llama, gemma",
                            bind="query-params")  # fmt: skip
cls_filter = cols[1].selectbox("Class", CLASSES, key="explorer_class", bind="query-params")
sort = cols[2].selectbox("Sort by", list(SORTS), format_func=SORTS.get, key="explorer_sort", bind="query-params")
include_test = cols[3].toggle("Test/CI repos", key="explorer_tests", help="Tiny random models and the test "
                              "namespaces of libraries (hf-internal-testing, trl-internal-testing, …) are left out of "
                              "rankings unless this is on.")  # fmt: skip

params = f.params(search=search or "", cls_filter=cls_filter or "all", sort=sort or "downloads", max_rows=MAX_ROWS,
                  include_test=include_test)  # fmt: skip
rows = data.run("explorer", params)
if not charts.empty(rows):
    matches = rows["matches"][0]
    table = rows.drop("matches")
    charts.table(table, KINDS, width="stretch", height=560)
    shown = f"{fmt.integer(table.height)} of {fmt.integer(matches)} matching models" + (
        f" (capped at {fmt.integer(MAX_ROWS)}: narrow the search)" if matches > table.height else ""
    )
    tests = "test/CI repos included" if include_test else "test/CI repos left out"
    charts.caption(f"{shown}; {tests}; filters: {f.describe()}. Class 'unknown' = no parameter count (excluded from "
                   "shares).")  # fmt: skip
    dl = st.container(horizontal=True)  # buttons as wide as their labels: no cut "Download Parq…"
    dl.download_button("Download CSV", table.write_csv(), file_name="hubscope_models.csv", mime="text/csv",
                       icon=":material/download:", width="content")  # fmt: skip
    buf = io.BytesIO()
    table.write_parquet(buf)
    dl.download_button("Download Parquet", buf.getvalue(), file_name="hubscope_models.parquet",
                       mime="application/vnd.apache.parquet", icon=":material/download:", width="content")  # fmt: skip
