"""The one format layer: numbers, percentages, dates and column labels as a reader sees them, in text, tables,
axes and tooltips. Pages and chart helpers format through here, never with their own f-strings."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

import altair as alt
import polars as pl

_COUNT_UNITS = (("T", 1e12), ("B", 1e9), ("M", 1e6), ("k", 1e3))
_PARAM_UNITS = (("T", 1e12), ("B", 1e9), ("M", 1e6), ("K", 1e3))
MISSING = "–"


def _number(value: Any) -> float | None:
    if value is None:
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) else x


def _scaled(x: float, units: tuple[tuple[str, float], ...], spec: str, reach: float) -> str:
    """x in the largest unit it reaches after rounding to `spec` (999,960 → '1.0M', not '1000.0k'); `reach` is the
    share of a unit that rounds up to one of it."""
    sign = "-" if x < 0 else ""
    x = abs(x)
    for i, (unit, div) in enumerate(units):
        if x >= div * reach:
            text = f"{x / div:{spec}}"
            if float(text) >= 1000 and i > 0:  # rounding pushed it to the next unit
                unit, div = units[i - 1]
                text = f"{x / div:{spec}}"
            return f"{sign}{text}{unit}"
    return f"{sign}{x:,.0f}"


def count(n: Any, digits: int = 1) -> str:
    """A count as people say it: 4_012_345 → '4.0M', 274_140_094 → '274.1M', 950 → '950'."""
    x = _number(n)
    if x is None:
        return MISSING
    if abs(x) < 1000:
        return f"{x:,.0f}"
    return _scaled(x, _COUNT_UNITS, f".{digits}f", reach=1 - 0.5 * 10 ** -(digits + 2))


def integer(n: Any) -> str:
    """An exact count with thousands separators: 12708 → '12,708'."""
    x = _number(n)
    return MISSING if x is None else f"{x:,.0f}"


def params(p: Any) -> str:
    """A parameter count in decades: 1.2e9 → '1.2B', 7.24e9 → '7.24B', 135e6 → '135M', 1e12 → '1T' (not 1000B)."""
    x = _number(p)
    if x is None:
        return "unknown"
    if abs(x) < 1e6:
        return f"{x:,.0f}"
    return _scaled(x, _PARAM_UNITS, ".3g", reach=0.9995)


def percent(x: Any, digits: int = 1) -> str:
    """A share given as a fraction: 0.5531 → '55.3%'."""
    v = _number(x)
    return MISSING if v is None else f"{100 * v:.{digits}f}%"


def _moment(value: Any) -> Any:
    """ISO text parsed to a naive UTC datetime (other values returned as they are; unparseable text too)."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def date(d: Any) -> str:
    """A day as '5 Oct 2026' (datetimes lose their time; ISO strings are parsed)."""
    d = _moment(d)
    if isinstance(d, dt.datetime):
        d = d.date()
    if isinstance(d, dt.date):
        return f"{d.day} {d:%b %Y}"
    return MISSING if d is None else str(d)


def month(d: Any) -> str:
    """A month as 'Oct 2026'."""
    d = _moment(d)
    return f"{d:%b %Y}" if isinstance(d, dt.date) else (MISSING if d is None else str(d))


def timestamp(t: Any) -> str:
    """A moment as '5 Oct 2026 14:03 UTC' (one format for every run time shown)."""
    t = _moment(t)
    if isinstance(t, dt.datetime):
        return f"{t.day} {t:%b %Y %H:%M} UTC"
    return date(t)


# Column names → words. Anything not listed: split on "_", first letter capitalised (`share_…` → "Share of …").
LABELS: dict[str, str] = {
    "cls": "Class",
    "model_class": "Class",
    "model_id": "Model",
    "author": "Organisation",
    "org": "Organisation",
    "downloads_30d": "30-day downloads",
    "downloads_all_time": "All-time downloads",
    "downloads": "Downloads",
    "likes": "Likes",
    "trending_score": "Trending score",
    "params_total": "Parameters",
    "params_active": "Active parameters",
    "params_source": "Size source",
    "size_band": "Size band",
    "band": "Size band",
    "license": "Licence",
    "license_tier": "Licence tier",
    "library_name": "Library",
    "pipeline_tag": "Task",
    "created_at": "Created",
    "created_month": "Month created",
    "last_modified": "Last modified",
    "snapshot_date": "Date",
    "snapshot_at": "Snapshot time",
    "month": "Month",
    "models": "Models",
    "models_sized": "Models with a size",
    "models_unknown": "Models of unknown size",
    "gated": "Gated",
    "is_moe": "Mixture of experts",
    "is_test_repo": "Test/CI repo",
    "tag": "Tag",
    "language": "Language",
    "relation": "Relation",
    "parent_id": "Base model",
    "child_id": "Derived model",
    "children": "Derived models",
    "family": "Family",
    "threshold": "Threshold",
    "device": "Device",
    "run_id": "Run",
    "status": "Status",
    "started_at": "Started",
    "finished_at": "Finished",
    "rows": "Rows",
    "table": "Table",
    "column": "Column",
    "type": "Type",
    "orgs": "Organisations",
    "hhi_models": "HHI (models)",
    "hhi_orgs": "HHI (organisations)",
    "top10_models_share": "Top-10 models' share",
    "top50_models_share": "Top-50 models' share",
    "top200_models_share": "Top-200 models' share",
    "top10_orgs_share": "Top-10 organisations' share",
    "share_of_class": "Share of class downloads",
    "share_of_class_models": "Share of the class's models",
    "share_of_tag": "Class share of tag",
    "share_of_language": "Class share of language",
    "share_recorded": "Share among recorded",
    "rank": "Rank",
    "measure": "Measure",
    "value": "Share",
    "median_params": "Median parameters",
    "p25_params": "25th percentile",
    "p75_params": "75th percentile",
    "params_lo": "From",
    "params_hi": "To",
    "slm_share": "SLM share",
    "active_ratio": "Active share of parameters",
    "device_class": "Device",
    "max_gb_4bit": "Largest weights (GB, 4-bit)",
    "min_gb_4bit": "Smallest weights (GB, 4-bit)",
    "task": "Task",
    "library": "Library",
    "class": "Class",
    "hub_url": "Hub page",
    "test_repo": "Test/CI repo",
    "family_root": "Family root",
    "root_cls": "Root class",
    "root_params": "Root parameters",
    "derivatives": "Derived models",
    "members": "Members",
    "family_downloads_30d": "Family 30-day downloads",
    "root_downloads_30d": "Root 30-day downloads",
    "links": "Links",
    "child_cls": "Derived model's class",
    "parent_cls": "Base model's class",
    "month_models": "Models that month",
    "date_models": "Models that date",
    "field": "Field",
    "models_with_field": "Models with the field",
    "coverage": "Coverage",
    "first_date": "First date",
    "last_date": "Last date",
    "dates": "Dates",
    "series": "Series",
    "rejected_at": "Rejected",
    "reason": "Reason",
    "raw_json_start": "Record (start)",
    "table_name": "Table",
    "column_name": "Column",
    "column_index": "Position",
    "data_type": "Type",
    "is_nullable": "Nullable",
    "source": "Source",
    "models_seen": "Models seen",
    "models_new": "New models",
    "models_rejected": "Rejected",
    "snapshot_rows": "Snapshot rows",
    "error": "Error",
    "slm": "SLM",
    "llm": "LLM",
    "30d": "30-day",
}


def label(column: str) -> str:
    """A column name in words: downloads_30d → '30-day downloads', share_downloads → 'Share of downloads'."""
    if column in LABELS:
        return LABELS[column]
    if column.startswith("share_"):
        return "Share of " + _lower_first(label(column[len("share_") :]))
    for suffix, words in (("_low", "low bound"), ("_high", "high bound"), ("_text", "")):
        if column.endswith(suffix) and len(column) > len(suffix):
            base = label(column[: -len(suffix)])
            return f"{base} ({words})" if words else base
    words = [LABELS.get(w, w) for w in re.split(r"[_\s]+", column) if w]
    text = " ".join(words)
    return text[:1].upper() + text[1:] if text else column


def _lower_first(text: str) -> str:
    return text if text[:3].isupper() else text[:1].lower() + text[1:]


def labels(columns: Iterable[str]) -> dict[str, str]:
    """{column: words} for a whole table (rename before st.dataframe)."""
    return {c: label(c) for c in columns}


def table(frame: pl.DataFrame, kinds: Mapping[str, str] | None = None) -> pl.DataFrame:
    """A frame ready for st.dataframe: listed columns formatted by kind (count/params/percent/date/integer),
    every header in words."""
    out = frame
    for column, kind in (kinds or {}).items():
        if column in out.columns:
            out = out.with_columns(pl.Series(column, [FORMATS[kind](v) for v in out[column].to_list()], pl.String))
    return out.rename(labels(out.columns))


FORMATS = {"count": count, "params": params, "percent": percent, "date": date, "month": month,
           "integer": integer, "timestamp": timestamp}  # fmt: skip


# ---- Altair: axes and tooltips ---------------------------------------------------------------------------------
# Vega expression for k/M/B/T labels (never SI "G"); `{v}` is the value expression.
_HUMAN = (
    "abs({v}) >= 1e12 ? format({v} / 1e12, '~g') + 'T' : abs({v}) >= 1e9 ? format({v} / 1e9, '~g') + 'B' : "
    "abs({v}) >= 1e6 ? format({v} / 1e6, '~g') + 'M' : abs({v}) >= 1e3 ? format({v} / 1e3, '~g') + 'k' : "
    "format({v}, '~g')"
)
DECADES = [10.0**k for k in range(0, 16)]


def human_expr(value: str = "datum.value") -> str:
    """A Vega labelExpr giving 4M / 1.2B / 1T for the value expression."""
    return _HUMAN.format(v=value)


def count_axis(**kw: Any) -> alt.Axis:
    """Counts: whole numbers only (no 0.05 steps), labels 4M / -11M."""
    return alt.Axis(labelExpr=human_expr(), tickMinStep=1, **kw)


def params_axis(log: bool = True, lo: float = 1e6, hi: float = 1e13, **kw: Any) -> alt.Axis:
    """Parameter counts: ticks on decades only when log (100M, 1B, 10B, 100B, 1T), labels in M/B/T."""
    if log:
        kw.setdefault("values", [d for d in DECADES if lo <= d <= hi])
    return alt.Axis(labelExpr=human_expr(), **kw)


def log10_axis(lo: int = 0, hi: int = 13, **kw: Any) -> alt.Axis:
    """For fields that hold log10(value): decade ticks labelled with the value itself (1B, not 9)."""
    return alt.Axis(labelExpr=human_expr("pow(10, datum.value)"), values=list(range(lo, hi + 1)), **kw)


def percent_axis(**kw: Any) -> alt.Axis:
    """Shares: 0%, 25%, … 100% (five ticks, not one every 5%)."""
    kw.setdefault("tickCount", 5)
    return alt.Axis(format=".0%", **kw)


def month_axis(**kw: Any) -> alt.Axis:
    """Month axes always carry the year ('Oct 2026')."""
    kw.setdefault("labelAngle", 0)
    return alt.Axis(format="%b %Y", labelOverlap=True, **kw)


def date_axis(**kw: Any) -> alt.Axis:
    kw.setdefault("labelAngle", 0)
    return alt.Axis(format="%d %b %Y", labelOverlap=True, **kw)


def category_axis(limit: int = 260, **kw: Any) -> alt.Axis:
    """Nominal axes: labels long enough not to be cut ('top 10 organisati…')."""
    return alt.Axis(labelLimit=limit, **kw)


# Tooltip kinds Vega can format itself: (field type, d3 format).
_TIP_FORMATS = {"percent": ("Q", ".1%"), "integer": ("Q", ","), "date": ("T", "%d %b %Y"), "month": ("T", "%b %Y"),
                "number": ("Q", ",.3~g")}  # fmt: skip


def tooltip(column: str, kind: str = "") -> alt.Tooltip:
    """A tooltip field titled in words. Kinds: count/params (use a `<col>_text` column, see with_text),
    percent, integer, date, month, nominal (default)."""
    title = label(column)
    if kind in ("count", "params"):
        return alt.Tooltip(f"{column}_text:N", title=title)
    if kind in _TIP_FORMATS:
        vega_type, spec = _TIP_FORMATS[kind]
        return alt.Tooltip(f"{column}:{vega_type}", title=title, format=spec)
    return alt.Tooltip(f"{column}:N", title=title)


def with_text(frame: pl.DataFrame, kinds: Mapping[str, str]) -> pl.DataFrame:
    """Add `<col>_text` columns holding the human form (4.0M, 1.2B) for tooltips: Vega cannot say 'B' itself."""
    extra = [
        pl.Series(f"{c}_text", [FORMATS[k](v) for v in frame[c].to_list()], pl.String)
        for c, k in kinds.items()
        if c in frame.columns and k in ("count", "params")
    ]
    return frame.with_columns(extra) if extra else frame


def tooltips(frame: pl.DataFrame, kinds: Mapping[str, str]) -> tuple[pl.DataFrame, list[alt.Tooltip]]:
    """The frame with its text columns and the tooltip list, in the order given."""
    return with_text(frame, kinds), [tooltip(c, k) for c, k in kinds.items() if c in frame.columns]
