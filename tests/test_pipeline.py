"""The real huggingface_hub client, through the stand-in Hub, into a real DuckDB file."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from pipeline.cli import main
from pipeline.fetch import FetchError, FetchOptions, FetchStats, fetch_pages
from pipeline.refresh import refresh_from_hub
from pipeline.standin import StandinHub, load_records
from pipeline.status import all_runs

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "data" / "hub-records-sample.jsonl.gz"  # real records, see tests/data/README.md
RECORDS = load_records(SAMPLE)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def rows(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql(sql).fetchall()
    finally:
        con.close()


@pytest.fixture
def hub() -> Iterator[StandinHub]:
    with StandinHub(RECORDS, page_size=1000) as server:
        yield server


def refresh(db: Path, hub: StandinHub, **options: object):
    return refresh_from_hub(db, FetchOptions(endpoint=hub.url, **options))  # type: ignore[arg-type]


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


def test_second_refresh_adds_a_second_snapshot_row_per_model(tmp_path: Path, hub: StandinHub) -> None:
    db = tmp_path / "hub.duckdb"
    assert refresh(db, hub).status == "ok"
    time.sleep(1.1)  # snapshot_at has one-second resolution
    second = refresh(db, hub)
    assert second.status == "ok" and second.counts["models_new"] == 0
    per_model = rows(db, "SELECT count(*) AS n, count(*) FILTER (n = 2) FROM "
                         "(SELECT model_id, count(*) AS n FROM model_snapshots GROUP BY model_id)")  # fmt: skip
    assert per_model == [(len(RECORDS), len(RECORDS))]
    assert rows(db, "SELECT count(DISTINCT run_id) FROM model_snapshots") == [(2,)]


def test_partial_refresh_updates_only_what_it_saw(tmp_path: Path, hub: StandinHub) -> None:
    db = tmp_path / "hub.duckdb"
    assert refresh(db, hub).status == "ok"
    time.sleep(1.1)
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


def test_rate_limit_storm_longer_than_client_retries_resumes_from_cursor(hub: StandinHub) -> None:
    stats = FetchStats()
    seen: list[str] = []
    pages = fetch_pages(FetchOptions(endpoint=hub.url), stats)
    for i, page in enumerate(pages):
        seen.extend(r["id"] for r in page)
        if i == 0:  # mid-crawl: 7 x 429 outlasts huggingface_hub's 5 retries
            hub.set_faults(rate_limit_storm=7, storm_seconds=0)
    assert seen == [r["id"] for r in RECORDS]  # nothing lost, nothing twice, Hub order kept
    assert stats.resumes == 1 and stats.pages == 4
    statuses = [r.status for r in hub.requests if r.path == "/api/models"]
    assert statuses.count(429) == 7
    resumed = [r for r in hub.requests if r.path == "/api/models" and r.status == 200][1]
    assert "cursor=" in resumed.query  # resumed from page 2, not from the start


def test_rate_limit_storm_beyond_budget_fails_cleanly(tmp_path: Path, hub: StandinHub) -> None:
    db = tmp_path / "hub.duckdb"
    hub.set_faults(rate_limit_storm=100, storm_seconds=0)
    options = FetchOptions(endpoint=hub.url, rate_limit_budget_s=1.5)
    result = refresh_from_hub(db, options)
    assert result.status == "failed" and "gave up" in (result.error or "")
    assert not db.exists()
    assert [r["status"] for r in all_runs(db)] == ["failed"]


def test_server_error_burst_is_survived(tmp_path: Path, hub: StandinHub) -> None:
    hub.set_faults(server_errors=3, server_error_status=503)
    result = refresh(tmp_path / "hub.duckdb", hub)
    assert result.status == "ok" and result.counts["models_seen"] == len(RECORDS)
    assert [r.status for r in hub.requests if r.path == "/api/models"].count(503) == 3


def test_truncated_page_fails_cleanly_and_keeps_the_old_file(tmp_path: Path, hub: StandinHub) -> None:
    db = tmp_path / "hub.duckdb"
    assert refresh(db, hub).status == "ok"
    before = digest(db)
    hub.set_faults(truncate_page=2)
    failed = refresh(db, hub)
    assert failed.status == "failed" and "JSON" in (failed.error or "")
    assert digest(db) == before
    assert not list(tmp_path.glob("hub.duckdb.tmp-*"))
    hub.set_faults(truncate_page=None)
    assert refresh(db, hub).status == "ok"
    assert rows(db, "SELECT run_id, status FROM refresh_runs ORDER BY run_id") == [(1, "ok"), (2, "failed"), (3, "ok")]


def test_killed_refresh_leaves_old_file_and_next_refresh_succeeds(tmp_path: Path, hub: StandinHub) -> None:
    db = tmp_path / "hub.duckdb"
    assert refresh(db, hub).status == "ok"
    before = digest(db)
    hub.set_faults(rate_limit_storm=1000, storm_seconds=30)  # the child sits in a long rate-limit wait
    env = {**os.environ, "HF_HOME": str(tmp_path / "hf")}
    child = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "refresh", "--db", str(db), "--endpoint", hub.url],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while not any(r.status == 429 for r in hub.requests) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert child.poll() is None, "the child should still be running"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert digest(db) == before  # previous file intact and readable
    assert rows(db, "SELECT count(*) FROM models") == [(len(RECORDS),)]
    assert [r["status"] for r in all_runs(db)] == ["ok", "killed"]
    hub.set_faults(rate_limit_storm=0)
    after = refresh(db, hub)
    assert after.status == "ok"
    assert not list(tmp_path.glob("hub.duckdb.tmp-*"))
    assert rows(db, "SELECT status FROM refresh_runs ORDER BY run_id") == [("ok",), ("killed",), ("ok",)]


MALFORMED = [
    ({"downloads": 5}, "missing id"),
    ({"id": 12345}, "id is not a string"),
    ({"id": "evil/<script>alert(1)</script>"}, "not a valid Hub repo id"),
    ({"id": "ok/negative", "downloads": -4}, "downloads is negative"),
    ({"id": "ok/absurd", "likes": 10**15}, "likes is absurd"),
    ({"id": "ok/float", "downloads": 1.5}, "downloads is not a whole number"),
    ({"id": "ok/text-count", "downloads": "many"}, "downloads is not a number"),
    ({"id": "ok/bad-date", "createdAt": "yesterday"}, "createdAt is not an ISO date"),
    ({"id": "ok/future", "lastModified": "2999-01-01T00:00:00.000Z"}, "lastModified is out of range"),
    ({"id": "ok/tags", "tags": "text-generation"}, None),  # a lone string tag is accepted as one tag
    ({"id": "ok/tags-nested", "tags": [["a"]]}, "tags is not a list of strings"),
    ({"id": "ok/st", "safetensors": {"total": 5}}, "safetensors is malformed"),
    ({"id": "ok/st-neg", "safetensors": {"parameters": {"BF16": -1}, "total": -1}}, "not a valid count"),
    ({"id": "ok/gated", "gated": "sometimes"}, "gated is not false/auto/manual"),
    ({"id": "ok/card", "cardData": ["license", "mit"]}, "cardData is not an object"),
    ({"id": "ok/base", "baseModels": {"relation": "finetune", "models": [{"name": "x"}]}}, "without an id"),
    ([1, 2, 3], "record is not an object"),
    ({"id": RECORDS[1]["id"]}, "duplicate id"),  # also served (first) as a real record
]


def test_malformed_records_are_quarantined_with_reasons(tmp_path: Path) -> None:
    bad = [record for record, _ in MALFORMED]
    with StandinHub([*RECORDS[:50], *bad, RECORDS[0]], page_size=20) as server:
        db = tmp_path / "hub.duckdb"
        result = refresh(db, server)
    assert result.status == "ok"
    rejected = rows(db, "SELECT raw_json, reason FROM rejected_records")
    expected_rejections = [why for _, why in MALFORMED if why is not None]
    assert len(rejected) == len(expected_rejections) + 1  # + the repeated RECORDS[0]
    for why in expected_rejections:
        assert any(why in reason for _, reason in rejected), why
    assert rows(db, "SELECT count(*) FROM models WHERE model_id = 'ok/tags'") == [(1,)]
    assert result.counts["models_rejected"] == len(rejected)
    # the raw record is kept whole
    assert any("<script>alert(1)</script>" in raw for raw, _ in rejected)


def test_cursor_loop_is_detected(hub: StandinHub) -> None:
    hub.set_faults(cursor_loop_after_page=1)
    with pytest.raises(FetchError, match="repeated a cursor"):
        list(fetch_pages(FetchOptions(endpoint=hub.url)))


def test_token_is_sent_but_never_stored_or_logged(tmp_path: Path, hub: StandinHub, monkeypatch, capfd) -> None:
    sentinel = "hf_SENTINELtoken0123456789abcdefXYZ"
    monkeypatch.setenv("HF_TOKEN", sentinel)
    db = tmp_path / "hub.duckdb"
    assert main(["refresh", "--db", str(db), "--endpoint", hub.url, "--limit", "1500"]) == 0
    assert main(["status", "--db", str(db)]) == 0
    out, err = capfd.readouterr()
    for path in tmp_path.iterdir():
        if path.is_file():
            assert sentinel.encode() not in path.read_bytes(), path
    assert sentinel not in out + err


def test_cli_help_and_failure_exit_codes(tmp_path: Path, hub: StandinHub, capsys) -> None:
    with pytest.raises(SystemExit) as help_exit:
        main(["refresh", "--help"])
    assert help_exit.value.code == 0
    assert "--from-snapshot" in capsys.readouterr().out
    db = tmp_path / "hub.duckdb"
    assert main(["status", "--db", str(db)]) == 1  # no DB yet
    hub.set_faults(truncate_page=0)
    assert main(["refresh", "--db", str(db), "--endpoint", hub.url]) == 1
    assert "FAILED" in capsys.readouterr().out
