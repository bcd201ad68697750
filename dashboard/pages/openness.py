"""Openness: are small models more open than large ones — licences, gating, and how it changes over time?"""

import altair as alt
import streamlit as st

from dashboard import charts, data, state

f = state.current()
st.title("Openness")

st.subheader("Licence tiers by class")
tiers = data.run("license_tiers", f.params())
if not charts.empty(tiers):
    tabs = st.tabs(["By model count", "By 30-day downloads"])
    for tab, field, title in ((tabs[0], "models", "Share of models"), (tabs[1], "downloads_30d", "Share of downloads")):
        with tab:
            chart = (
                alt.Chart(tiers)
                .mark_bar()
                .encode(
                    y=alt.Y("cls:N", title=None, sort=["SLM", "LLM"]),
                    x=alt.X(f"{field}:Q", stack="normalize", title=title, axis=alt.Axis(format="%")),
                    color=charts.tier_color(),
                    order=alt.Order("tier_order:Q"),
                    tooltip=[
                        "cls:N",
                        "license_tier:N",
                        alt.Tooltip("models:Q", format=","),
                        alt.Tooltip("share_models:Q", format=".1%"),
                        alt.Tooltip("downloads_30d:Q", format=","),
                        alt.Tooltip("share_downloads:Q", format=".1%"),
                    ],
                )  # fmt: skip
                .transform_calculate(tier_order=f"indexof({charts.TIER_DOMAIN}, datum.license_tier)")
                .properties(height=alt.Step(40))
            )
            charts.show(chart)
    unknown = tiers.filter(tiers["license_tier"] == "unknown")["models"].sum()
    charts.caption(
        f"Denominator: {tiers['models'].sum():,} sized models in view ({charts.num(tiers['downloads_30d'].sum())} "
        f"downloads). Coverage: {unknown:,} have no licence recorded ('unknown'). Tiers: permissive (Apache/MIT/…), "
        "copyleft, open-restricted (use policies such as Llama/Gemma), non-commercial."
    )

st.subheader("Gated access by class")
gated = data.run("gated_share", f.params())
if not charts.empty(gated):
    chart = (
        alt.Chart(gated)
        .mark_bar()
        .encode(
            y=alt.Y("cls:N", title=None, sort=["SLM", "LLM"]),
            x=alt.X("models:Q", stack="normalize", title="Share of models", axis=alt.Axis(format="%")),
            color=alt.Color(
                "gated:N",
                title="Gated",
                legend=alt.Legend(orient="top"),
                scale=alt.Scale(
                    domain=["no", "auto", "manual", "not recorded"], range=["#4daf4a", "#ff7f00", "#e41a1c", "#d9d9d9"]
                ),
            ),
            tooltip=[
                "cls:N",
                "gated:N",
                alt.Tooltip("models:Q", format=","),
                alt.Tooltip("share_models:Q", format=".1%"),
                alt.Tooltip("downloads_30d:Q", format=","),
            ],
        )  # fmt: skip
        .properties(height=alt.Step(40))
    )
    charts.show(chart)
    recorded = gated.filter(gated["gated"] != "not recorded")["models"].sum()
    charts.caption(
        f"Denominator: {gated['models'].sum():,} sized models in view. Coverage: the gated field is recorded for "
        f"only {recorded:,} of them ('not recorded' = the source did not carry it), so read the share among those."
    )

st.subheader("Openness by creation month")
monthly = data.run("openness_by_month", f.series_params())
if not charts.empty(monthly):
    chart = (
        alt.Chart(monthly)
        .mark_bar()
        .encode(
            x=alt.X("month:T", title="Creation month"),
            y=alt.Y("models:Q", stack="normalize", title="Share of models created", axis=alt.Axis(format="%")),
            color=charts.tier_color(),
            order=alt.Order("tier_order:Q"),
            tooltip=[
                alt.Tooltip("month:T", format="%Y-%m"),
                "license_tier:N",
                alt.Tooltip("models:Q", format=","),
                alt.Tooltip("share_models:Q", format=".1%"),
            ],
        )  # fmt: skip
        .transform_calculate(tier_order=f"indexof({charts.TIER_DOMAIN}, datum.license_tier)")
        .properties(height=280)
    )
    charts.show(chart)
    charts.caption(
        f"Denominator per month: the models created that month ({monthly['models'].sum():,} with a known creation "
        f"date in the window, {state.WINDOWS[f.window].lower()}); models older than the Hub's creation tracking are "
        "not included."
    )
