"""The essay's claims page (issue 13 item 3): every figure and verdict recomputed here in Python from the raw
`models`, `model_lineage` and `model_snapshots` rows of the fixture DB — not through sql/claims/ — and the rules of
docs/claims.md re-implemented, at two thresholds."""

from __future__ import annotations

import datetime as dt
import math
import re
import statistics
from pathlib import Path

import duckdb
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from pipeline.paths import REPO_ROOT
from tests.app_helpers import datasets

CANT = "the data can't tell"
FILES = ["01_niche", "02_distilled", "03_specialized", "04_finetuning", "05_devices", "06_openness", "07_evolution"]
SERIES_FILES = ["07b_age_over_time"]  # one row per date and class, not one row


@pytest.fixture(scope="module")
def raw(fixture_db: Path) -> dict[str, pl.DataFrame]:
    with duckdb.connect(str(fixture_db), read_only=True) as con:
        return {t: con.sql(f"SELECT * FROM {t}").pl() for t in ("models", "model_lineage", "model_snapshots")}


@pytest.fixture
def page(fixture_db: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    monkeypatch.setenv("HUBSCOPE_DB", str(fixture_db))
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]

    def show(label: str) -> AppTest:
        at.select_slider(key="threshold").set_value(label).run()
        at.switch_page("dashboard/pages/claims.py").run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return show


def pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def points(x: float) -> str:
    return f"{'+' if x >= 0 else '−'}{abs(100 * x):.1f} points"


def lm_sized(models: pl.DataFrame, t: float) -> pl.DataFrame:
    return models.filter(pl.col("is_language_model") & pl.col("params_total").is_not_null()).with_columns(
        slm=pl.col("params_total") < t, dl=pl.col("downloads_30d").fill_null(0)
    )


def claim1(raw: dict[str, pl.DataFrame], t: float) -> tuple[dict[str, str], str]:
    lm = raw["models"].filter(pl.col("is_language_model")).with_columns(dl=pl.col("downloads_30d").fill_null(0))
    sized = lm.filter(pl.col("params_total").is_not_null())
    slm_dl = sized.filter(pl.col("params_total") < t)["dl"].sum()
    sized_dl, all_dl = sized["dl"].sum(), lm["dl"].sum()
    share, low, high = slm_dl / sized_dl, slm_dl / all_dl, (slm_dl + all_dl - sized_dl) / all_dl
    models_share = sized.filter(pl.col("params_total") < t).height / sized.height
    snaps = raw["model_snapshots"].filter(pl.col("series") == "catalog")
    d_to = snaps["snapshot_date"].max()
    d_from = snaps.filter(pl.col("snapshot_date") <= d_to - dt.timedelta(days=30))["snapshot_date"].max()
    both = set(snaps.filter(pl.col("snapshot_date") == d_to)["model_id"]) & set(
        snaps.filter(pl.col("snapshot_date") == d_from)["model_id"]
    )

    def share_on(day: dt.date) -> float:
        rows = snaps.filter((pl.col("snapshot_date") == day) & pl.col("model_id").is_in(sorted(both))).join(
            sized.select("model_id", "params_total"), on="model_id"
        )
        dl = rows["downloads_30d"].fill_null(0)
        return dl.filter(rows["params_total"] < t).sum() / dl.sum()

    move = share_on(d_to) - share_on(d_from)
    coverage = sized_dl / all_dl
    verdict = CANT if coverage < 0.5 else "supported" if high < 0.25 else "not supported" if low >= 0.25 else CANT
    return {"figure": pct(share), "detail_1": pct(models_share), "detail_2": points(move)}, verdict


def claim2(raw: dict[str, pl.DataFrame], t: float) -> tuple[dict[str, str], str]:
    models = raw["models"]
    size = dict(zip(models["model_id"], models["params_total"], strict=True))
    slms = models.filter(pl.col("is_language_model") & (pl.col("params_total") < t))
    roots = dict(zip(slms["model_id"], slms["family_root"], strict=True))
    links = raw["model_lineage"].filter(pl.col("child_id").is_in(slms["model_id"].to_list()))
    per: dict[str, bool] = {}
    for child, parent, relation in links.select("child_id", "parent_id", "relation").iter_rows():
        if relation == "quantized":
            continue
        big = any((size.get(x) or 0) >= t for x in (parent, roots.get(child)) if x is not None)
        per[child] = per.get(child, False) or big
    named = sum(1 for m, tags in zip(slms["model_id"].to_list(), slms["tags"].to_list(), strict=True)
                if re.search("distil|prun|minitron", m.lower()) or any(re.search("distil|prun", x.lower())
                                                                        for x in (tags or [])))  # fmt: skip
    figure = "no figure" if not per else pct(sum(per.values()) / len(per))
    coverage = len(per) / slms.height
    verdict = CANT if coverage < 0.5 else "supported" if sum(per.values()) / len(per) >= 0.5 else "not supported"
    return {"figure": figure, "detail_1": pct(named / slms.height)}, verdict


def claim3(raw: dict[str, pl.DataFrame], t: float) -> tuple[dict[str, str], str]:
    sized = raw["models"].filter(pl.col("params_total").is_not_null())
    tagged = sized.filter(pl.col("pipeline_tag").is_not_null())
    k = tagged["pipeline_tag"].n_unique()
    out = {}
    for cls, part in (
        ("SLM", tagged.filter(pl.col("params_total") < t)),
        ("LLM", tagged.filter(pl.col("params_total") >= t)),
    ):
        counts = part["pipeline_tag"].value_counts()["count"].to_list()
        n = sum(counts)
        out[cls] = (-sum(c / n * math.log(c / n) for c in counts) / math.log(k), max(counts) / n)
    (slm_h, slm_top), (llm_h, llm_top) = out["SLM"], out["LLM"]
    coverage = tagged.height / sized.height
    verdict = (CANT if coverage < 0.5 else "supported" if slm_h >= llm_h + 0.10 else
               "not supported" if slm_h <= llm_h else CANT)  # fmt: skip
    return {"figure": f"{slm_h:.2f}", "detail_1": f"{llm_h:.2f}", "detail_2": points(slm_top - llm_top)}, verdict


def ratio_verdict(slm: float, llm: float, enough: bool) -> str:
    if not enough or llm == 0:
        return CANT
    return "supported" if slm / llm >= 1.2 else "not supported" if slm / llm <= 0.8 else CANT


def cadence(raw: dict[str, pl.DataFrame], t: float) -> tuple[dict[str, list[float]], float]:
    """Per class of the family root: new versions per month of each family (>= 2 members, >= 2 dated); and the share
    of family members with a creation date."""
    models = raw["models"]
    as_of = models["last_seen_at"].max().date()
    size = dict(zip(models["model_id"], models["params_total"], strict=True))
    fams: dict[str, list[dt.datetime | None]] = {}
    for root, created, unknown in models.select("family_root", "created_at", "created_at_unknown").iter_rows():
        if root is not None:
            fams.setdefault(root, []).append(None if created is None or unknown else created)
    fams = {r: v for r, v in fams.items() if len(v) >= 2}
    rates: dict[str, list[float]] = {"SLM": [], "LLM": []}
    for root, created in fams.items():
        dated = [c for c in created if c is not None]
        if len(dated) < 2 or size.get(root) is None:
            continue
        months = max((as_of - min(dated).date()).days / 30.4375, 1)
        rates["SLM" if size[root] < t else "LLM"].append((len(dated) - 1) / months)
    members = sum(len(v) for v in fams.values())
    return rates, sum(1 for v in fams.values() for c in v if c is not None) / members


def claim4(raw: dict[str, pl.DataFrame], t: float) -> tuple[dict[str, str], str]:
    size = dict(zip(raw["models"]["model_id"], raw["models"]["params_total"], strict=True))
    links = raw["model_lineage"].filter(pl.col("relation").is_in(["finetune", "adapter"]))
    children: dict[str, int] = {}
    for parent in links["parent_id"]:
        if size.get(parent) is not None:
            children[parent] = children.get(parent, 0) + 1
    slm = [n for p, n in children.items() if size[p] < t]
    llm = [n for p, n in children.items() if size[p] >= t]
    values = {}
    if slm and llm:
        values["figure"] = f"{(sum(slm) / len(slm)) / (sum(llm) / len(llm)):.2f}×"
    enough_bases = len(slm) >= 30 and len(llm) >= 30
    finetune = ratio_verdict(sum(slm) / len(slm), sum(llm) / len(llm), True) if enough_bases else CANT
    rates, dated_share = cadence(raw, t)
    med = {c: statistics.median(v) for c, v in rates.items() if v}
    for key, cls in (("detail_4", "SLM"), ("detail_5", "LLM")):
        if cls in med:
            values[key] = f"{med[cls]:.3f} a month"
    if len(med) == 2 and med["LLM"]:
        values["detail_3"] = f"{med['SLM'] / med['LLM']:.2f}×"
    enough = len(rates["SLM"]) >= 30 and len(rates["LLM"]) >= 30 and dated_share >= 0.5
    cad = ratio_verdict(med.get("SLM", 0), med.get("LLM", 0), enough and len(med) == 2)
    parts = {finetune, cad}
    verdict = ("supported" if "supported" in parts and "not supported" not in parts else
               "not supported" if "not supported" in parts and "supported" not in parts else CANT)  # fmt: skip
    return values, verdict


def claim5(raw: dict[str, pl.DataFrame], t: float) -> tuple[dict[str, str], str]:
    m = lm_sized(raw["models"], t)
    small = pl.col("device_class").is_in(["phone", "laptop"])

    def share(part: pl.DataFrame) -> float:
        known = part.filter(pl.col("device_class").is_not_null())
        return known.filter(small)["dl"].sum() / known["dl"].sum()

    slm = m.filter(pl.col("slm"))
    coverage = slm.filter(pl.col("device_class").is_not_null())["dl"].sum() / slm["dl"].sum()
    figure = share(slm)
    verdict = CANT if coverage < 0.5 else "supported" if figure >= 0.75 else "not supported"
    return {"figure": pct(figure), "detail_2": pct(share(m.filter(~pl.col("slm"))))}, verdict


def claim6(raw: dict[str, pl.DataFrame], t: float) -> tuple[dict[str, str], str]:
    m = lm_sized(raw["models"], t)
    known = m.filter(pl.col("license_tier").is_not_null() & (pl.col("license_tier") != "unknown"))
    restricted = pl.col("license_tier").is_in(["open-restricted", "non-commercial"])
    shares = {}
    for cls, flag in (("SLM", True), ("LLM", False)):
        part = known.filter(pl.col("slm") == flag)
        shares[cls] = part.filter(restricted)["dl"].sum() / part["dl"].sum()
    coverage = known["dl"].sum() / m["dl"].sum()
    verdict = CANT if coverage < 0.5 else "supported" if max(shares.values()) >= 0.20 else "not supported"
    return {"figure": pct(shares["SLM"]), "detail_2": pct(shares["LLM"])}, verdict


def claim7(raw: dict[str, pl.DataFrame], t: float) -> tuple[dict[str, str], str]:
    as_of = raw["models"]["last_seen_at"].max()
    m = lm_sized(raw["models"], t)
    dated = m.filter(pl.col("created_at").is_not_null() & ~pl.col("created_at_unknown").fill_null(False))

    def median_age(part: pl.DataFrame) -> float:
        rows = sorted(((as_of - c).days / 30.4375, d) for c, d in zip(part["created_at"], part["dl"], strict=True)
                      if d > 0)  # fmt: skip
        total, run = sum(d for _, d in rows), 0
        for age, d in rows:
            run += d
            if run >= total / 2:
                return age
        raise AssertionError("no downloads")

    slm_med = median_age(dated.filter(pl.col("slm")))
    coverage = dated.filter(pl.col("slm"))["dl"].sum() / m.filter(pl.col("slm"))["dl"].sum()
    verdict = CANT if coverage < 0.5 else "supported" if slm_med <= 12 else "not supported"
    return {"figure": f"{slm_med:.1f} months", "detail_2": f"{median_age(dated.filter(~pl.col('slm'))):.1f} months"}, \
        verdict  # fmt: skip


EXPECTED = [claim1, claim2, claim3, claim4, claim5, claim6, claim7]


def shown(at: AppTest) -> list[tuple[list[str], str]]:
    """Per claim (page order): the values of its metric tiles and its verdict."""
    verdicts = [
        re.search(r"\*\*Verdict: (.+?)\.\*\*", m.value).group(1) for m in at.markdown if "**Verdict:" in m.value
    ]
    tiles = [m.value for m in at.metric]
    return tiles, verdicts


@pytest.mark.parametrize(("label", "threshold"), [("10B", 10e9), ("70B", 70e9)])
def test_each_claim_figure_and_verdict_equal_independent_computation(page, raw, label: str, threshold: float) -> None:  # noqa: ANN001
    at = page(label)
    tiles, verdicts = shown(at)
    assert len(verdicts) == len(EXPECTED)
    for i, compute in enumerate(EXPECTED):
        values, verdict = compute(raw, threshold)
        assert verdicts[i] == verdict, (i + 1, verdicts[i], verdict)
        for value in values.values():
            assert value in tiles, (i + 1, value, tiles)


def test_each_claim_shows_its_sql_file(page) -> None:  # noqa: ANN001
    at = page("10B")
    codes = [c.value.strip() for c in at.code]
    for name in FILES:
        assert (REPO_ROOT / "sql" / "claims" / f"{name}.sql").read_text().strip() in codes, name
    assert {r for r in [m.value for m in at.caption] if "Rule:" in r}, "each claim states its rule"


def test_claim_sql_runs_as_is_on_the_db(fixture_db: Path) -> None:
    """The files need no dashboard session: plain duckdb on the DB file, defaults from getvariable, one row each."""
    with duckdb.connect(str(fixture_db), read_only=True) as con:
        for name in FILES:
            rows = con.sql((REPO_ROOT / "sql" / "claims" / f"{name}.sql").read_text()).fetchall()
            assert len(rows) == 1, name


def age_series(raw: dict[str, pl.DataFrame], t: float, series: str) -> dict[tuple[dt.date, str], float]:
    """Claim 7 over time, from the decoded model_snapshots rows: on each month's last date of the series, per class,
    the download-weighted median age (months) of dated, sized language models."""
    snaps = raw["model_snapshots"].filter(pl.col("series") == series)
    picked = snaps.group_by(pl.col("snapshot_date").dt.truncate("1mo").alias("month")).agg(
        pl.col("snapshot_date").max()
    )
    m = lm_sized(raw["models"], t).filter(
        pl.col("created_at").is_not_null() & ~pl.col("created_at_unknown").fill_null(False)
    )
    out = {}
    for day in picked["snapshot_date"]:
        rows = snaps.filter(pl.col("snapshot_date") == day)
        rows = rows.filter(pl.col("snapshot_at") == pl.col("snapshot_at").max().over("model_id"))
        rows = rows.select("model_id", d=pl.col("downloads_30d").fill_null(0)).join(
            m.select("model_id", "created_at", "slm"), on="model_id"
        )
        for cls, flag in (("SLM", True), ("LLM", False)):
            part = sorted(((day - c.date()).days / 30.4375, d) for _, d, c, slm in rows.iter_rows()
                          if slm == flag and d > 0)  # fmt: skip
            total, run = sum(d for _, d in part), 0
            for age, d in part:
                run += d
                if run >= total / 2:
                    out[(day, cls)] = age
                    break
    return out


def age_chart_rows(at: AppTest) -> list[dict]:
    for rows in datasets(at):
        if rows and "median_age_months" in rows[0]:
            return rows
    raise AssertionError("no median-age chart on the claims page")


@pytest.mark.parametrize(("label", "threshold"), [("10B", 10e9), ("70B", 70e9)])
def test_claim7_age_over_time_chart_equals_independent_computation(page, raw, label: str, threshold: float) -> None:  # noqa: ANN001
    at = page(label)
    series = at.selectbox(key="series").value
    expected = age_series(raw, threshold, series)
    assert expected, "the fixture series has dated downloads"
    rows = age_chart_rows(at)
    got = {(dt.date.fromisoformat(str(r["snapshot_date"])[:10]), r["cls"]): r["median_age_months"] for r in rows}
    assert got.keys() == expected.keys()
    for key, age in expected.items():
        assert got[key] == pytest.approx(age, abs=1e-9), key


def test_series_sql_runs_as_is_on_the_db(fixture_db: Path) -> None:
    with duckdb.connect(str(fixture_db), read_only=True) as con:
        for name in SERIES_FILES:
            rel = con.sql((REPO_ROOT / "sql" / "claims" / f"{name}.sql").read_text())
            assert {"snapshot_date", "cls", "median_age_months", "models"} <= set(rel.columns), name
            assert rel.fetchall(), name


@pytest.mark.parametrize("threshold", [3e9, 10e9])
def test_claim4_cadence_on_bundled_data_equals_independent_computation(bundled_db: Path, threshold: float) -> None:
    """The fixture has too few families for the cadence ratio: check the SQL's row on the bundled data (~400
    families) against the same computation from raw rows."""
    with duckdb.connect(str(bundled_db), read_only=True) as con:
        bundled = {t: con.sql(f"SELECT * FROM {t}").pl() for t in ("models", "model_lineage")}
        con.execute(f"SET VARIABLE threshold = {threshold}")
        rel = con.sql((REPO_ROOT / "sql" / "claims" / "04_finetuning.sql").read_text())
        row = dict(zip(rel.columns, rel.fetchall()[0], strict=True))
    rates, dated_share = cadence(bundled, threshold)
    assert len(rates["SLM"]) >= 30 and len(rates["LLM"]) >= 30
    assert row["detail_4"] == pytest.approx(statistics.median(rates["SLM"]), rel=1e-12)
    assert row["detail_5"] == pytest.approx(statistics.median(rates["LLM"]), rel=1e-12)
    assert row["detail_3"] == pytest.approx(row["detail_4"] / row["detail_5"], rel=1e-12)
    members = bundled["models"].filter(pl.col("family_root").is_not_null()).group_by("family_root").len()
    in_family = members.filter(pl.col("len") >= 2)["len"].sum()
    assert row["family_coverage"] == pytest.approx(in_family / bundled["models"].height, rel=1e-12)
    assert dated_share >= 0.5
    values, verdict = claim4(bundled, threshold)
    assert row["verdict"] == verdict
    assert f"{row['figure']:.2f}×" == values["figure"]
