"""Data: what is in the DB, how fresh it is, how complete each field is, every refresh attempt, and a read-only
SQL box."""

import polars as pl
import streamlit as st

from dashboard import charts, data, scope
from dashboard import format as fmt

MAX_ROWS = 10_000
TIMEOUT_S = 10.0

st.title("Data")
scope.caveat()
meta = data.one("meta")
series = data.run("series_dates")

st.subheader("Freshness")
c = st.columns(4)
c[0].metric("Data as of", fmt.date(meta.get("latest_snapshot_date")),
            help="The latest snapshot date in the DB: the day the figures describe.")  # fmt: skip
c[1].metric("Rebuilt", data.age_text(meta.get("last_ok_refresh")),
            help=f"The last successful refresh finished {fmt.timestamp(meta.get('last_ok_refresh'))}: when the "
            "file was built, not the date of the data.")  # fmt: skip
c[2].metric("Refresh attempts recorded", fmt.integer(meta.get("runs", 0)))
c[3].metric("Rejected records", fmt.integer(meta.get("rejected_records", 0)))
charts.caption(f"Source of the last successful refresh: {meta.get('last_ok_source') or 'none'}")
if not charts.empty(series, "No download series recorded yet."):
    charts.table(series, {"dates": "integer", "first_date": "date", "last_date": "date", "models": "integer",
                          "rows": "integer"})  # fmt: skip
    charts.caption("Download series: each is a different population, so the time charts show one at a time.")

st.subheader("Refresh runs (including failed and killed ones)")
runs = data.runs()
if not charts.empty(runs, "No refresh has been recorded."):
    charts.table(runs, {"models_seen": "integer", "models_new": "integer", "models_rejected": "integer",
                        "snapshot_rows": "integer"}, width="stretch")  # fmt: skip
    charts.caption("From the DB's refresh_runs plus the run journal beside the DB (attempts the DB never saw).")

st.subheader("Rejected records")
rejected = data.run("rejected_records", {"max_rows": 500})
if not charts.empty(rejected, "No records were rejected."):
    st.table(rejected.head(50).rename(fmt.labels(rejected.columns)))  # plain cells: "<script>…" stays literal text
    charts.caption(
        f"Records the pipeline could not normalize, kept whole with the reason ({fmt.integer(rejected.height)} "
        "newest loaded, 50 shown; all are in the rejected_records table)."
    )

st.subheader("Per-field coverage")
cov = data.run("field_coverage")
if not charts.empty(cov):
    tips = {"field": "", "models_with_field": "integer", "models": "integer", "coverage": "percent"}
    charts.show(charts.hbars(cov, "field", "coverage", tips=tips, x_domain=[0, 1], step=22,
                             x_title="Share of models with the field"))  # fmt: skip
    charts.caption(f"Denominator: all {fmt.integer(cov['models'][0])} models in the DB (no filters).")

st.subheader("Schema")
counts = data.run("table_counts")
cols = data.run("schema_columns")
left, right = st.columns([1, 2])
with left:
    charts.table(counts, {"rows": "integer"})
    info = data.run("rollup_info")
    where = "in the DB file" if data.rollups_in_file() else "in this session (the DB file predates them)"
    if info.height:
        charts.caption(f"Rollups built {fmt.timestamp(info['built_at'][0])}, {where}.")
with right:
    tables = cols["table_name"].unique(maintain_order=True).to_list()
    table = st.selectbox("Table", tables, index=tables.index("models") if "models" in tables else 0)
    charts.table(cols.filter(pl.col("table_name") == table).drop("table_name"), width="stretch")
with st.expander("sql/schema.sql"):
    st.code(data.schema_sql(), language="sql")

st.subheader("Read-only SQL")
charts.caption(
    "One SELECT statement against the DB (tables: models, model_snapshots, model_lineage, refresh_runs, …). "
    "It cannot write, attach other files, COPY, INSTALL/LOAD or read local files; results are cut at "
    f"{fmt.integer(MAX_ROWS)} rows and {fmt.count(data.MAX_RESULT_BYTES)}B, and queries stop after "
    f"{TIMEOUT_S:.0f} s. List and struct values are shown and exported as JSON text."
)
with st.form("sql_box"):
    sql = st.text_area("SQL", data.default_sql(), height=140, key="sql_text")
    submitted = st.form_submit_button("Run", icon=":material/play_arrow:")
if submitted:
    outcome = data.safe_query(sql, max_rows=MAX_ROWS, timeout_s=TIMEOUT_S)
    if outcome.error:
        st.error(outcome.error)
    else:
        st.dataframe(outcome.frame, hide_index=True, width="stretch")
        cut = [f"cut at {fmt.integer(MAX_ROWS)} rows"] if outcome.truncated else []
        cut += [f"cut to {fmt.count(data.MAX_RESULT_BYTES)}B"] if outcome.cut_bytes else []
        st.caption(f"{fmt.integer(outcome.frame.height)} rows in {outcome.elapsed_s:.2f} s"
                   + (f" — {', '.join(cut)}" if cut else "") + ".")  # fmt: skip
        st.download_button("Download CSV", data.csv_bytes(outcome.frame), file_name="hubscope_query.csv",
                           mime="text/csv", width="content")  # fmt: skip
