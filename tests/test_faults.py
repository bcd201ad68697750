"""Hard faults (issue 6): what a long crawl of the real Hub meets, against the stand-in Hub and the real client.

Every fault ends in a DEFINED state: either the run survives (status ok, every served model stored, nothing
twice) or it fails (status failed, the previous DB file byte-identical, no temp file left), and the attempt is in
`pipeline.product.status.all_runs` either way. The normal path lives in tests/test_pipeline.py; the SQL box's attacks in
tests/test_safe_sql.py (which covers all of issue 6's list: writes, DDL, COPY TO, ATTACH, INSTALL/LOAD, local
file readers, PRAGMA/SET, several statements, 10M-row results, runaway queries).

Waits are real in kind but shortened: huggingface_hub's retry sleeps (1, 2, 4, 8, 8 s) and our rate-limit waits
are cut to 10 ms (`fast_sleep`), so the suite stays fast while the retry/resume logic runs unchanged.
"""

from __future__ import annotations

import math
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pytest
from helpers import built_once, digest
from helpers import sql_rows as rows

from hubscope_testing.standin import StandinHub, load_records
from pipeline.cli import main
from pipeline.ingest.crawl import FetchOptions
from pipeline.ingest.normalize import Normalizer
from pipeline.product.status import all_runs
from pipeline.refresh import refresh_from_hub
from pipeline.store.runlog import journal_path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "data" / "hub-records-sample.jsonl.gz"  # real records, see tests/data/README.md
RECORDS = load_records(SAMPLE)[:1000]
IDS = {r["id"] for r in RECORDS}
PAGE = 100  # 10 pages: room for faults in the middle


# -- helpers ---------------------------------------------------------------------------------------------------


def model_ids(db: Path) -> set[str]:
    return {r[0] for r in rows(db, "SELECT model_id FROM models")}


@pytest.fixture
def hub() -> Iterator[StandinHub]:
    with StandinHub(RECORDS, page_size=PAGE) as server:
        yield server


@pytest.fixture(scope="session")
def good_db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once per run (shared by the xdist workers): a DB after one good refresh of RECORDS."""

    def build(folder: Path) -> None:
        with StandinHub(RECORDS, page_size=PAGE) as server:
            assert refresh_from_hub(folder / "hub.duckdb", FetchOptions(endpoint=server.url)).status == "ok"

    return built_once(tmp_path_factory, "good", build) / "hub.duckdb"


@pytest.fixture
def good_db(tmp_path: Path, good_db_template: Path) -> Path:
    """A DB after one good refresh (a copy of the session's, with its journal): the 'previous file' every fault
    must leave intact."""
    db = tmp_path / "hub.duckdb"
    shutil.copyfile(good_db_template, db)
    shutil.copyfile(journal_path(good_db_template), journal_path(db))
    return db


def refresh(db: Path, hub: StandinHub, budget: float = 3.0):
    # snapshot_at keeps microseconds: back-to-back runs are distinct snapshots, no sleep needed
    return refresh_from_hub(db, FetchOptions(endpoint=hub.url, rate_limit_budget_s=budget))


def assert_survived(db: Path, result: Any) -> None:
    assert result.status == "ok", result.error
    assert model_ids(db) == IDS  # nothing lost
    assert result.counts["models_seen"] == len(IDS)
    last = all_runs(db)[-1]
    assert (last["run_id"], last["status"]) == (result.run_id, "ok")
    assert rows(
        db, f"SELECT count(*), count(DISTINCT model_id) FROM model_snapshots WHERE run_id = {result.run_id}"
    ) == [(len(IDS), len(IDS))]


def assert_failed_cleanly(db: Path, before: str, result: Any, reason: str) -> None:
    assert result.status == "failed" and reason in (result.error or ""), result.error
    assert digest(db) == before  # the previous file, byte for byte
    assert not list(db.parent.glob(db.name + ".tmp-*"))
    runs = all_runs(db)
    assert (runs[-1]["run_id"], runs[-1]["status"]) == (result.run_id, "failed")
    assert reason in runs[-1]["error"]
    assert model_ids(db) == IDS


def listing(hub: StandinHub) -> list[Any]:
    return [r for r in hub.requests if r.path == "/api/models"]


# -- faults against the stand-in Hub ---------------------------------------------------------------------------


def test_rate_limit_storm_beyond_client_retries_is_waited_out(good_db: Path, hub: StandinHub, fast_sleep) -> None:
    hub.set_faults(rate_limit_storm=8, storm_seconds=1)  # 8 x 429 > huggingface_hub's 5 retries
    result = refresh(good_db, hub, budget=60)
    assert_survived(good_db, result)
    assert [r.status for r in listing(hub)].count(429) == 8


def test_rate_limit_storm_mid_crawl_resumes_from_the_cursor(good_db: Path, hub: StandinHub, fast_sleep) -> None:
    original = hub.models_response
    served = {"pages": 0}

    def storm_after_three_pages(raw_query: str, base_url: str):  # noqa: ANN202
        if served["pages"] == 3 and not hub.fault_log:
            hub.set_faults(rate_limit_storm=7, storm_seconds=0)
        response = original(raw_query, base_url)
        served["pages"] += response.status == 200
        return response

    hub.models_response = storm_after_three_pages  # type: ignore[method-assign]
    result = refresh(good_db, hub)
    assert_survived(good_db, result)
    ok = [r for r in listing(hub) if r.status == 200]
    assert len(ok) == len(RECORDS) // PAGE  # no page fetched twice: resumed at page 4, not from the start
    assert all("cursor=" in r.query for r in ok[1:])


def test_server_error_burst_is_survived(good_db: Path, hub: StandinHub, fast_sleep) -> None:
    hub.set_faults(server_errors=4, server_error_status=502)
    result = refresh(good_db, hub)
    assert_survived(good_db, result)
    assert [r.status for r in listing(hub)].count(502) == 4


@pytest.mark.parametrize(
    ("faults", "budget"),
    [
        ({"rate_limit_storm": 1000, "storm_seconds": 2}, 5),  # a rate-limit storm beyond the budget
        ({"server_errors": 10_000, "server_error_status": 503}, 3),  # server errors without end
    ],
    ids=["rate-limit-storm-beyond-the-budget", "server-errors-without-end"],
)
def test_faults_without_end_fail_cleanly(
    good_db: Path, hub: StandinHub, fast_sleep, faults: dict[str, int], budget: float
) -> None:
    before = digest(good_db)
    hub.set_faults(**faults)
    result = refresh(good_db, hub, budget=budget)
    assert_failed_cleanly(good_db, before, result, "gave up after")


def test_connection_reset_mid_body_once_is_retried(good_db: Path, hub: StandinHub, fast_sleep) -> None:
    hub.set_faults(drop_connection_on_page=3)
    result = refresh(good_db, hub)
    assert_survived(good_db, result)
    assert ("drop_connection_on_page", 3) in hub.fault_log


def test_connection_reset_on_every_try_fails_cleanly_without_restarting(
    good_db: Path, hub: StandinHub, fast_sleep
) -> None:
    before = digest(good_db)
    hub.set_faults(drop_connection_on_page=3, drop_always=True)
    result = refresh(good_db, hub, budget=3)
    assert_failed_cleanly(good_db, before, result, "RemoteProtocolError")
    assert "gave up after" in (result.error or "")
    # every retry and every resume asked for page 3 again, never the listing's first page
    tries = listing(hub)[3:]
    assert len(tries) > 6 and all("cursor=" in r.query for r in tries)


def test_truncated_json_page_fails_cleanly(good_db: Path, hub: StandinHub) -> None:
    before = digest(good_db)
    hub.set_faults(truncate_page=4)
    result = refresh(good_db, hub)
    assert_failed_cleanly(good_db, before, result, "not valid JSON")
    hub.set_faults()
    assert_survived(good_db, refresh(good_db, hub))  # and the next refresh is fine


def test_raw_nan_in_a_page_fails_cleanly(good_db: Path, hub: StandinHub) -> None:
    """JSON cannot carry NaN; a server that writes the bare token anyway sends an invalid page."""
    before = digest(good_db)
    victim = RECORDS[450]["id"]
    original = hub.models_response

    def with_nan(raw_query: str, base_url: str):  # noqa: ANN202
        response = original(raw_query, base_url)
        marker = orjson.dumps(victim)
        if marker in response.body:
            items = orjson.loads(response.body)
            for item in items:
                if item["id"] == victim:
                    item["downloads"] = 123456789
            response.body = orjson.dumps(items).replace(b"123456789", b"NaN")
        return response

    hub.models_response = with_nan  # type: ignore[method-assign]
    result = refresh(good_db, hub)
    assert_failed_cleanly(good_db, before, result, "not valid JSON")


def test_duplicate_ids_across_pages_are_quarantined_and_nothing_is_lost(good_db: Path, hub: StandinHub) -> None:
    hub.set_faults(duplicate_across_pages=True)  # every page after the first repeats the previous page's last item
    result = refresh(good_db, hub)
    assert_survived(good_db, result)
    pages = len(RECORDS) // PAGE
    dupes = rows(good_db, f"SELECT model_id, reason FROM rejected_records WHERE run_id = {result.run_id}")
    assert len(dupes) == result.counts["models_rejected"] >= pages - 1
    assert all("duplicate id" in reason and model_id in IDS for model_id, reason in dupes)


def test_cursor_loop_fails_cleanly(good_db: Path, hub: StandinHub) -> None:
    before = digest(good_db)
    hub.set_faults(cursor_loop_after_page=3)
    result = refresh(good_db, hub)
    assert_failed_cleanly(good_db, before, result, "repeated a cursor")


def test_empty_page_with_a_next_link_is_followed(good_db: Path, hub: StandinHub) -> None:
    hub.set_faults(empty_page_with_next=2)
    result = refresh(good_db, hub)
    assert_survived(good_db, result)
    assert ("empty_page_with_next", 2) in hub.fault_log
    assert result.counts["pages_fetched"] == len(RECORDS) // PAGE + 1


# -- kill -9 at random moments ---------------------------------------------------------------------------------

KILLS = 20


@pytest.mark.slow
def test_kill_9_at_20_random_moments(tmp_path: Path) -> None:
    """A CLI refresh killed with SIGKILL at 20 seeded random moments spread over a normal run (start-up,
    fetching, commit, swap): each time the DB opens and holds the previous data, or (killed after the swap) the
    complete new data; and the next refresh succeeds."""
    records = load_records(SAMPLE)[:2000]
    db = tmp_path / "hub.duckdb"
    env = {**os.environ, "HF_HOME": str(tmp_path / "hf"), "TQDM_DISABLE": "1"}
    with StandinHub(records, page_size=50) as server:
        cmd = [sys.executable, "-m", "pipeline", "refresh", "--db", str(db), "--endpoint", server.url]

        def run_child(kill_after: float | None) -> int | None:
            child = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if kill_after is None:
                return child.wait(timeout=60)
            time.sleep(kill_after)
            if child.poll() is None:
                os.kill(child.pid, signal.SIGKILL)
            child.wait(timeout=60)
            return child.returncode

        started = time.monotonic()
        assert run_child(None) == 0
        duration = time.monotonic() - started  # a normal run, start-up included
        rng = random.Random(6)
        outcomes = {"killed": 0, "finished": 0}
        for moment in sorted(rng.uniform(0.0, duration) for _ in range(KILLS)):
            before, n_before = digest(db), rows(db, "SELECT count(*) FROM models")[0][0]
            ok_before = rows(db, "SELECT count(*) FROM refresh_runs WHERE status = 'ok'")[0][0]
            code = run_child(moment)
            assert rows(db, "SELECT count(*) FROM models") == [(n_before,)]  # the DB opens, same models
            if digest(db) == before:
                outcomes["killed"] += 1
            else:  # killed after the swap: the new file is complete
                assert rows(db, "SELECT count(*) FROM refresh_runs WHERE status = 'ok'")[0][0] == ok_before + 1
                outcomes["finished"] += 1
            assert code is not None
            assert all_runs(db)[-1]["status"] in ("killed", "ok")  # a kill during start-up logs nothing
        assert outcomes["killed"] >= KILLS // 2, outcomes
        assert run_child(None) == 0  # the next refresh succeeds and cleans up
    assert not list(tmp_path.glob("hub.duckdb.tmp-*"))
    statuses = [r["status"] for r in all_runs(db)]
    assert statuses[0] == statuses[-1] == "ok" and set(statuses) == {"ok", "killed"}
    assert 0 < statuses.count("killed") <= outcomes["killed"]


def test_kill_9_mid_crawl_keeps_the_previous_file_and_the_next_refresh_succeeds(
    good_db: Path, hub: StandinHub, tmp_path: Path
) -> None:
    """The default run's kill: SIGKILL once pages are streaming in (the slow sweep covers other moments)."""
    before = digest(good_db)
    original = hub.models_response

    def slow_pages(raw_query: str, base_url: str):  # noqa: ANN202  (0.1 s a page: the kill lands mid-crawl)
        time.sleep(0.1)
        return original(raw_query, base_url)

    hub.models_response = slow_pages  # type: ignore[method-assign]
    env = {**os.environ, "HF_HOME": str(tmp_path / "hf"), "TQDM_DISABLE": "1"}
    child = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "refresh", "--db", str(good_db), "--endpoint", hub.url],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while len(listing(hub)) < 3 and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    if digest(good_db) == before:  # killed before the swap (nearly always): previous file, run shown as killed
        assert [r["status"] for r in all_runs(good_db)] == ["ok", "killed"]
        assert list(good_db.parent.glob(good_db.name + ".tmp-*"))  # the kill left its temp file …
    else:  # the child finished first: the new file is complete
        assert [r["status"] for r in all_runs(good_db)] == ["ok", "ok"]
    assert model_ids(good_db) == IDS
    hub.models_response = original  # type: ignore[method-assign]
    assert_survived(good_db, refresh(good_db, hub))
    assert not list(good_db.parent.glob(good_db.name + ".tmp-*"))  # … and the next refresh removed it


def test_kill_9_during_a_rate_limit_wait_is_shown_as_killed(good_db: Path, hub: StandinHub, tmp_path: Path) -> None:
    """The deterministic case: killed while waiting out a storm (the journal's 'running' line, dead pid)."""
    before = digest(good_db)
    hub.set_faults(rate_limit_storm=1000, storm_seconds=30)  # the child sits in a long rate-limit wait
    env = {**os.environ, "HF_HOME": str(tmp_path / "hf")}
    child = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "refresh", "--db", str(good_db), "--endpoint", hub.url],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while not any(r.status == 429 for r in hub.requests) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert child.poll() is None, "the child should still be running"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert digest(good_db) == before
    assert [r["status"] for r in all_runs(good_db)] == ["ok", "killed"]
    hub.set_faults()
    assert_survived(good_db, refresh(good_db, hub))
    assert not list(tmp_path.glob("hub.duckdb.tmp-*"))
    assert rows(good_db, "SELECT status FROM refresh_runs ORDER BY run_id") == [("ok",), ("killed",), ("ok",)]


# -- readers during writes -------------------------------------------------------------------------------------


def test_dashboard_readers_see_no_error_while_5_refreshes_swap_the_file(good_db: Path, hub: StandinHub) -> None:
    """Dashboard queries in threads, each reopening the DB when its identity changes (as dashboard/data.py
    does), while 5 refreshes build and swap the file."""
    from dashboard.data import DashboardDB
    from pipeline.database import file_identity

    queries = [
        ("overview_kpis", {"threshold": 10e9, "scope": "all", "unknown": "exclude", "tasks": [], "orgs": []}),
        ("share_over_time", {"threshold": 10e9, "scope": "all", "unknown": "exclude", "series": "hub"}),
        ("top_orgs", {"threshold": 10e9, "scope": "all", "n": 15}),
        ("explorer", {"scope": "all", "search": "", "cls_filter": "all", "sort": "downloads", "max_rows": 5000}),
        ("table_counts", {}),
    ]
    errors: list[str] = []
    done = threading.Event()
    served = [0, 0]

    def reader(slot: int) -> None:
        handle, identity = None, None
        while not done.is_set():
            try:
                now = file_identity(good_db)
                if now != identity:
                    if handle is not None:
                        handle.close()
                    handle, identity = DashboardDB(good_db), now
                for name, params in queries:
                    assert handle.query(name, params).height > 0, name  # every query has rows to show
                    served[slot] += 1
                time.sleep(0.05)  # a dashboard's pace, not a busy loop starving the refresh of both cores
            except Exception as err:  # noqa: BLE001
                errors.append(f"{type(err).__name__}: {err}")
        if handle is not None:
            handle.close()

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    identities = {file_identity(good_db)}
    try:
        for _ in range(5):
            assert refresh(good_db, hub).status == "ok"
            identities.add(file_identity(good_db))
    finally:
        done.set()
        for t in threads:
            t.join(timeout=30)
    assert errors == []
    assert len(identities) == 6 and min(served) > 0


# -- bad input corpus ------------------------------------------------------------------------------------------

ONE_MB = "x" * (1 << 20)
# (kind, record, expected): expected is a reason fragment when quarantined, else a dict of stored values.
CORPUS: list[tuple[str, Any, str | dict[str, Any]]] = [
    ("missing id", {"downloads": 5, "likes": 1}, "missing id"),
    ("non-string id", {"id": 12345}, "id is not a string"),
    ("empty id", {"id": ""}, "not a valid Hub repo id"),
    ("markup in id", {"id": "evil/<script>alert(1)</script>"}, "not a valid Hub repo id"),
    ("unicode id", {"id": "org/模型-7B"}, "not a valid Hub repo id"),
    ("RTL override in id", {"id": "org/\u202egpt-evil"}, "not a valid Hub repo id"),
    ("Arabic id", {"id": "منظمة/نموذج"}, "not a valid Hub repo id"),
    ("overlong id", {"id": "org/" + "a" * 300}, "not a valid Hub repo id"),
    ("negative count", {"id": "bad/negative", "downloads": -4}, "downloads is negative"),
    ("huge count", {"id": "bad/huge", "downloadsAllTime": 2**63 - 1}, "downloadsAllTime is absurd"),
    ("huge float count", {"id": "bad/huge-float", "likes": 1e300}, "likes is absurd"),
    ("fractional count", {"id": "bad/float", "downloads": 1.5}, "not a whole number"),
    ("NaN as a string", {"id": "bad/nan-string", "downloads": "NaN"}, "downloads is not a number"),
    ("boolean count", {"id": "bad/bool", "likes": True}, "likes is not a number"),
    ("infinite trending (string)", {"id": "bad/inf", "trendingScore": "Infinity"}, "trendingScore"),
    # a float NaN cannot be written as JSON: the stand-in's encoder (orjson) sends null, as any JSON encoder would
    ("NaN as a float", {"id": "ok/nan-float", "downloads": math.nan, "likes": 3}, {"downloads_30d": None, "likes": 3}),
    ("date not ISO", {"id": "bad/date", "createdAt": "yesterday"}, "createdAt is not an ISO date"),
    ("date far future", {"id": "bad/future", "lastModified": "2999-01-01T00:00:00.000Z"}, "out of range"),
    ("tags nested", {"id": "bad/tags", "tags": [["a"], "b"]}, "tags is not a list of strings"),
    ("tags with null", {"id": "bad/tags-null", "tags": ["a", None]}, "tags is not a list of strings"),
    ("safetensors without parameters", {"id": "bad/st", "safetensors": {"total": 5}}, "safetensors is malformed"),
    ("safetensors as a list", {"id": "bad/st-list", "safetensors": [1, 2]}, "safetensors is malformed"),
    (
        "safetensors negative",
        {"id": "bad/st-neg", "safetensors": {"parameters": {"BF16": -1}, "total": -1}},
        "not a valid count",
    ),
    ("gguf as a string", {"id": "bad/gguf", "gguf": "q4_k_m"}, "gguf is not an object"),
    ("gguf architecture a number", {"id": "bad/gguf-arch", "gguf": {"total": 5, "architecture": 7}}, "architecture"),
    ("gated unknown", {"id": "bad/gated", "gated": "sometimes"}, "gated is not false/auto/manual"),
    ("cardData a list", {"id": "bad/card", "cardData": ["license", "mit"]}, "cardData is not an object"),
    ("licence a number", {"id": "bad/license", "cardData": {"license": 42}}, "cardData.license is not a string"),
    ("base_model a dict", {"id": "bad/base", "cardData": {"base_model": {"id": "x"}}}, "cardData.base_model"),
    ("baseModels a string", {"id": "bad/bm", "baseModels": "org/parent"}, "baseModels is malformed"),
    ("baseModels entry without id", {"id": "bad/bm2", "baseModels": {"models": [{"name": "x"}]}}, "without an id"),
    ("record not an object", [1, 2, 3], "record is not an object"),
    ("record a string", "org/model", "record is not an object"),
    ("duplicate of a served id", {"id": RECORDS[1]["id"]}, "duplicate id"),
    # accepted, with sane values
    ("lone tag string", {"id": "ok/tag", "tags": "text-generation"}, {"tags": ["text-generation"]}),
    (
        "nulls everywhere",
        {
            "id": "ok/nulls",
            **dict.fromkeys(
                [
                    "author",
                    "createdAt",
                    "lastModified",
                    "downloads",
                    "downloadsAllTime",
                    "likes",
                    "trendingScore",
                    "pipeline_tag",
                    "library_name",
                    "tags",
                    "gated",
                    "private",
                    "disabled",
                    "sha",
                    "safetensors",
                    "gguf",
                    "cardData",
                    "baseModels",
                ]
            ),
        },
        {"author": "ok", "created_at_unknown": True, "downloads_30d": None, "tags": [], "license_raw": None},
    ),  # fmt: skip
    (
        "1 MB card data",
        {"id": "ok/big-card", "cardData": {"license": "mit", "description": ONE_MB, "widget": [ONE_MB[:1000]] * 50}},
        {"license_raw": "mit"},
    ),
    (
        "unknown nested fields",
        {
            "id": "ok/unknown",
            "gguf": {"total": 7, "architecture": "llama", "new_field": {"a": [1]}},
            "safetensors": {"parameters": {"BF16": 10, "FP8_NEW": 2}, "total": 12, "sharded": True},
        },
        {"gguf_total": 7, "safetensors_total": 12},
    ),  # fmt: skip
    (
        "unicode in text fields",
        {
            "id": "ok/unicode-fields",
            "pipeline_tag": "text-generation",
            "cardData": {"license": "лицензия-🙂"},
            "author": "ok",
        },
        {"license_raw": "лицензия-🙂"},
    ),  # fmt: skip
    ("gated true", {"id": "ok/gated-true", "gated": True}, {"gated": "manual"}),
]


def test_bad_input_corpus_is_quarantined_with_reasons_or_accepted_sanely(tmp_path: Path) -> None:
    assert len({kind for kind, _, _ in CORPUS}) >= 12
    bad = [record for _, record, _ in CORPUS]
    db = tmp_path / "hub.duckdb"
    with StandinHub([*RECORDS[:50], *bad], page_size=20) as server:
        result = refresh_from_hub(db, FetchOptions(endpoint=server.url))
    assert result.status == "ok", result.error
    rejected = rows(db, "SELECT model_id, reason, raw_json FROM rejected_records")
    reasons = [reason for _, reason, _ in rejected]
    expected_rejections = [(kind, why) for kind, _, why in CORPUS if isinstance(why, str)]
    assert len(rejected) == len(expected_rejections) == result.counts["models_rejected"]
    for kind, why in expected_rejections:
        assert sum(why in reason for reason in reasons) >= 1, (kind, why, reasons)
    assert any("<script>alert(1)</script>" in raw for _, _, raw in rejected)  # the raw record is kept whole
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{db}' AS h (READ_ONLY)")
        for kind, record, want in CORPUS:
            if isinstance(want, dict):
                got = con.sql(
                    f"SELECT {', '.join(want)} FROM h.models WHERE model_id = $id", params={"id": record["id"]}
                ).fetchall()
                assert got == [tuple(want.values())], kind
    finally:
        con.close()
    assert model_ids(db) >= {r["id"] for r in RECORDS[:50]}  # the good records around them all arrived


def test_unknown_top_level_fields_are_ignored() -> None:
    """The stand-in (like the Hub) only sends what was asked; a Hub that adds top-level keys must not matter."""
    batch = Normalizer().batch([{"id": "ok/new-keys", "downloads": 3, "brandNewKey": {"x": [1, None]}, "_id": 5}])
    assert batch.rejected.height == 0 and batch.models["downloads_30d"].to_list() == [3]


# -- the token never leaks -------------------------------------------------------------------------------------


def test_token_never_appears_in_logs_db_journal_or_exports(tmp_path: Path, hub: StandinHub, monkeypatch, capfd) -> None:
    sentinel = "hf_SENTINELtoken0123456789abcdefXYZ"
    monkeypatch.setenv("HF_TOKEN", sentinel)
    seen_auth: list[str] = []
    from hubscope_testing import standin

    handler_get = standin._Handler.do_GET

    def do_get(self: Any) -> None:
        seen_auth.append(self.headers.get("Authorization", ""))
        handler_get(self)

    monkeypatch.setattr(standin._Handler, "do_GET", do_get)
    db = tmp_path / "hub.duckdb"
    assert main(["-v", "refresh", "--db", str(db), "--endpoint", hub.url]) == 0
    hub.set_faults(truncate_page=2)  # a failed run writes its error to the journal too
    assert main(["-v", "refresh", "--db", str(db), "--endpoint", hub.url]) == 1
    assert main(["status", "--db", str(db)]) == 1
    assert main(["export", "--db", str(db), "--out", str(tmp_path / "export"), "--format", "csv"]) == 0
    assert main(["export", "--db", str(db), "--out", str(tmp_path / "export-pq")]) == 0
    out, err = capfd.readouterr()
    assert f"Bearer {sentinel}" in seen_auth  # it was sent …
    assert sentinel not in out + err  # … but never logged
    files = [p for p in tmp_path.rglob("*") if p.is_file() and "hf" not in p.parts]
    assert any(p.suffix == ".csv" for p in files) and any(p.suffix == ".parquet" for p in files)
    assert any(p.name.endswith(".runs.jsonl") for p in files)
    for path in files:  # the DB, the journal, the lock, every export file
        assert sentinel.encode() not in path.read_bytes(), path
