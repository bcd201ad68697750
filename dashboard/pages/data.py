"""Data: what is in the DB, how fresh it is, how complete each field is, every refresh attempt, and a read-only
SQL box."""

import altair as alt
import polars as pl
import streamlit as st

from dashboard import charts, data
from pipeline.database import load_sql

# The box shows the query without its header comment.
DEFAULT_SQL = "\n".join(line for line in load_sql("sql_box_default").splitlines() if not line.startswith("--"))

st.title("Data")
meta = data.one("meta")
series = data.run("series_dates")

st.subheader("Freshness")
c = st.columns(4)
c[0].metric("Last successful refresh", data.age_text(meta.get("last_ok_refresh")))
c[1].metric("Latest snapshot date", str(meta.get("latest_snapshot_date") or "–"))
c[2].metric("Refresh attempts recorded", f"{meta.get('runs', 0):,}")
c[3].metric("Rejected records", f"{meta.get('rejected_records', 0):,}")
st.caption(f"Source of the last successful refresh: {meta.get('last_ok_source') or 'none'}")
if not charts.empty(series, "No download series recorded yet."):
    st.dataframe(
        series,
        hide_index=True,
        column_config={"first_date": st.column_config.DateColumn(), "last_date": st.column_config.DateColumn()},
    )
    charts.caption("Download series: each is a different population, so the time charts show one at a time.")

st.subheader("Refresh runs (including failed and killed ones)")
runs = data.runs()
if not charts.empty(runs, "No refresh has been recorded."):
    st.dataframe(runs, hide_index=True, width="stretch")
    charts.caption("From the DB's refresh_runs plus the run journal beside the DB (attempts the DB never saw).")

st.subheader("Rejected records")
rejected = data.run("rejected_records", {"max_rows": 500})
if not charts.empty(rejected, "No records were rejected."):
    st.table(rejected.head(50))  # a plain table: ids such as "<script>…" are shown as literal text
    charts.caption(
        f"Records the pipeline could not normalize, kept whole with the reason ({rejected.height:,} newest loaded, "
        "50 shown; all are in the rejected_records table)."
    )

st.subheader("Per-field coverage")
cov = data.run("field_coverage")
if not charts.empty(cov):
    chart = (
        alt.Chart(cov)
        .mark_bar(color="#607d8b")
        .encode(
            y=alt.Y("field:N", sort="-x", title=None, axis=alt.Axis(labelLimit=260)),
            x=alt.X(
                "coverage:Q",
                title="Share of models with the field",
                axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1]),
            ),
            tooltip=[
                "field:N",
                alt.Tooltip("models_with_field:Q", format=","),
                alt.Tooltip("models:Q", format=","),
                alt.Tooltip("coverage:Q", format=".1%"),
            ],
        )  # fmt: skip
        .properties(height=alt.Step(22))
    )
    charts.show(chart)
    charts.caption(f"Denominator: all {cov['models'][0]:,} models in the DB (no filters).")

st.subheader("Schema")
counts = data.run("table_counts")
cols = data.run("schema_columns")
left, right = st.columns([1, 2])
with left:
    st.dataframe(counts, hide_index=True)
    info = data.run("rollup_info")
    where = "in the DB file" if data.rollups_in_file() else "in this session (the DB file predates them)"
    if info.height:
        st.caption(f"Rollups built {info['built_at'][0]} UTC, {where}.")
with right:
    tables = cols["table_name"].unique(maintain_order=True).to_list()
    table = st.selectbox("Table", tables, index=tables.index("models") if "models" in tables else 0)
    st.dataframe(cols.filter(pl.col("table_name") == table).drop("table_name"), hide_index=True, width="stretch")
with st.expander("sql/schema.sql"):
    st.code(data.schema_sql(), language="sql")

st.subheader("Read-only SQL")
st.caption(
    "One SELECT statement against the DB (tables: models, model_snapshots, model_lineage, refresh_runs, …). "
    "It cannot write, ATTACH, COPY, INSTALL/LOAD or read local files; results are cut at 10,000 rows and "
    "queries stop after 10 s."
)
with st.form("sql_box"):
    sql = st.text_area("SQL", DEFAULT_SQL, height=140, key="sql_text")
    submitted = st.form_submit_button("Run", icon=":material/play_arrow:")
if submitted:
    outcome = data.safe_query(sql)
    if outcome.error:
        st.error(outcome.error)
    else:
        st.dataframe(outcome.frame, hide_index=True, width="stretch")
        note = " — cut at 10,000 rows" if outcome.truncated else ""
        st.caption(f"{outcome.frame.height:,} rows in {outcome.elapsed_s:.2f} s{note}.")
        st.download_button("Download CSV", outcome.frame.write_csv(), file_name="hubscope_query.csv", mime="text/csv")
