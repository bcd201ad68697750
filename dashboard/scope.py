"""What every page says about its data: a selection of the Hub or the whole Hub, data as of which date, rebuilt
when. One sentence, written once here; every page (Overview's banner included) calls it."""

from __future__ import annotations

from typing import Any

import streamlit as st

from dashboard import charts, data
from dashboard import format as fmt

SELECTION = (
    "a selection of the Hub (a catalog of language and multimodal models people run locally, plus the models of "
    "daily top lists), not the whole Hub (~3 million models)"
)


def is_selection(meta: dict[str, Any]) -> bool:
    return not meta.get("any_full_refresh")


def sentence(meta: dict[str, Any] | None = None) -> str:
    """'12,727 models: a selection of the Hub …, not the whole Hub. Data as of 5 Oct 2026; rebuilt 1 Dec 2026 …'"""
    meta = meta if meta is not None else data.one("meta")
    models = fmt.integer(meta.get("models", 0))
    what = f"{models} models, {SELECTION}" if is_selection(meta) else f"{models} models: every model the Hub listed"
    return (
        f"{what}. Data as of {fmt.date(meta.get('latest_snapshot_date'))}; "
        f"rebuilt {fmt.timestamp(meta.get('last_ok_refresh'))}."
    )


def caveat() -> None:
    """The one-line scope caveat under a page title."""
    meta = data.one("meta")
    prefix = "Within this selection only: " if is_selection(meta) else "Whole Hub: "
    st.caption(charts.escape_markdown(prefix + sentence(meta)))


def banner() -> None:
    """Overview's 'What this data covers' box: the same sentence, said once, plus the source."""
    meta = data.one("meta")
    source = meta.get("last_ok_source") or "no successful refresh yet"
    text = f"What this data covers: {sentence(meta)} Source: {source}."
    if is_selection(meta):
        st.warning(charts.escape_markdown(text + ' Read every figure as "within this selection".'), icon="ℹ️")
    else:
        st.info(charts.escape_markdown(text), icon="ℹ️")
