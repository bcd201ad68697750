"""The real huggingface_hub client, through the stand-in Hub, into a real DuckDB file: the normal path.

Faults (rate limits, 5xx, resets, bad pages and records, kills, the token) are in tests/test_faults.py."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from helpers import built_once
from helpers import sql_rows as rows

from hubscope_testing.standin import StandinHub, load_records
from pipeline.cli import main
from pipeline.ingest.crawl import FetchOptions
from pipeline.refresh import refresh as run_refresh
from pipeline.refresh import refresh_from_hub
from pipeline.store.runlog import journal_path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "data" / "hub-records-sample.jsonl.gz"  # real records, see tests/data/README.md
RECORDS = load_records(SAMPLE)


@pytest.fixture
def hub() -> Iterator[StandinHub]:
    with StandinHub(RECORDS, page_size=1000) as server:
        yield server


def refresh(db: Path, hub: StandinHub, **options: object):
    return refresh_from_hub(db, FetchOptions(endpoint=hub.url, **options))  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A DB after one full refresh of RECORDS, built once per run (the tests of a second refresh copy it)."""

    def build(folder: Path) -> None:
        with StandinHub(RECORDS, page_size=1000) as server:
            assert refresh(folder / "hub.duckdb", server).status == "ok"

    return built_once(tmp_path_factory, "first-run", build) / "hub.duckdb"


@pytest.fixture
def refreshed_once(first_run: Path, tmp_path: Path) -> Path:
    """A writable copy of first_run, with its journal."""
    db = tmp_path / "hub.duckdb"
    shutil.copyfile(first_run, db)
    shutil.copyfile(journal_path(first_run), journal_path(db))
    return db


def test_full_refresh_follows_pages_into_duckdb(tmp_path: Path, hub: StandinHub) -> None:
    db = tmp_path / "hub.duckdb"
    result = refresh(db, hub)
    assert result.status == "ok", result.error
    listing = [r for r in hub.requests if r.path == "/api/models"]
    assert len(listing) >= 4 and sum("cursor=" in r.query for r in listing) >= 3
    assert result.counts["pages_fetched"] == len(listing) == 4
    ids_in_db = {r[0] for r in rows(db, "SELECT model_id FROM models")}
    assert ids_in_db == {r["id"] for r in RECORDS}
    (run,) = rows(db, "SELECT status, is_full, pages_fetched, models_seen, models_new FROM refresh_runs")
    assert run == ("ok", True, 4, len(RECORDS), len(RECORDS))
    # every field asked for arrived and was kept
    (with_st, with_gguf, with_base, with_license, sentinel) = rows(
        db,
        "SELECT count(safetensors_total), count(gguf_total), count(*) FILTER (len(base_models) > 0), "
        "count(license_raw), count(*) FILTER (created_at_unknown) FROM models",
    )[0]
    assert with_st == sum(1 for r in RECORDS if r.get("safetensors"))
    assert with_gguf == sum(1 for r in RECORDS if r.get("gguf"))
    assert with_base > 1000 and with_license > 1000 and sentinel > 0
    assert "expand=safetensors" in listing[0].query and "expand=baseModels" in listing[0].query


def test_second_refresh_adds_a_second_snapshot_row_per_model(refreshed_once: Path, hub: StandinHub) -> None:
    db = refreshed_once
    second = refresh(db, hub)
    assert second.status == "ok" and second.counts["models_new"] == 0
    per_model = rows(db, "SELECT count(*) AS n, count(*) FILTER (n = 2) FROM "
                         "(SELECT model_id, count(*) AS n FROM model_snapshots GROUP BY model_id)")  # fmt: skip
    assert per_model == [(len(RECORDS), len(RECORDS))]
    assert rows(db, "SELECT count(DISTINCT run_id) FROM model_snapshots") == [(2,)]


def test_partial_refresh_updates_only_what_it_saw(refreshed_once: Path, hub: StandinHub) -> None:
    db = refreshed_once
    partial = refresh(db, hub, author="meta-llama")
    assert partial.status == "ok"
    seen = partial.counts["models_seen"]
    expected = sum(1 for r in RECORDS if r["id"].startswith("meta-llama/"))
    assert seen == expected > 0
    (run,) = rows(db, "SELECT is_full, filters->>'author' FROM refresh_runs WHERE run_id = 2")
    assert run == (False, "meta-llama")
    (updated, kept) = rows(
        db,
        "SELECT count(*) FILTER (last_run_id = 2), count(*) FILTER (last_run_id = 1 AND last_seen_at < "
        "(SELECT started_at FROM refresh_runs WHERE run_id = 2)) FROM models",
    )[0]
    assert updated == expected and kept == len(RECORDS) - expected  # never deleted, last_seen_at kept


def test_cli_help_and_failure_exit_codes(tmp_path: Path, hub: StandinHub, capsys) -> None:
    try:  # argparse exits; a CLI that catches it returns the code
        code = main(["refresh", "--help"])
    except SystemExit as help_exit:
        code = help_exit.code
    assert code == 0
    assert "--from-snapshot" in capsys.readouterr().out
    db = tmp_path / "hub.duckdb"
    assert main(["status", "--db", str(db)]) == 1  # no DB yet
    hub.set_faults(truncate_page=0)
    assert main(["refresh", "--db", str(db), "--endpoint", hub.url]) == 1
    assert "FAILED" in capsys.readouterr().out


def test_enrich_gets_every_tag_sizing_reads() -> None:
    """the writer passes enrichment only the tags the enrich stage declares (+ sizing.MOE_TAGS): a tag sizing
    starts reading must be declared there, or it would silently never match."""
    import re

    from pipeline.enrich import sizing
    from pipeline.refresh import load_stage

    declared = set(load_stage(None).tags)
    source = Path(sizing.__file__).read_text()
    read = set(re.findall(r'_has_tag\("([^"]+)"\)', source))
    assert read and read <= declared | set(sizing.MOE_TAGS), read - declared
    # every other use of the tags column goes through those two
    assert source.count('pl.col("tags")') == 2


class TwoModelsSource:
    """A columnar source as the hub-stats dump stages: SQL on writer.con into _stage_models, bound to the
    writer's snapshot time and run id."""

    origin, series, is_full = "columnar-test", "columnar-test", False
    as_of = datetime(2026, 5, 1, 12, 0, 0, 123456)

    def describe(self) -> str:
        return "two models staged with SQL"

    def filters(self) -> dict[str, str]:
        return {"test": "columnar"}

    def expected_models(self) -> int:
        return 2

    def stage(self, writer, progress) -> int:  # noqa: ANN001
        writer.con.execute(
            "INSERT INTO _stage_models BY NAME SELECT * FROM (VALUES ('org/a-7b'), ('org/b-70b')) v(model_id)"
            " CROSS JOIN (SELECT false AS created_at_unknown, $at AS first_seen_at, $at AS last_seen_at, "
            "$run AS last_run_id, $origin AS origin) r",
            {"at": writer.snapshot_at, "run": writer.run["run_id"], "origin": self.origin},
        )
        writer.con.execute("UPDATE _stage_models SET downloads_30d = 5")
        writer.models_seen += 2
        progress.update(2)
        return 1


def test_a_columnar_source_goes_through_refresh_with_its_own_snapshot_time(tmp_path: Path) -> None:
    db = tmp_path / "hub.duckdb"
    result = run_refresh(db, TwoModelsSource())
    assert result.status == "ok", result.error
    assert (result.run_id, result.counts["models_seen"], result.counts["snapshot_rows"]) == (1, 2, 2)
    assert rows(db, "SELECT DISTINCT snapshot_at, series FROM model_snapshots") == [
        (TwoModelsSource.as_of, "columnar-test")  # microseconds kept
    ]
    assert rows(db, "SELECT model_id, origin, last_run_id FROM models ORDER BY 1") == [
        ("org/a-7b", "columnar-test", 1), ("org/b-70b", "columnar-test", 1)
    ]  # fmt: skip
    assert rows(db, "SELECT source, is_full, filters->>'test' FROM refresh_runs") == [
        ("two models staged with SQL", False, "columnar")
    ]
    assert "ok" in result.summary() and "2 models" in result.summary()
