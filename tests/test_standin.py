"""The stand-in Hub against the real huggingface_hub client (and raw urllib where the client hides faults)."""

from __future__ import annotations

import gzip
import http.client
import json
import os
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

if "huggingface_hub" not in sys.modules:  # HF_HOME is read once, at import
    os.environ["HF_HOME"] = tempfile.mkdtemp(prefix="hf-home-")

from huggingface_hub import HfApi, constants, hf_hub_download  # noqa: E402
from huggingface_hub.errors import EntryNotFoundError, HfHubHTTPError, RevisionNotFoundError  # noqa: E402

from hubscope_testing.datasets import Commit, DatasetHost, DatasetRepo  # noqa: E402
from hubscope_testing.standin import (  # noqa: E402
    ALLOWED_EXPAND,
    Faults,
    StandinHub,
    load_many,
    load_records,
    main,
)

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"  # small real fixtures, provenance in tests/data/README.md
DUMP_2022 = DATA / "hub-full-2022-02-first2500.jsonl.gz"
FINETUNES = DATA / "finetune-trees-2025-04.jsonl.gz"

Page = tuple[int, dict[str, str], bytes]


# ------------------------------------------------------------------------------------------------ helpers


def fetch(url: str) -> Page:
    """GET with urllib: (status, headers, body) for any status."""
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def next_link(headers: dict[str, str]) -> str | None:
    link = headers.get("Link")
    if not link:
        return None
    assert link.endswith('>; rel="next"')
    return link[1 : link.index(">")]


def walk(url: str, max_pages: int = 50) -> list[list[dict[str, Any]]]:
    """Follow Link headers with urllib, returning each page's items."""
    pages: list[list[dict[str, Any]]] = []
    next_url: str | None = url
    while next_url and len(pages) < max_pages:
        status, headers, body = fetch(next_url)
        assert status == 200, body
        pages.append(orjson.loads(body))
        next_url = next_link(headers)
    return pages


def ids(items: list[Any]) -> list[str]:
    return [m.id if hasattr(m, "id") else m["id"] for m in items]


# ------------------------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    """The first 2,500 real models of the 2022 dump plus the 1,982 fine-tune tree records."""
    return load_records(DUMP_2022)[:2500] + load_records(FINETUNES)


@pytest.fixture(scope="module")
def hub(records: list[dict[str, Any]]) -> Iterator[StandinHub]:
    with StandinHub(records, page_size=1000) as server, pytest.MonkeyPatch.context() as mp:
        mp.setattr(constants, "ENDPOINT", server.url)  # the agent-harness lookup hits us, not huggingface.co
        yield server


@pytest.fixture(autouse=True)
def _clean(request: pytest.FixtureRequest) -> None:
    if "hub" in request.fixturenames:
        server: StandinHub = request.getfixturevalue("hub")
        server.set_faults()
        server.reset_log()


@pytest.fixture
def api(hub: StandinHub) -> HfApi:
    return HfApi(endpoint=hub.url, token=False)


def models_url(hub: StandinHub, query: str) -> str:
    return f"{hub.url}/api/models?{query}"


# ------------------------------------------------------------------------------------------------ loaders


def test_loaders_reshape_without_inventing(records: list[dict[str, Any]]) -> None:
    old = records[0]
    assert old["id"] == old["modelId"] == "007J/smile" and old["author"] == "007J" and len(old["_id"]) == 24
    assert "createdAt" not in old  # the 2022 dump has none: nothing invented
    ft = {r["id"]: r for r in records[2500:]}
    cog = ft["THUDM/CogVideoX-5b"]
    assert cog["createdAt"] == "2024-08-17T11:42:28.000Z" and cog["lastModified"] == "2024-11-23T06:30:11.000Z"
    assert cog["cardData"] == {"license": "other"}
    assert not any(k.startswith("_") and k != "_id" for k in cog)
    assert "downloadsAllTime" not in cog and "trendingScore" not in cog and "safetensors" not in cog
    with_base = [r for r in ft.values() if "baseModels" in r]
    assert with_base
    for r in with_base:
        rel = r["baseModels"]["relation"]
        assert all(f"base_model:{rel}:{m['id']}" in r["tags"] for m in r["baseModels"]["models"])


def test_api_jsonl_round_trip(tmp_path: Path, records: list[dict[str, Any]]) -> None:
    path = tmp_path / "items.jsonl.gz"
    with gzip.open(path, "wb") as fh:
        for r in records[2500:2600]:
            fh.write(orjson.dumps(r) + b"\n")
    assert load_records(path) == records[2500:2600]
    assert len(load_many([path, path])) == 100  # duplicates across files are skipped


# ------------------------------------------------------------------------------------------------ protocol


def test_client_follows_three_pages_in_order(hub: StandinHub, api: HfApi, records: list[dict[str, Any]]) -> None:
    got = list(api.list_models(expand=["author", "downloads"], limit=2500))
    assert ids(got) == ids(records[:2500])
    assert got[0].author == "007J" and got[0].downloads == records[0]["downloads"]
    pages = [r for r in hub.requests if r.path == "/api/models"]
    assert [r.status for r in pages] == [200, 200, 200]
    assert "cursor=" not in pages[0].query and all("cursor=" in r.query for r in pages[1:])
    assert all(r.query.startswith("limit=2500&expand=author&expand=downloads&") for r in pages[1:])


def test_whole_set_small_pages(records: list[dict[str, Any]]) -> None:
    with StandinHub(records, page_size=700) as small:
        got = list(HfApi(endpoint=small.url, token=False).list_models(expand=["likes"]))
        assert ids(got) == ids(records)
        assert len(small.requests) == -(-len(records) // 700)


def test_expand_returns_only_requested_keys(hub: StandinHub) -> None:
    for query in ("expand=downloads&expand=safetensors", "expand[]=downloads&expand[]=safetensors"):
        (items,) = walk(models_url(hub, f"search=llama&{query}"))
        assert items and all(set(it) <= {"_id", "id", "downloads", "safetensors"} for it in items)
        assert any("safetensors" in it for it in items)
        assert all({"_id", "id", "downloads"} <= set(it) for it in items)


def test_default_keys_without_expand(hub: StandinHub) -> None:
    (items,) = walk(models_url(hub, "limit=5"))[:1]
    assert len(items) == 5
    assert set(items[0]) == {"_id", "id", "modelId", "likes", "downloads", "tags", "pipeline_tag", "private"}


def test_unknown_expand_is_400(hub: StandinHub, api: HfApi) -> None:
    with pytest.raises(HfHubHTTPError) as exc:
        list(api.list_models(expand=["downloads", "notAField"]))  # type: ignore[list-item]
    assert exc.value.response.status_code == 400
    status, _, body = fetch(models_url(hub, "expand=notAField"))
    assert status == 400 and "notAField" in json.loads(body)["error"]
    assert len(ALLOWED_EXPAND) == 31


def test_filters(api: HfApi, records: list[dict[str, Any]]) -> None:
    by_author = ids(api.list_models(author="unsloth", expand=["author"]))
    assert by_author and by_author == [r["id"] for r in records if r.get("author") == "unsloth"]
    found = ids(api.list_models(search="BERT-base", expand=["tags"]))
    assert found and found == [r["id"] for r in records if "bert-base" in r["id"].lower()]
    tag = ids(api.list_models(pipeline_tag="text-to-video", expand=["pipeline_tag"]))
    assert tag and tag == [r["id"] for r in records if r.get("pipeline_tag") == "text-to-video"]
    gguf = ids(api.list_models(filter="gguf", expand=["tags"]))
    assert gguf and gguf == [r["id"] for r in records if "gguf" in (r.get("tags") or [])]


def test_sort_by_downloads_descending(api: HfApi, records: list[dict[str, Any]]) -> None:
    got = list(api.list_models(sort="downloads", expand=["downloads"], limit=1500))
    counts = [m.downloads for m in got]
    assert counts == sorted(counts, reverse=True)
    assert counts[0] == max(r.get("downloads") or 0 for r in records)
    created = [m.created_at for m in api.list_models(sort="created_at", expand=["createdAt"], limit=50)]
    assert created == sorted(created, reverse=True)


def test_client_parses_reshaped_modelinfo(api: HfApi) -> None:
    got = list(api.list_models(author="mistralai", expand=["safetensors", "cardData", "baseModels", "gated"]))
    assert got
    sized = [m for m in got if m.safetensors]
    assert sized and all(m.safetensors.total == sum(m.safetensors.parameters.values()) for m in sized)


def test_next_link_keeps_params_and_foreign_cursor_is_400(hub: StandinHub) -> None:
    status, headers, _ = fetch(models_url(hub, "limit=10&sort=likes&expand=likes&search=bert"))
    link = next_link(headers)
    assert status == 200 and link and link.startswith(f"{hub.url}/api/models?limit=10&sort=likes&expand=likes")
    assert "search=bert&cursor=" in link
    cursor = link.split("cursor=")[1]
    assert fetch(models_url(hub, f"limit=10&sort=downloads&cursor={cursor}"))[0] == 400  # other query
    assert fetch(models_url(hub, "cursor=not-a-cursor"))[0] == 400
    with StandinHub([]) as other:  # another server's secret
        foreign = f"{other.url}/api/models?limit=10&sort=likes&expand=likes&search=bert&cursor={cursor}"
        assert fetch(foreign)[0] == 400


def test_other_paths_are_404_json(hub: StandinHub) -> None:
    status, _, body = fetch(f"{hub.url}/api/agent-harnesses")
    assert status == 404 and "error" in json.loads(body)


# ------------------------------------------------------------------------------------------------ faults


def test_rate_limit_storm_survived_by_client(
    hub: StandinHub, api: HfApi, records: list[dict[str, Any]], fast_sleep: None
) -> None:
    hub.set_faults(rate_limit_storm=2)
    got = list(api.list_models(expand=["likes"], limit=1200))
    assert ids(got) == ids(records[:1200])
    assert [r.status for r in hub.requests] == [429, 429, 200, 200]


def test_rate_limit_headers(hub: StandinHub) -> None:
    hub.set_faults(rate_limit_storm=1, storm_seconds=7)
    status, headers, body = fetch(models_url(hub, "limit=1"))
    assert status == 429 and "error" in json.loads(body)
    assert headers["RateLimit"] == '"api";r=0;t=7'
    assert headers["RateLimit-Policy"] == '"fixed window";"api";q=500;w=300'
    assert fetch(models_url(hub, "limit=1"))[0] == 200
    assert fetch(f"{hub.url}/api/agent-harnesses")[0] == 404


def test_server_errors_then_recovery(hub: StandinHub, api: HfApi, fast_sleep: None) -> None:
    hub.set_faults(server_errors=1, server_error_status=503)
    assert len(list(api.list_models(limit=3))) == 3
    assert [r.status for r in hub.requests] == [503, 200]


def test_drop_connection_raw_and_client(
    hub: StandinHub, api: HfApi, records: list[dict[str, Any]], fast_sleep: None
) -> None:
    hub.set_faults(drop_connection_on_page=0, drop_always=True)
    for _ in range(2):
        with pytest.raises((http.client.IncompleteRead, ConnectionError)):
            fetch(models_url(hub, "limit=50"))
    hub.set_faults(drop_connection_on_page=1, drop_always=False)  # once per query: the client's retry gets it
    hub.reset_log()
    got = list(api.list_models(expand=["likes"], limit=1500))
    assert ids(got) == ids(records[:1500])
    assert ("drop_connection_on_page", 1) in hub.fault_log
    assert len(hub.requests) == 3


def test_truncated_page_is_invalid_json_every_time(hub: StandinHub) -> None:
    hub.set_faults(truncate_page=0)
    for _ in range(2):
        status, headers, body = fetch(models_url(hub, "limit=20"))
        assert status == 200 and int(headers["Content-Length"]) == len(body) > 0
        with pytest.raises(orjson.JSONDecodeError):
            orjson.loads(body)


def test_duplicate_across_pages(hub: StandinHub, records: list[dict[str, Any]]) -> None:
    hub.set_faults(duplicate_across_pages=True)
    pages = walk(models_url(hub, "limit=1000&expand=likes"))
    assert len(pages) == 5
    for prev, cur in zip(pages, pages[1:], strict=False):
        assert cur[0]["id"] == prev[-1]["id"]
    assert list(dict.fromkeys(ids([m for p in pages for m in p]))) == ids(records)


def test_cursor_loop(hub: StandinHub) -> None:
    hub.set_faults(cursor_loop_after_page=1)
    _, headers, _ = fetch(models_url(hub, "limit=100"))
    loop = next_link(headers)
    assert loop
    for _ in range(3):
        _, headers, body = fetch(loop)
        assert next_link(headers) == loop and len(orjson.loads(body)) == 100


def test_empty_page_with_next(hub: StandinHub, records: list[dict[str, Any]]) -> None:
    hub.set_faults(empty_page_with_next=1)
    pages = walk(models_url(hub, "limit=1000"))
    assert [len(p) for p in pages] == [1000, 0, 1000, 1000, 1000, len(records) - 4000]
    assert ids([m for p in pages for m in p]) == ids(records)


def test_page_faults_count_per_query(hub: StandinHub) -> None:
    hub.set_faults(truncate_page=1)
    status, headers, body = fetch(models_url(hub, "limit=10&sort=likes"))
    assert orjson.loads(body) and next_link(headers)  # page 0 of this query is intact
    second = fetch(next_link(headers) or "")
    assert second[0] == 200
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(second[2])
    assert orjson.loads(fetch(models_url(hub, "limit=10&sort=downloads"))[2])  # page 0 of another query


# ------------------------------------------------------------------------------------------------ CLI


def test_cli_serves(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hubscope_testing.standin",
            "--records",
            str(FINETUNES),
            "--port",
            "0",
            "--truncate-page",
            "3",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        status, _, body = fetch(f"{url}/api/models?author=deepseek-ai&expand=safetensors")
        assert status == 200 and orjson.loads(body)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    with pytest.raises(SystemExit):
        main(["--help"])


def test_set_faults_without_arguments_resets_every_switch(hub: StandinHub, api: HfApi) -> None:
    hub.set_faults(server_errors=3, truncate_page=0, rate_limit_storm=2)
    assert hub.set_faults() == Faults()
    assert len(list(api.list_models(author="mistralai", expand=["author"]))) > 0
    assert {r.status for r in hub.requests} == {200}


# ------------------------------------------------------------------------------------------------ dataset repos

HUBSTATS_FILE = DATA / "hubstats-sample-fixture.parquet"


@pytest.fixture
def dataset_hub() -> Iterator[tuple[StandinHub, DatasetHost, list[Commit]]]:
    """Seven commits of a dataset repo (one without the file), three to a page of the commit listing."""
    commits = [
        Commit(f"{i:02d}".ljust(40, "c"), datetime(2026, 7, 1 + i, 6, tzinfo=UTC),
               {} if i == 3 else {"models.parquet": HUBSTATS_FILE})
        for i in range(7)
    ]  # fmt: skip
    host = DatasetHost([DatasetRepo("cfahlgren1/hub-stats", commits, page_size=3)])
    with StandinHub([], datasets=host) as server, pytest.MonkeyPatch.context() as mp:
        # As if HF_ENDPOINT pointed here at import: hf_hub_url swaps `endpoint=` in only for URLs that start with
        # constants.ENDPOINT, so the module's `hub` fixture (which patches ENDPOINT alone) would send us elsewhere.
        mp.setattr(constants, "ENDPOINT", server.url)
        mp.setattr(constants, "HUGGINGFACE_CO_URL_TEMPLATE", server.url + "/{repo_id}/resolve/{revision}/{filename}")
        yield server, host, commits


def test_commit_listing_pages_with_link_headers(dataset_hub: tuple[StandinHub, DatasetHost, list[Commit]]) -> None:
    server, host, commits = dataset_hub
    got = HfApi(endpoint=server.url, token=False).list_repo_commits("cfahlgren1/hub-stats", repo_type="dataset")
    assert [c.commit_id for c in got] == [c.sha for c in reversed(commits)]  # newest first
    assert got[0].created_at == datetime(2026, 7, 7, 6, tzinfo=UTC) and got[0].authors == ["cfahlgren1"]
    assert len(host.served(method="GET")) == 3  # 7 commits, 3 a page
    status, headers, body = fetch(f"{server.url}/api/datasets/cfahlgren1/hub-stats/commits/{commits[2].sha}")
    assert status == 200 and [c["id"] for c in orjson.loads(body)] == [c.sha for c in commits[2::-1]]
    assert "Link" not in headers  # 3 commits reachable from there: one page


def test_resolve_headers_and_404_codes(dataset_hub: tuple[StandinHub, DatasetHost, list[Commit]]) -> None:
    server, _, commits = dataset_hub
    base = f"{server.url}/datasets/cfahlgren1/hub-stats/resolve"
    request = urllib.request.Request(f"{base}/main/models.parquet", method="HEAD")
    with urllib.request.urlopen(request, timeout=10) as resp:
        assert resp.headers["X-Repo-Commit"] == commits[-1].sha
        assert resp.headers["Content-Length"] == str(HUBSTATS_FILE.stat().st_size)
        assert resp.headers["ETag"].startswith('"') and resp.read() == b""
    ranged = urllib.request.Request(f"{base}/{commits[0].sha}/models.parquet", headers={"Range": "bytes=100-"})
    with urllib.request.urlopen(ranged, timeout=10) as resp:
        size = HUBSTATS_FILE.stat().st_size
        assert resp.status == 206 and resp.headers["Content-Range"] == f"bytes 100-{size - 1}/{size}"
        assert resp.read() == HUBSTATS_FILE.read_bytes()[100:]
    for url, code in (
        (f"{base}/{'f' * 40}/models.parquet", "RevisionNotFound"),
        (f"{base}/{commits[3].sha}/models.parquet", "EntryNotFound"),
        (f"{server.url}/datasets/nobody/nothing/resolve/main/models.parquet", "RepoNotFound"),
    ):
        status, headers, _ = fetch(url)
        assert (status, headers["X-Error-Code"]) == (404, code)


def test_download_through_the_client_survives_429_5xx_and_a_dropped_connection(
    dataset_hub: tuple[StandinHub, DatasetHost, list[Commit]], tmp_path: Path, fast_sleep: None
) -> None:
    server, host, commits = dataset_hub
    host.set_faults(rate_limit=1, server_errors=1, drop_file_gets=1)

    def download(revision: str) -> Path:
        return Path(hf_hub_download("cfahlgren1/hub-stats", "models.parquet", repo_type="dataset", revision=revision,
                                    endpoint=server.url, token=False, cache_dir=tmp_path))  # fmt: skip

    path = download(commits[1].sha)
    assert path.read_bytes() == HUBSTATS_FILE.read_bytes() and path.parent.name == commits[1].sha
    statuses = [r.status for r in host.requests]
    assert statuses[:2] == [429, 500] and 599 in statuses and statuses[-1] == 200  # 599: dropped mid-file
    with pytest.raises(EntryNotFoundError):
        download(commits[3].sha)
    with pytest.raises(RevisionNotFoundError):
        download("f" * 40)


def test_cli_serves_a_directory_of_dump_revisions(tmp_path: Path) -> None:
    for day in ("2026-07-01", "2026-07-02"):
        (tmp_path / f"models-{day}.parquet").write_bytes(HUBSTATS_FILE.read_bytes())
    proc = subprocess.Popen(
        [sys.executable, "-m", "hubscope_testing.standin", "--hub-stats-dir", str(tmp_path), "--port", "0"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        commits = HfApi(endpoint=url, token=False).list_repo_commits("cfahlgren1/hub-stats", repo_type="dataset")
        assert [c.created_at for c in commits] == [datetime(2026, 7, d, 6, tzinfo=UTC) for d in (2, 1)]
        status, headers, body = fetch(
            f"{url}/datasets/cfahlgren1/hub-stats/resolve/{commits[1].commit_id}/models.parquet"
        )
        assert status == 200 and body == HUBSTATS_FILE.read_bytes() and headers["X-Repo-Commit"] == commits[1].commit_id
    finally:
        proc.terminate()
        proc.wait(timeout=10)
