"""Share over time on a fixed cohort (the default) or on all models recorded each date, for one download series.

A series whose population grows (the catalog: 27 → 9,410 models a date) draws mostly the catalog filling up when
every date counts whoever it recorded. The fixed cohort — the models present on every non-thin date of the window —
holds the population still, so a move in the line is a move in the market. Thin dates (fewer models than
greatest(MIN_MODELS, a quarter of the window's median date)) are grey and left out; a series that never reaches
MIN_MODELS a date (a top-10 list) is not offered as a market share at all. Rules live in sql/queries/cohort_*.sql."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl
import streamlit as st

from dashboard import charts, charts_answer, data
from dashboard import format as fmt
from dashboard.state import Filters

MIN_MODELS = 100
POPULATIONS = {"cohort": "Fixed cohort (same models on every date)", "all": "All models recorded on each date"}


@dataclass(frozen=True)
class Trend:
    """The SLM share on the first and last date of a fixed cohort (the headline's 'how it moved')."""

    date_from: dt.date
    date_to: dt.date
    models: int
    share_from: float | None
    share_to: float | None
    models_share_from: float | None
    models_share_to: float | None


def params(f: Filters, **extra: Any) -> dict[str, Any]:
    return f.series_params(min_models=MIN_MODELS, **extra)


def dates(f: Filters) -> pl.DataFrame:
    """The series' dates in the window: models recorded, thin or not, cohort size from that date (cohort_dates.sql)."""
    return data.run("cohort_dates", params(f)) if f.series else pl.DataFrame()


def frame(f: Filters, population: str, cohort_from: dt.date | None, per_date: pl.DataFrame) -> pl.DataFrame:
    """Rows per (date, class) for the chart, with the `thin` flag."""
    if population == "cohort":
        rows = data.run("cohort_share", params(f, cohort_from=cohort_from))
        return rows.with_columns(thin=pl.lit(False))
    rows = data.run("share_over_time", f.series_params())
    if rows.height == 0:
        return rows.with_columns(thin=pl.lit(False))
    return rows.join(per_date.select("snapshot_date", "thin"), on="snapshot_date", how="left").with_columns(
        pl.col("thin").fill_null(True)
    )


def trend(f: Filters) -> Trend | None:
    """The last comparable period on a fixed cohort: from the latest non-thin date ≥ 30 days before the last one
    (else the earliest non-thin date) to the last; None when the series has no two comparable dates."""
    if not f.series:
        return None
    rows = data.run("cohort_share", params(f, cohort_rule="period"))
    if rows.height == 0 or rows["snapshot_date"].n_unique() < 2:
        return None
    slm = {r["snapshot_date"]: r for r in rows.filter(pl.col("cls") == "SLM").to_dicts()}
    first, last = rows["snapshot_date"].min(), rows["snapshot_date"].max()
    a, b = slm.get(first, {}), slm.get(last, {})  # no SLM row on a date: SLMs hold 0% of it
    n = int(rows.filter(pl.col("snapshot_date") == last)["date_models"][0])
    return Trend(
        first,
        last,
        n,
        a.get("share_downloads", 0.0),
        b.get("share_downloads", 0.0),
        a.get("share_models", 0.0),
        b.get("share_models", 0.0),
    )


def _picker(per_date: pl.DataFrame, key: str) -> dt.date | None:
    """The cohort's first date: every non-thin date offered with the size of the cohort it gives."""
    ok = per_date.filter(~pl.col("thin")).sort("snapshot_date")
    if ok.height < 2:
        return None
    sizes = dict(zip(ok["snapshot_date"].to_list(), ok["cohort_models"].to_list(), strict=True))
    last_n = ok["date_models"][-1]
    eligible = [d for d, n in sizes.items() if n >= max(MIN_MODELS, 0.05 * last_n)]
    default = eligible[0] if eligible else ok["snapshot_date"][-2]
    options = list(sizes)[:-1]
    return st.select_slider(
        "Cohort from", options=options, value=default, key=key,
        format_func=lambda d: f"{fmt.date(d)} · {fmt.integer(sizes[d])} models",
        help="The cohort: the models recorded on every non-thin date from this one to the last. An earlier start "
        "gives a longer line over fewer models. Default: the earliest start that keeps at least "
        f"{MIN_MODELS} models and 5% of the last date's.",
    )  # fmt: skip


def section(f: Filters, key: str) -> pl.DataFrame | None:
    """The share-over-time block of a page: population choice, the chart, its caption. Returns the drawn frame."""
    if not f.series:
        charts.empty(None, "No download series in this DB: no share over time to draw.")
        return None
    per_date = dates(f)
    if charts.empty(per_date, "No snapshot dates match the current filters and series."):
        return None
    most = int(per_date["date_models"].max())
    if most < MIN_MODELS:
        st.info(
            f"No market share for series “{f.series}”: it records at most {fmt.integer(most)} models a date (a top "
            f"list, not a market; a share needs at least {MIN_MODELS}). Pick another series in the sidebar.",
            icon=":material/do_not_disturb_on:",
        )
        return None
    population = st.radio("Population", list(POPULATIONS), format_func=POPULATIONS.get, horizontal=True,
                          key=f"{key}_population")  # fmt: skip
    cohort_from = _picker(per_date, f"{key}_cohort_from_{f.series}_{f.window}") if population == "cohort" else None
    rows = frame(f, population or "cohort", cohort_from, per_date)
    if charts.empty(rows, "No snapshot dates match the current filters and series."):
        return None
    charts.show(charts_answer.share_trend(rows, "30-day downloads"))
    _caption(f, population or "cohort", rows, per_date)
    return rows


def _caption(f: Filters, population: str, rows: pl.DataFrame, per_date: pl.DataFrame) -> None:
    thin = per_date.filter(pl.col("thin"))
    span = f"{fmt.date(rows['snapshot_date'].min())} – {fmt.date(rows['snapshot_date'].max())}"
    unknown = "excluded" if f.unknown == "exclude" else "counted as " + ("SLM" if f.unknown == "small" else "LLM")
    if population == "cohort":
        who = (f"a fixed cohort of {fmt.integer(rows['date_models'].max())} models of series “{f.series}” recorded on "
               f"every non-thin date {span} ({rows['snapshot_date'].n_unique()} dates)")  # fmt: skip
    else:
        who = (f"whatever series “{f.series}” recorded each date ({fmt.integer(rows['date_models'].min())}–"
               f"{fmt.integer(rows['date_models'].max())} models a date, {span}): the line also moves when the "
               "population changes")  # fmt: skip
    charts.caption(
        f"SLM share of 30-day downloads (solid) and of models (dashed) over {who}; bars: models counted each date. "
        f"Grey: {thin.height} thin dates (fewer than {fmt.integer(per_date['min_count'][0])} models), left out of "
        f"the cohort and the headline. Classes by today's parameter counts (SLM < {fmt.params(f.threshold)}); "
        f"unknown sizes {unknown}. Downloads = the Hub's rolling 30-day count at each snapshot."
    )
