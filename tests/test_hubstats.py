"""The hub-stats dump: columnar import (same rules as the per-record path), revisions through the real
huggingface_hub client and the stand-in Hub, backfill (missing file, 5xx burst, resume after kill -9) and the
daily downloads derived from consecutive all-time counts. Fixtures: tests/data/README.md."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import orjson
import polars as pl
import pytest
from helpers import shorten_sleeps

from hubscope_testing.datasets import Commit, DatasetHost, DatasetRepo
from hubscope_testing.hubstats_files import api_records, revision_files
from hubscope_testing.standin import StandinHub
from pipeline.backfill import BackfillResult, Revision, backfill, choose_revisions, refresh_source
from pipeline.database import load_sql
from pipeline.ingest.hubstats import HubStatsSchemaError, HubStatsSource, bundled_sample, hub_stats_source
from pipeline.ingest.normalize import Normalizer

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
SAMPLE = DATA / "hubstats-sample-fixture.parquet"
DAILY = DATA / "hubstats-daily-fixture.parquet"
REPO = "cfahlgren1/hub-stats"
# Tests that share a module-scoped build run on one xdist worker, so it is built once.
ON_THE_HUB = pytest.mark.xdist_group("hubstats-hub")  # the stand-in Hub with the revisions, and the backfill of them
ON_THE_SAMPLE = pytest.mark.xdist_group("hubstats-sample")  # sample_db


def rows(db: Path, sql: str, params: dict | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql(sql, params=params).fetchall()
    finally:
        con.close()


def sha_of(day: date) -> str:
    return day.strftime("%Y%m%d").ljust(40, "a")


@pytest.fixture(scope="module")
def revisions(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[date, Path]]:
    return revision_files(SAMPLE, DAILY, tmp_path_factory.mktemp("revisions"))


def dataset_host(revisions: list[tuple[date, Path]], missing: set[date] = frozenset()) -> DatasetHost:
    """One commit per revision file at 06:00 UTC of its day (a second, older commit the same day is kept out
    by the newest-per-day rule), page size 3 so the listing pages."""
    commits = [
        Commit(sha_of(day), datetime(day.year, day.month, day.day, 6, tzinfo=UTC),
               {} if day in missing else {"models.parquet": path})
        for day, path in revisions
    ]  # fmt: skip
    first = revisions[0][0]
    commits.append(Commit("0" * 40, datetime(first.year, first.month, first.day, 1, tzinfo=UTC), {}))
    return DatasetHost([DatasetRepo(REPO, commits, page_size=3)])


@pytest.fixture(scope="module")
def hub(revisions: list[tuple[date, Path]]) -> Iterator[StandinHub]:
    with StandinHub([], datasets=dataset_host(revisions, missing={date(2026, 6, 16)})) as standin:
        yield standin


def run_backfill(db: Path, url: str) -> BackfillResult:
    return backfill(db, since=date(2026, 6, 1), every="day", endpoint=url, token=None, repo_id=REPO,
                    filename="models.parquet", keep_downloads=False, config_path=None)  # fmt: skip


@pytest.fixture(scope="module")
def backfilled(hub: StandinHub, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BackfillResult, int]:
    """A backfill of the 7 daily revisions; one has no models.parquet, and a burst of two 5xx hits the
    first downloads. Returns (db, result, 5xx answers served)."""
    db = tmp_path_factory.mktemp("backfill") / "hub.duckdb"
    hub.datasets.set_faults(server_errors=2)  # type: ignore[union-attr]
    with pytest.MonkeyPatch.context() as patch:
        shorten_sleeps(patch)
        result = run_backfill(db, hub.url)
    return db, result, len(hub.datasets.served(status=500))  # type: ignore[union-attr]


# ------------------------------------------------------------------------------------------- the import


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("sample") / "hub.duckdb"
    result = refresh_source(db, hub_stats_source(str(SAMPLE), endpoint=None, token=None))
    assert result.status == "ok", result.summary()
    return db


@ON_THE_SAMPLE
def test_columnar_import_equals_the_per_record_path(sample_db: Path) -> None:
    """Every column of every model, and every lineage link, as the crawl's normalizer makes them from the same
    records (the file's rows re-shaped as /api/models items)."""
    batch = Normalizer().batch(api_records(SAMPLE))
    expected = batch.models.sort("model_id")
    con = duckdb.connect(str(sample_db), read_only=True)
    got = con.sql(f"SELECT {', '.join(expected.columns)} FROM models ORDER BY model_id").pl()
    links = set(con.sql("SELECT child_id, parent_id, relation, source FROM model_lineage").fetchall())
    con.close()
    assert got.height == expected.height == 264 and batch.rejected.height == 0

    def canonical(frame: pl.DataFrame) -> list[dict]:
        out = frame.to_dicts()
        for row in out:
            row["safetensors_dtypes"] = row["safetensors_dtypes"] and json.loads(row["safetensors_dtypes"])
        return out

    assert canonical(got) == canonical(expected)
    assert links == set(batch.lineage.iter_rows())
    assert len(links) == 369


@ON_THE_SAMPLE
def test_the_sample_is_a_selection_dated_by_its_content(sample_db: Path) -> None:
    source = hub_stats_source(str(SAMPLE), endpoint=None, token=None)
    assert source.is_full is False and source.series == "hub"
    assert source.as_of == datetime(2026, 5, 20, 10, 25, 6)  # the newest lastModified in the file
    ((src, is_full, snapshot_at, origin, models),) = rows(
        sample_db,
        "SELECT r.source, r.is_full, max(s.snapshot_at), min(m.origin), count(DISTINCT m.model_id) FROM refresh_runs r "
        "JOIN model_snapshots s USING (run_id) JOIN models m USING (model_id) GROUP BY ALL",
    )
    assert "NOT the whole Hub" in src and str(SAMPLE) in src and is_full is False
    assert snapshot_at == datetime(2026, 5, 20, 10, 25, 6) and origin == "hub-stats" and models == 264
    ((series,),) = rows(sample_db, "SELECT DISTINCT series FROM model_snapshots")
    assert series == "hub"


BAD_ROWS = [  # (model, column, new value, the reason both paths give)
    ("google/gemma-2b", "downloads", -4, "downloads is negative: -4"),
    ("meetkai/functionary-small-v3.1", "likes", 10**13, f"likes is absurd: {10**13}"),
    ("CYFRAGOVPL/PLLuM-12B-nc-chat-2412", "id", "bad id", "id is not a valid Hub repo id: 'bad id'"),
]  # fmt: skip


def test_bad_rows_are_quarantined_with_the_same_reasons(tmp_path: Path) -> None:
    """Changed copies of real rows: a negative count, an absurd count, a bad id, a duplicate id and a cardData
    that is not JSON. Each is rejected with the reason the per-record normalizer gives, the rest goes in."""
    frame = pl.read_parquet(SAMPLE)
    for model, column, value, _ in BAD_ROWS:
        frame = frame.with_columns(
            pl.when(pl.col("id") == model).then(pl.lit(value)).otherwise(pl.col(column)).alias(column)
        )
    first = frame.row(0, named=True)["id"]
    duplicate = frame.head(1)
    broken_card = frame.slice(1, 1).with_columns(pl.lit("{not json").alias("cardData"))
    bad = pl.concat([frame, duplicate, broken_card.with_columns(pl.lit("x/broken-card").alias("id"))])
    path = tmp_path / "bad.parquet"
    bad.write_parquet(path)
    db = tmp_path / "hub.duckdb"
    assert refresh_source(db, hub_stats_source(str(path), endpoint=None, token=None)).status == "ok"

    got = {(m, r) for m, r in rows(db, "SELECT model_id, reason FROM rejected_records")}
    expected = {(m if c != "id" else v, reason) for m, c, v, reason in BAD_ROWS}
    expected |= {(first, "duplicate id in this run (first kept)"), ("x/broken-card", "cardData is not an object")}
    assert got == expected
    per_record = Normalizer().batch(api_records(path)).rejected
    assert {(m, r) for m, r, _ in per_record.iter_rows()} == expected
    raw = dict(rows(db, "SELECT model_id, raw_json FROM rejected_records"))
    assert orjson.loads(raw["google/gemma-2b"])["downloads"] == -4
    ((models,),) = rows(db, "SELECT count(*) FROM models")
    assert models == 264 - 3  # the duplicate and the broken-card copy were extra rows, both rejected


BASE_ROW = "NousResearch/Hermes-2-Pro-Mistral-7B"  # a real row with cardData, safetensors and baseModels
RELS = "finetune, quantized, adapter, merge"


def _variant(base: dict, model_id: str, **changes: object) -> dict:
    """A copy of the real row under another id; `card` (a dict merged into cardData), `gguf` (a dict, as JSON),
    `tags_plus` (appended tags), `base_models` ((relation, [ids])) and plain columns are changed."""
    row = {**base, "id": model_id, "author": None}
    card = {**orjson.loads(base["cardData"]), **changes.pop("card", {})}  # type: ignore[dict-item]
    row["cardData"] = orjson.dumps(card).decode()
    if "gguf" in changes:
        row["gguf"] = orjson.dumps(changes.pop("gguf")).decode()
    row["tags"] = [*base["tags"], *changes.pop("tags_plus", [])]  # type: ignore[misc]
    if "base_models" in changes:
        relation, ids = changes.pop("base_models")  # type: ignore[misc]
        row["baseModels"] = {"relation": relation, "models": [{"_id": "0" * 24, "id": i} for i in ids]}
    return {**row, **changes}


def _rule_rows(base: dict) -> tuple[list[dict], dict[str, str]]:
    """One row per rule of the crawl's normalizer (fields.py, normalize.py, checks.py), and good rows at the
    limits. Returns (rows, {model id: the reason the row must be quarantined with})."""
    long = "x" * 1001
    n_tags, n_parents = len(base["tags"]), 4  # the real row's: 25 tags; parents from all three places
    bad = {  # id -> (changes, reason)
        "..": ({}, "id is not a valid Hub repo id: '..'"),
        "../x": ({}, "id is not a valid Hub repo id: '../x'"),
        "-org/model": ({}, "id is not a valid Hub repo id: '-org/model'"),
        "org/model.": ({}, "id is not a valid Hub repo id: 'org/model.'"),
        "o" * 97 + "/m": ({}, "id is not a valid Hub repo id: " + repr("o" * 97 + "/m")[:120]),
        "org/" + "m" * 257: ({}, "id is not a valid Hub repo id: " + repr("org/" + "m" * 257)[:120]),
        "t/svg-parent": ({"base_models": ("finetune", ["<svg onload=alert(1)>"])},
                         "base model id (from baseModels) is not a valid Hub repo id: '<svg onload=alert(1)>'"),
        "t/svg-relation": ({"base_models": ("<svg>", ["org/parent"])},
                           f"baseModels.relation is not one of {RELS}: '<svg>'"),
        "t/tag-relation": ({"tags_plus": ["base_model:evil:org/parent"]},
                           f"tag base_model relation is not one of {RELS}: 'base_model:evil:org/parent'"),
        "t/tag-parent": ({"tags_plus": ["base_model:adapter:../etc"]},
                         "base model id (from tag) is not a valid Hub repo id: '../etc'"),
        "t/card-parent": ({"card": {"base_model": ["org/ok", "a..b"]}},
                          "base model id (from cardData) is not a valid Hub repo id: 'a..b'"),
        "t/parents-201": ({"card": {"base_model": [f"org/p{i}" for i in range(201 - n_parents + 1)]}},
                          "201 base models (more than 200)"),  # the card's one parent replaced by these
        "t/long-tag": ({"tags_plus": ["ok", long]}, "tags has a value of 1,001 characters (more than 1,000)"),
        "t/tags-2001": ({"tags_plus": [f"t{i}" for i in range(2001 - n_tags)]},
                        "tags has 2,001 entries (more than 2,000)"),
        "t/languages": ({"card": {"language": [f"l{i}" for i in range(2001 - n_tags)]}},
                        f"cardData.language has {2001 - n_tags:,} entries (more than 2,000 tags)"),
        "t/long-author": ({"author": long}, "author has a value of 1,001 characters (more than 1,000)"),
        "t/long-pipeline": ({"pipeline_tag": long}, "pipeline_tag has a value of 1,001 characters (more than 1,000)"),
        "t/long-language": ({"card": {"language": ["en", long]}},
                            "tags has a value of 1,001 characters (more than 1,000)"),
        "t/long-licence": ({"card": {"license": long}},
                           "license_raw has a value of 1,001 characters (more than 1,000)"),
        "t/licence-dicts": ({"card": {"license": [{"a": 1}, 3]}},
                            "cardData.license is not a string or a list of strings"),
        "t/licence-number": ({"card": {"license": 3}}, "cardData.license is not a string"),
        "t/gguf-ctx-2-63": ({"gguf": {"total": 10, "context_length": 2**63}},
                            f"gguf.context_length is absurd: {2**63}"),
        "t/gguf-ctx-over": ({"gguf": {"context_length": 10**9 + 1}}, f"gguf.context_length is absurd: {10**9 + 1}"),
        "t/gguf-long-arch": ({"gguf": {"architecture": long}},
                             "gguf_architecture has a value of 1,001 characters (more than 1,000)"),
        "t/old-date": ({"lastModified": datetime(1999, 1, 2, 3, 4, 5)},
                       "lastModified is out of range: 1999-01-02T03:04:05.000Z"),
        # two problems: the reason is the first the per-record path meets (fields, then dates, then caps)
        "t/two-date-count": ({"createdAt": datetime(2099, 1, 1), "downloads": -1}, "downloads is negative: -1"),
        "t/two-cap-licence": ({"author": long, "card": {"license": [1]}},
                              "cardData.license is not a string or a list of strings"),
        "t/two-tag-parent": ({"tags_plus": ["base_model:../x", "base_model:bad:a/b"]},
                             f"tag base_model relation is not one of {RELS}: 'base_model:bad:a/b'"),
    }  # fmt: skip
    good = {
        "o" * 96 + "/" + "m" * 256: {},  # both parts at their caps
        "a_b.c-d/e.f_g-h": {"base_models": ("adapter", ["org/x.y"]), "tags_plus": ["base_model:merge:org/z_1"]},
        # 1,999 tags + the card's one language = 2,000 (the language is among the tags already: stored once)
        "t/limits": {"tags_plus": [f"t{i}" for i in range(1998 - n_tags)] + ["x" * 1000], "author": "a" * 1000},
        "t/parents-200": {"card": {"base_model": [f"org/p{i}" for i in range(200 - n_parents + 1)]}},
        "t/licences": {"card": {"license": ["mit", None, "", "apache-2.0"], "language": ["en", "fr", "fr", "de"]}},
        "t/gguf-ctx-1e9": {"gguf": {"total": 10, "context_length": 10**9, "architecture": "llama"}},
    }
    rows = [_variant(base, i, **changes) for i, changes in good.items()]  # type: ignore[arg-type]
    rows += [_variant(base, i, **changes) for i, (changes, _) in bad.items()]  # type: ignore[arg-type]
    return rows, {i: reason for i, (_, reason) in bad.items()}


def _import(tmp_path: Path, frame: pl.DataFrame, name: str) -> tuple[Path, Path]:
    path = tmp_path / f"{name}.parquet"
    frame.write_parquet(path)
    db = tmp_path / f"{name}.duckdb"
    result = refresh_source(db, hub_stats_source(str(path), endpoint=None, token=None))
    assert result.status == "ok", result.summary()
    return path, db


def _same_as_per_record(path: Path, db: Path) -> set[tuple[str, str]]:
    """The importer's quarantine, after asserting it and the models and links it kept are what the per-record
    normalizer makes of the same records."""
    batch = Normalizer().batch(api_records(path))
    got = {(m, r) for m, r in rows(db, "SELECT model_id, reason FROM rejected_records")}
    assert got == {(m, r) for m, r, _ in batch.rejected.iter_rows()}
    expected = batch.models.sort("model_id")
    con = duckdb.connect(str(db), read_only=True)
    models = con.sql(f"SELECT {', '.join(expected.columns)} FROM models ORDER BY model_id").pl()
    links = set(con.sql("SELECT child_id, parent_id, relation, source FROM model_lineage").fetchall())
    con.close()
    assert models.drop("safetensors_dtypes").to_dicts() == expected.drop("safetensors_dtypes").to_dicts()
    assert links == set(batch.lineage.iter_rows())
    return got


def test_every_crawl_rule_quarantines_the_same_dump_rows_with_the_same_reasons(tmp_path: Path) -> None:
    """A parquet in the dump's schema with one row per rule (Hub id grammar for ids and parent ids, known
    relations, the 1,000-character / 2,000-tag / 200-parent caps, licence lists, gguf context) and good rows at
    each limit: the importer quarantines exactly the bad rows, with the reasons normalize gives the same records,
    and keeps the good ones exactly as it does."""
    sample = pl.read_parquet(SAMPLE)
    base = sample.filter(pl.col("id") == BASE_ROW).row(0, named=True)
    built, reasons = _rule_rows(base)
    path, db = _import(tmp_path, pl.DataFrame(built, schema=sample.schema), "rules")
    assert _same_as_per_record(path, db) == set(reasons.items())
    ((models, links),) = rows(db, "SELECT count(*), (SELECT count(*) FROM model_lineage) FROM models")
    # links of the good rows: 1 each (the real row's), 3 on the adapter/merge row, 1 + 197 on parents-200
    assert models == 6 and links == 1 + 3 + 1 + (1 + 197) + 1 + 1
    ((tags,),) = rows(db, "SELECT len(tags) FROM models WHERE model_id = 't/limits'")
    assert tags == 1999
    ((languages, licence),) = rows(db, "SELECT tags[-2:], license_raw FROM models WHERE model_id = 't/licences'")
    assert languages == ["fr", "de"] and licence == "mit,apache-2.0"  # each language once; empty licences left out


@pytest.mark.parametrize(
    ("dtype", "values", "bad"),
    [
        (pl.Boolean(), [False, True, None], {}),
        (pl.String(), ["auto", "manual", "yes", None], {"g/2": "gated is not false/auto/manual: 'yes'"}),
        (pl.Int64(), [0, None], {"g/0": "gated is not false/auto/manual: 0"}),
    ],
)
def test_gated_is_only_false_auto_or_manual(tmp_path: Path, dtype: pl.DataType, values: list, bad: dict) -> None:
    """The dump has no gated column today; one that comes (boolean, text or number) follows the crawl's rule:
    false, "auto", "manual" (and true, what older clients wrote, as manual); `0` is not false."""
    sample = pl.read_parquet(SAMPLE)
    base = sample.filter(pl.col("id") == BASE_ROW)
    frame = pl.concat([base.with_columns(pl.lit(f"g/{i}").alias("id")) for i in range(len(values))])
    frame = frame.with_columns(pl.Series("gated", values, dtype=dtype))
    path, db = _import(tmp_path, frame, "gated")
    assert _same_as_per_record(path, db) == set(bad.items())
    stored = dict(rows(db, "SELECT model_id, gated FROM models"))
    mapped = {False: "no", True: "manual", "auto": "auto", "manual": "manual", None: None}
    assert stored == {f"g/{i}": mapped[v] for i, v in enumerate(values) if f"g/{i}" not in bad}


def test_another_schema_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "other.parquet"
    pl.DataFrame({"model_id": ["a/b"], "downloads": [1]}).write_parquet(path)
    with pytest.raises(HubStatsSchemaError, match="no column id, likes, tags"):
        hub_stats_source(str(path), endpoint=None, token=None).columns()
    pl.DataFrame({"id": ["a/b"], "downloads": ["1"], "likes": [1], "tags": [["x"]]}).write_parquet(path)
    with pytest.raises(HubStatsSchemaError, match="downloads is VARCHAR, expected an integer"):
        HubStatsSource(path).check()


@ON_THE_HUB
def test_import_of_a_revision_through_the_real_client(hub: StandinHub, tmp_path: Path) -> None:
    sha = sha_of(date(2026, 7, 2))
    source = hub_stats_source(sha, endpoint=hub.url, token=None)
    source.cache_dir = tmp_path / "cache"
    assert source.revision == sha and source.as_of == datetime(2026, 7, 2, 6) and source.is_full
    db = tmp_path / "hub.duckdb"
    result = refresh_source(db, source)
    assert result.status == "ok", result.summary()
    ((src, is_full),) = rows(db, "SELECT source, is_full FROM refresh_runs")
    assert src == f"hub-stats:{REPO}@{sha} models.parquet (whole Hub)" and is_full is True
    (day_value,) = rows(
        db, "SELECT downloads_all_time FROM model_snapshots WHERE model_id = 'google/gemma-2b' AND series = 'hub'"
    )
    expected = pl.read_parquet(DAILY).filter(
        (pl.col("model_id") == "google/gemma-2b") & (pl.col("snapshot_date") == date(2026, 7, 2))
    )["downloads_all_time"][0]
    assert day_value == (expected,)
    ((snapshot_at,),) = rows(db, "SELECT DISTINCT snapshot_at FROM model_snapshots")
    assert snapshot_at == datetime(2026, 7, 2, 6)
    main = hub_stats_source(None, endpoint=hub.url, token=None)
    assert main.revision == sha_of(date(2026, 7, 3))  # no argument: main = the newest commit
    with pytest.raises(Exception, match="Revision Not Found|RevisionNotFound|404"):
        hub_stats_source("f" * 40, endpoint=hub.url, token=None)


# ------------------------------------------------------------------------------------------- backfill


def test_choose_one_revision_per_period() -> None:
    commits = [Revision(f"{i}", datetime(2026, 6, d, h)) for i, (d, h) in enumerate([(1, 5), (1, 9), (2, 1), (8, 3),
               (9, 4), (30, 2)])]  # fmt: skip
    assert [r.sha for r in choose_revisions(commits, since=date(2026, 6, 1), every="day")] == ["1", "2", "3", "4", "5"]
    assert [r.sha for r in choose_revisions(commits, since=date(2026, 6, 1), every="week")] == ["2", "4", "5"]
    assert [r.sha for r in choose_revisions(commits, since=date(2026, 6, 2), every="month")] == ["5"]
    with pytest.raises(ValueError, match="every must be one of day, week, month"):
        choose_revisions(commits, since=date(2026, 6, 1), every="year")


@ON_THE_HUB
def test_backfill_with_a_missing_file_and_a_5xx_burst(backfilled: tuple[Path, BackfillResult, int]) -> None:
    db, result, server_errors = backfilled
    assert result.chosen == 7 and len(result.imported) == 6 and not result.ok
    assert result.failed == {sha_of(date(2026, 6, 16)): "no models.parquet at this revision"}
    assert "7 revisions chosen, 6 imported, 0 already in the DB, 1 failed" in result.summary()
    assert server_errors == 2  # answered, retried by the client, and every other revision still came in
    dates = [d for (d,) in rows(db, "SELECT DISTINCT snapshot_date FROM model_snapshots ORDER BY 1")]
    assert dates == [date(2026, 6, d) for d in (5, 15, 17)] + [date(2026, 7, d) for d in (1, 2, 3)]
    ((runs, oks),) = rows(db, "SELECT count(*), count(*) FILTER (status = 'ok') FROM refresh_runs")
    assert (runs, oks) == (7, 6)  # the revision that did not come in is a failed run, named with its reason
    ((source, error),) = rows(db, "SELECT source, error FROM refresh_runs WHERE status = 'failed'")
    assert sha_of(date(2026, 6, 16)) in source and error == "no models.parquet at this revision"
    assert not list(db.parent.glob("hubstats-*"))  # downloads deleted


@ON_THE_HUB
def test_backfill_again_skips_what_is_in(backfilled: tuple[Path, BackfillResult, int], hub: StandinHub) -> None:
    db, first, _ = backfilled
    again = run_backfill(db, hub.url)
    assert again.imported == [] and again.skipped == first.imported and list(again.failed) == list(first.failed)


@ON_THE_HUB
def test_daily_downloads_equal_hand_computed_differences(
    backfilled: tuple[Path, BackfillResult, int], tmp_path: Path
) -> None:
    db = backfilled[0]
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(db.read_bytes())
    con = duckdb.connect(str(copy))
    built = con.sql("SELECT count(*) FROM daily_downloads").fetchall()
    con.execute(load_sql("daily_downloads"))  # the refresh ran it once; again is the same (idempotent)
    assert con.sql("SELECT count(*) FROM daily_downloads").fetchall() == built
    got = con.sql(
        "SELECT snapshot_date, previous_date, days, all_time_change, downloads_per_day, counter_went_down "
        "FROM daily_downloads WHERE model_id = 'google/gemma-2b' AND series = 'hub' ORDER BY snapshot_date"
    ).fetchall()
    totals = dict(con.sql("SELECT snapshot_date, downloads_per_day FROM daily_downloads_by_date").fetchall())
    con.close()
    # By hand, from the fixture's real values (2026-06-16 is missing from the backfill: its file was missing).
    gemma = dict(pl.read_parquet(DAILY).filter(pl.col("model_id") == "google/gemma-2b")
                 .select("snapshot_date", "downloads_all_time").iter_rows())  # fmt: skip
    days = [
        date(2026, 6, 5),
        date(2026, 6, 15),
        date(2026, 6, 17),
        date(2026, 7, 1),
        date(2026, 7, 2),
        date(2026, 7, 3),
    ]
    expected = []
    for before, after in zip(days, days[1:], strict=False):
        change = gemma[after] - gemma[before]
        span = (after - before).days
        expected.append((after, before, span, change, max(change, 0) / span, change < 0))
    assert got == expected
    assert got[0][3] == -5168 and got[0][4] == 0.0 and got[0][5] is True  # the counter went down on 06-15
    daily = pl.read_parquet(DAILY).filter(pl.col("snapshot_date").is_in(days)).sort("model_id", "snapshot_date")
    steps = daily.with_columns(
        (pl.col("downloads_all_time").diff().over("model_id")).alias("change"),
        (pl.col("snapshot_date").diff().over("model_id").dt.total_days()).alias("span"),
    ).drop_nulls("change")
    by_date = steps.group_by("snapshot_date").agg((pl.col("change").clip(0) / pl.col("span")).sum())
    assert totals == pytest.approx(dict(by_date.iter_rows()))


@ON_THE_HUB
def test_resume_after_kill_9_imports_only_what_was_missing(revisions: list[tuple[date, Path]], tmp_path: Path) -> None:
    host = dataset_host(revisions[-4:])
    host.set_faults(file_delay_s=0.3)
    db = tmp_path / "hub.duckdb"
    with StandinHub([], datasets=host) as hub:
        code = (
            "import sys; from datetime import date; from pathlib import Path; from pipeline.backfill import backfill; "
            f"backfill(Path({str(db)!r}), since=date(2026, 6, 1), every='day', endpoint={hub.url!r}, token=None, "
            f"repo_id={REPO!r}, filename='models.parquet', keep_downloads=False, config_path=None)"
        )
        env = {**os.environ, "PYTHONPATH": str(ROOT), "TQDM_DISABLE": "1"}
        child = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and child.poll() is None:
            if db.exists() and _ok_sources(db):
                break
            time.sleep(0.1)
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        before = _ok_sources(db)
        assert 1 <= len(before) < 4, "the kill came after the backfill ended: nothing to resume"
        host.set_faults()
        host.requests.clear()
        result = run_backfill(db, hub.url)
    assert result.ok and len(result.skipped) == len(before) and len(result.imported) == 4 - len(before)
    downloaded = {r.path.split("/")[5] for r in host.served(method="GET") if "/resolve/" in r.path}
    assert downloaded == set(result.imported)  # only the missing revisions were fetched again
    assert len(_ok_sources(db)) == 4
    ((dates,),) = rows(db, "SELECT count(DISTINCT snapshot_date) FROM model_snapshots")
    assert dates == 4


def _ok_sources(db: Path) -> list[str]:
    try:
        return [s for (s,) in rows(db, "SELECT source FROM refresh_runs WHERE status = 'ok'")]
    except duckdb.Error:  # the file is being swapped in this instant
        return []


# ------------------------------------------------------------------------------------------- validation


def validation(db: Path) -> dict[str, dict]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        con.execute("SET VARIABLE published_figures = $p", {"p": str(ROOT / "data" / "published_figures.csv")})
        frame = con.sql(load_sql("queries/validation")).pl()
    finally:
        con.close()
    return {r["figure_id"]: r for r in frame.iter_rows(named=True)}


@ON_THE_HUB
def test_validation_uses_the_nearest_whole_hub_snapshot(backfilled: tuple[Path, BackfillResult, int]) -> None:
    db = backfilled[0]
    got = validation(db)
    assert len(got) == 13 and all(r["comparable"] for r in got.values())
    # Summer 2026 (dated 2026-07-15) → the 2026-07-03 revision; Spring 2026 and 2025 figures → the oldest, 06-05
    assert got["hf_under_1b"]["basis_snapshot_at"] == datetime(2026, 7, 3, 6)
    assert got["hf_top200"]["basis_snapshot_at"] == got["lb_models"]["basis_snapshot_at"] == datetime(2026, 6, 5, 6)
    con = duckdb.connect(str(db), read_only=True)
    (models, share) = con.sql(
        "SELECT count(*), sum(s.downloads_all_time) FILTER (m.params_total < 1e9) / sum(s.downloads_all_time) "
        "FROM model_snapshots s JOIN models m USING (model_id) WHERE s.snapshot_at = TIMESTAMP '2026-07-03 06:00:00'"
    ).fetchall()[0]
    con.close()
    assert models == 256 and got["hf_under_1b"]["our_value"] == pytest.approx(share)
    assert got["hf_under_1b"]["downloads_used"] == "all-time"
    assert got["lb_models"]["our_value"] == 248 and got["lb_models"]["published_value"] == 2_126_833


@ON_THE_SAMPLE
def test_validation_on_a_selection_says_so(sample_db: Path) -> None:
    got = validation(sample_db)
    assert not any(r["comparable"] for r in got.values())
    assert {r["basis"] for r in got.values()} == {"every model in the DB (a selection, not the whole Hub)"}
    assert got["hs_models"]["our_value"] == 264 and got["hs_safetensors"]["our_value"] == pytest.approx(229 / 264)


# ------------------------------------------------------------------------------------------- the bundled default


def test_bundled_snapshot_carries_the_hub_stats_files() -> None:
    snap = ROOT / "data" / "snapshot"
    manifest = json.loads((snap / "manifest.json").read_text())
    sample = bundled_sample(snap)
    assert sample is not None and sample.path == snap / manifest["hub_stats"]
    sample.check()
    assert sample.rows() == manifest["hub_stats_rows"] == 3278 and sample.is_full is False
    with gzip.open(snap / "models.jsonl.gz") as f:
        snapshot_ids = {orjson.loads(line)["id"] for line in f}
    ids = set(pl.read_parquet(snap / manifest["hub_stats"])["id"])
    assert not ids & snapshot_ids  # the catalog's newer metadata is never replaced by the May dump
    history = pl.read_parquet(snap / "history.parquet")
    daily = history.filter(pl.col("series") == "hubstats-daily")
    assert daily.height == 138_700 and daily["downloads_all_time"].null_count() == 0
    assert daily.filter(pl.col("snapshot_date") == date(2026, 7, 2)).height == 4050  # a fixed population
    ref = pl.read_parquet(snap / "reference_params.parquet")
    assert ref["model_id"].n_unique() == ref.height
    mini = ref.filter(pl.col("model_id") == "sentence-transformers/all-MiniLM-L6-v2").row(0, named=True)
    assert mini["params_total"] == 22_713_216 and mini["source"].startswith("mteb-model-meta-2026-10")
