"""Openness: are small models more open than large ones — licences, gating, and how it changes over time?"""

import streamlit as st

from dashboard import charts, data, scope, state
from dashboard import format as fmt

MIN_MONTH_MODELS = 20  # a month with fewer models of a class is drawn faded: a share of 3 models is not a trend

f = state.current()
st.title("Openness")
scope.caveat()

st.subheader("Licence tiers by class")
tiers = data.run("license_tiers", f.params())
if not charts.empty(tiers):
    tabs = st.tabs(["By model count", "By 30-day downloads"])
    tips = {"cls": "", "license_tier": "", "models": "integer", "share_models": "percent", "downloads_30d": "count",
            "share_downloads": "percent"}  # fmt: skip
    for tab, field, title in ((tabs[0], "models", "Share of models"), (tabs[1], "downloads_30d", "Share of downloads")):
        with tab:
            chart = charts.hbars(tiers, "cls", field, tips=tips, color=charts.tier_color(), normalize=True,
                                 sort=["SLM", "LLM"], order=f"indexof({charts.TIER_DOMAIN}, datum.license_tier)",
                                 x_title=title, step=40)  # fmt: skip
            charts.show(chart)
    unknown = tiers.filter(tiers["license_tier"] == "unknown")["models"].sum()
    charts.caption(
        f"Denominator: {fmt.integer(tiers['models'].sum())} sized models in view "
        f"({fmt.count(tiers['downloads_30d'].sum())} downloads). Coverage: {fmt.integer(unknown)} have no licence "
        "recorded ('unknown'). Tiers: permissive (Apache/MIT/…), copyleft, open-restricted (use policies such as "
        "Llama/Gemma), non-commercial."
    )

st.subheader("Gated access by class, where gating is recorded")
gated = data.run("gated_share", f.params())
recorded = gated.filter(gated["gated"] != "not recorded") if gated.height else gated
if not charts.empty(recorded, "The source records gated access for none of the models in view."):
    color = charts.category_color("gated", "Gated", charts.GATED_DOMAIN, charts.GATED_RANGE)
    tips = {"cls": "", "gated": "", "models": "integer", "share_recorded": "percent", "downloads_30d": "count"}
    chart = charts.hbars(recorded, "cls", "models", tips=tips, color=color, normalize=True, sort=["SLM", "LLM"],
                         x_title="Share of the models whose gating is recorded", step=40,
                         titles={"share_recorded": "Share among recorded"})  # fmt: skip
    charts.show(chart)
    per_class = gated.unique("cls").sort("cls", descending=True)
    coverage = "; ".join(
        f"{r['cls']}: {fmt.integer(r['recorded_models'])} of {fmt.integer(r['class_models'])} "
        f"({fmt.percent(r['recorded_models'] / r['class_models'] if r['class_models'] else None)})"
        for r in per_class.to_dicts()
    )
    charts.caption(
        f"Share among the models whose source records the gated field (the others are left out, not counted as "
        f"open). Coverage — {coverage}. With so few recorded, read this as those models only."
    )

st.subheader("Openness by creation month, SLM vs LLM")
monthly = data.run("openness_by_month", f.series_params(min_models=MIN_MONTH_MODELS))
if not charts.empty(monthly):
    partial = monthly.filter(monthly["partial"])["month"]
    partial_name = fmt.month(partial[0]) if partial.len() else None
    tips = {"license_tier": "", "models": "integer", "share_models": "percent", "month_models": "integer"}
    months = (monthly["month"].min(), monthly["month"].max())  # one month axis for both panels
    order = f"indexof({charts.TIER_DOMAIN}, datum.license_tier)"
    for cls in ("SLM", "LLM"):
        part = monthly.filter(monthly["cls"] == cls)
        if part.height:
            charts.show(charts.month_shares(part, charts.tier_color(), order, tips=tips, months=months,
                                            title=f"Share of {cls}s created", partial=partial_name))  # fmt: skip
    faded = monthly.filter(monthly["muted"]).unique(["cls", "month"]).height
    charts.caption(
        f"Denominator per month and class: the models created that month "
        f"({fmt.integer(monthly['models'].sum())} with a known creation date in the window, "
        f"{state.WINDOWS[f.window].lower()}). Faded: {faded} class-months with fewer than {MIN_MONTH_MODELS} models "
        "(too few to read as a share)."
        + (f" {partial_name} is partial: the data ends before the month does." if partial_name else "")
        + " Models older than the Hub's creation tracking are not included."
    )
