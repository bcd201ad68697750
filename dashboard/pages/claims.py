"""The essay's claims, tested: each claim of "Big is Not Always Better: Why Small Language Models Might Be the Right
Fit" (Melvin Greer, Intel Community blog, Aug 2024) put to the data — metric, figure, denominator, coverage and a
verdict computed by the written rule in its SQL file (sql/claims/NN_name.sql; rules explained in docs/claims.md)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from dashboard import charts, data, scope, state
from dashboard import format as fmt
from pipeline.database import load_sql

ESSAY = ("“Big is Not Always Better: Why Small Language Models Might Be the Right Fit”, Melvin Greer, Intel Community "
         "blog, August 2024")  # fmt: skip
# (sql/claims file, the claim as the essay puts it, what we measure)
CLAIMS = (
    ("01_niche", "The SLM market is a niche compared to LLMs (its size “hard to estimate”).",
     "SLM share of downloads and of models, and its move on a fixed set of models."),
    ("02_distilled", "An SLM is typically derived from an LLM through distillation or pruning.",
     "Share of SLMs whose recorded lineage reaches an LLM; share with distil/prune in id or tags."),
    ("03_specialized", "SLMs are specialized for specific tasks or domains: “sharpshooters, not scatterguns”.",
     "How evenly each class spreads over pipeline tasks (entropy) and the largest task's share."),
    ("04_finetuning", "SLMs allow rapid and affordable rerunning and fine-tuning.",
     "Fine-tunes and adapters per base model, by the class of the base; release cadence (new versions per family "
     "per month), by the class of the family's root."),
    ("05_devices", "SLMs suit resource-constrained environments.",
     "Share of downloads to models whose 4-bit weights fit a phone or laptop."),
    ("06_openness", "Open-source vs proprietary models complicate valuing the market.",
     "Share of downloads under restricted licences (open weights, limited use), by class."),
    ("07_evolution", "The field evolves rapidly.",
     "Download-weighted median age of the models people download, by class, and how it moved over time."),
)  # fmt: skip
VERDICT_ICONS = {"supported": ":material/check_circle:", "not supported": ":material/cancel:",
                 "the data can't tell": ":material/help:"}  # fmt: skip


UNIT_TEXT: dict[str, Callable[[float], str]] = {
    "share": fmt.percent,
    "points": lambda x: f"{'+' if x >= 0 else '−'}{abs(100 * x):.1f} points",
    "months": lambda x: f"{x:.1f} months",
    "per month": lambda x: f"{x:.3f} a month",
    "ratio": lambda x: f"{x:.2f}×",
}


def value_text(x: Any, unit: str | None) -> str:
    """A claim figure in words by its unit (UNIT_TEXT; any other unit: a plain number)."""
    if x is None:
        return "no figure"
    return UNIT_TEXT.get(unit or "", lambda v: f"{v:.2f}")(float(x))


def details(r: dict[str, Any], keys: tuple[str, ...], columns: Sequence[Any]) -> None:
    """A claim's further figures (`key`, `key_label`, `key_unit` of its row), one metric a column; none unlabelled."""
    for col, key in zip(columns, keys, strict=True):
        if r.get(f"{key}_label"):
            col.metric(str(r[f"{key}_label"]), value_text(r.get(key), r.get(f"{key}_unit")))


def denominator_text(row: dict[str, Any]) -> str:
    n = row.get("denominator")
    amount = fmt.count(n) if "downloads" in str(row.get("denominator_label")) else fmt.integer(n)
    return f"{amount} {row.get('denominator_label')}"


def result(name: str, f: state.Filters) -> dict[str, Any]:
    return data.one(f"../claims/{name}", {"threshold": f.threshold, "series": f.series})


def sql_expander(name: str) -> None:
    with st.expander(f"SQL: sql/claims/{name}.sql (runs as-is in the duckdb CLI)", icon=":material/code:"):
        st.code(load_sql(f"claims/{name}"), language="sql")


def cadence(r: dict[str, Any]) -> None:
    """Claim 4's second part (release cadence per family), from the same row of 04_finetuning.sql."""
    details(r, ("detail_3", "detail_4", "detail_5"), st.columns(3))
    st.caption(f"Release cadence coverage: {fmt.percent(r.get('family_coverage'))} — {r.get('family_coverage_label')}. "
               f"Parts: {r.get('part_verdicts')}.")  # fmt: skip


def age_over_time(f: state.Filters) -> None:
    """Claim 7 over time: the download-weighted median age by class on each month's last date of the series."""
    frame = data.run("../claims/07b_age_over_time", {"threshold": f.threshold, "series": f.series})
    frame = frame.filter(frame["median_age_months"].is_not_null()) if frame.height else frame
    if charts.empty(frame, f"The {f.series} series has no 30-day downloads of dated language models to age."):
        return
    chart = charts.trend_line(
        frame, "snapshot_date", "median_age_months", y_title="Median age of downloads (months)",
        tips={"snapshot_date": "date", "cls": "", "median_age_months": "number", "models": "integer",
              "downloads_30d": "count", "dated_share": "percent"},
        color=charts.class_color(),
    )  # fmt: skip
    charts.show(chart)
    first, last = frame["snapshot_date"].min(), frame["snapshot_date"].max()
    charts.caption(
        f"Download-weighted median age (months from creation to the date) of the language models of the {f.series} "
        f"series, on each month's last snapshot date, {fmt.date(first)} to {fmt.date(last)}; models of unknown size "
        "or creation date left out (the tooltip gives the share of downloads with a date, and the models counted: "
        "the series' population changes from date to date). Rising by a month a month = the same models keep the "
        "downloads; flat or falling = downloads move to newer models. The verdict uses the latest figure above."
    )


f = state.current()
meta = data.one("meta")
st.title("The essay's claims, tested")
scope.caveat()
scope = ("the whole Hub" if meta.get("any_full_refresh") else
         "this selection of Hub models (not the whole Hub)")  # fmt: skip
st.markdown(
    f"Each claim of {ESSAY} against {scope}, data as of {fmt.date(meta.get('latest_snapshot_date'))}, SLM = fewer "
    f"than {fmt.params(f.threshold)} parameters (the sidebar's threshold). Every verdict is computed by a rule "
    "written in its SQL file (and in docs/claims.md) — supported, not supported, or the data can't tell — never "
    "picked by hand. Change the threshold and the verdicts are recomputed."
)

in_view = data.one("overview_kpis", f.params()).get("models")
if not in_view:  # the claims read only the threshold and series: say so rather than look filtered
    charts.empty(
        None,
        f"No models match the current filters ({f.describe()}). The claims below do not use the "
        "scope, task, organisation or unknown-size filters: each is tested on every language model.",
    )

rows = [(name, claim, measured, result(name, f)) for name, claim, measured in CLAIMS]
st.dataframe(
    [{"Claim": claim, "Verdict": r.get("verdict"), "Figure": value_text(r.get("figure"), r.get("unit")),
      "Coverage": fmt.percent(r.get("coverage"))} for _, claim, _, r in rows],
    hide_index=True,
)  # fmt: skip

for name, claim, measured, r in rows:
    st.subheader(f"{r.get('claim_no')}. {claim}")
    verdict = str(r.get("verdict"))
    st.markdown(f"{VERDICT_ICONS.get(verdict, '')} **Verdict: {verdict}.** Measured: {measured}")
    c = st.columns(3)
    low, high = r.get("figure_low"), r.get("figure_high")
    span = f"{value_text(low, r['unit'])}–{value_text(high, r['unit'])}" if low is not None else None
    c[0].metric(str(r.get("metric")), value_text(r.get("figure"), r.get("unit")),
                help=f"Range from the models of unknown size: {span}" if span else None)  # fmt: skip
    details(r, ("detail_1", "detail_2"), c[1:])
    st.caption(
        f"Denominator: {denominator_text(r)}. Coverage: {fmt.percent(r.get('coverage'))} {r.get('coverage_label')}."
        + (f" Range from the models of unknown size: {span}." if span else "") + f" Rule: {r.get('rule')}."
    )  # fmt: skip
    if name == "04_finetuning":
        cadence(r)
    if name == "07_evolution":
        age_over_time(f)
    sql_expander(name)
    if name == "07_evolution":
        sql_expander("07b_age_over_time")
