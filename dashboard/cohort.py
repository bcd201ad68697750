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

from dashboard import charts, data
from dashboard import format as fmt
from dashboard.state import Filters

MIN_MODELS = 100
POPULATIONS = {"cohort": "Fixed cohort (same models on every date)", "all": "All models recorded on each date"}


@dataclass(frozen=True)
class Measure:
    key: str
    title: str  # as a sentence says it
    column: str  # the downloads column of the measure's queries
    queries: dict[str, str]  # population (+ "dates") -> sql/queries/<name>.sql


MEASURES = {
    "daily": Measure("daily", "downloads per day", "downloads_per_day",
                     {"cohort": "cohort_share_daily", "all": "cohort_all_daily", "dates": "cohort_dates_daily"}),
    "30d": Measure("30d", "30-day downloads", "downloads_30d",
                   {"cohort": "cohort_share", "all": "share_over_time", "dates": "cohort_dates"}),
}  # fmt: skip


@dataclass(frozen=True)
class Trend:
    """The SLM share on the first and last date of a fixed cohort (the headline's 'how it moved')."""

    measure: Measure
    date_from: dt.date
    date_to: dt.date
    models: int
    share_from: float | None
    share_to: float | None
    models_share_from: float | None
    models_share_to: float | None


def params(f: Filters, **extra: Any) -> dict[str, Any]:
    return f.series_params(min_models=MIN_MODELS, **extra)


def measures(f: Filters) -> list[Measure]:
    """The series' measures, default first: downloads per day where the series has all-time counts and the DB has
    the daily_downloads view (sql/daily_downloads.sql), else the rolling 30-day count."""
    if not f.series:
        return []
    has = data.one("cohort_measures", {"series": f.series})
    out = [MEASURES["daily"]] if has.get("has_daily_view") and has.get("has_all_time") else []
    return out + ([MEASURES["30d"]] if has.get("has_30d") or not out else [])


def dates(f: Filters, measure: Measure) -> pl.DataFrame:
    """The series' dates in the window: models recorded, thin or not, cohort size from that date (cohort_dates.sql)."""
    return data.run(measure.queries["dates"], params(f)) if f.series else pl.DataFrame()


def frame(f: Filters, measure: Measure, population: str, cohort_from: dt.date | None,
          per_date: pl.DataFrame) -> pl.DataFrame:  # fmt: skip
    """Rows per (date, class) for the chart, with the `thin` flag."""
    if population == "cohort":
        rows = data.run(measure.queries["cohort"], params(f, cohort_from=cohort_from))
        return rows.with_columns(thin=pl.lit(False))
    rows = data.run(measure.queries["all"], f.series_params())
    if rows.height == 0:
        return rows.with_columns(thin=pl.lit(False))
    return rows.join(per_date.select("snapshot_date", "thin"), on="snapshot_date", how="left").with_columns(
        pl.col("thin").fill_null(True)
    )


def trend(f: Filters) -> Trend | None:
    """The last comparable period on a fixed cohort, in the series' default measure: from the latest non-thin date
    ≥ 30 days before the last one (else the earliest non-thin date) to the last; None without two such dates."""
    options = measures(f)
    if not options:
        return None
    measure = options[0]
    rows = data.run(measure.queries["cohort"], params(f, cohort_rule="period"))
    if rows.height == 0 or rows["snapshot_date"].n_unique() < 2:
        return None
    slm = {r["snapshot_date"]: r for r in rows.filter(pl.col("cls") == "SLM").to_dicts()}
    first, last = rows["snapshot_date"].min(), rows["snapshot_date"].max()
    a, b = slm.get(first, {}), slm.get(last, {})  # no SLM row on a date: SLMs hold 0% of it
    n = int(rows.filter(pl.col("snapshot_date") == last)["date_models"][0])
    return Trend(measure, first, last, n, a.get("share_downloads", 0.0), b.get("share_downloads", 0.0),
                 a.get("share_models", 0.0), b.get("share_models", 0.0))  # fmt: skip


def _picker(per_date: pl.DataFrame, key: str) -> dt.date | None:
    """The cohort's first date: every non-thin date offered with the size of the cohort it gives."""
    ok = per_date.filter(~pl.col("thin")).sort("snapshot_date")
    if ok.height < 2:
        return None
    sizes = dict(zip(ok["snapshot_date"].to_list(), ok["cohort_models"].to_list(), strict=True))
    median_n = per_date["date_models"].median()
    eligible = [d for d, n in sizes.items() if n >= max(MIN_MODELS, 0.5 * median_n)]
    default = eligible[0] if eligible else ok["snapshot_date"][-2]
    options = list(sizes)[:-1]
    return st.select_slider(
        "Cohort from", options=options, value=default, key=key,
        format_func=lambda d: f"{fmt.date(d)} · {fmt.integer(sizes.get(d))} models",
        help="The cohort: the models recorded on every non-thin date from this one to the last. An earlier start "
        "gives a longer line over fewer models. Default: the earliest start that keeps at least "
        f"{MIN_MODELS} models and half as many as the window's median date.",
    )  # fmt: skip


def section(f: Filters, key: str) -> tuple[pl.DataFrame, Measure] | None:
    """The share-over-time block of a page: measure and population choice, the chart, its caption. Returns the
    drawn frame and its measure."""
    if not f.series:
        charts.empty(None, "No download series in this DB: no share over time to draw.")
        return None
    options = measures(f)
    measure = options[0]
    if len(options) > 1:
        key_m = st.radio("Measure", [m.key for m in options], format_func=lambda k: MEASURES[k].title.capitalize(),
                         horizontal=True, key=f"{key}_measure",
                         help="Downloads per day: the change of each model's all-time counter between its dates. "
                         "30-day downloads: the Hub's rolling count at each snapshot.")  # fmt: skip
        measure = MEASURES[key_m or options[0].key]
    per_date = dates(f, measure)
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
    rows = frame(f, measure, population or "cohort", cohort_from, per_date)
    if charts.empty(rows, "No snapshot dates match the current filters and series."):
        return None
    charts.show(charts.share_trend(rows, measure.column, measure.title))
    charts.show(charts.count_strip(rows))
    _caption(f, measure, population or "cohort", rows, per_date)
    return rows, measure


def _caption(f: Filters, measure: Measure, population: str, rows: pl.DataFrame, per_date: pl.DataFrame) -> None:
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
        f"SLM share of {measure.title} (solid) and of models (dashed) over {who}; bars: models counted each date. "
        f"Grey: {thin.height} thin dates (fewer than {fmt.integer(per_date['min_count'][0])} models), left out of "
        f"the cohort and the headline. Classes by today's parameter counts (SLM < {fmt.params(f.threshold)}); "
        f"unknown sizes {unknown}. "
        + (
            "Downloads per day = the change of each model's all-time counter since its previous date, over the days "
            "between (a counter that went down counts 0)."
            if measure.key == "daily"
            else "Downloads = the Hub's rolling 30-day count at each snapshot."
        )
    )
