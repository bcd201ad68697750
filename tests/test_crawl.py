"""The crawl against the stand-in Hub: where the token may go, an endpoint nobody answers at, resuming from a
cursor without touching huggingface_hub's process-wide session, and bad records quarantined, never the page."""

from __future__ import annotations

import socket
import time
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from helpers import sql_rows
from huggingface_hub.utils import get_session

from hubscope_testing import standin
from hubscope_testing.standin import StandinHub, load_records
from pipeline.cli import main
from pipeline.ingest import crawl
from pipeline.ingest.crawl import CrawlSource, FetchError, FetchOptions, FetchStats, fetch_pages
from pipeline.refresh import refresh

ROOT = Path(__file__).resolve().parents[1]
RECORDS = load_records(ROOT / "tests" / "data" / "hub-records-sample.jsonl.gz")[:300]  # real, see tests/data
PAGE = 50
TOKEN = "hf_CRAWLtestTOKEN0123456789abcdefXYZ"


@pytest.fixture
def hub() -> Iterator[StandinHub]:
    with StandinHub(RECORDS, page_size=PAGE) as server:
        yield server


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The crawl's own sleeps, recorded and cut to nothing (huggingface_hub's are not touched)."""
    slept: list[float] = []
    fake = types.SimpleNamespace(**{k: getattr(time, k) for k in dir(time) if not k.startswith("_")})
    fake.sleep = slept.append
    monkeypatch.setattr(crawl, "time", fake)
    return slept


@pytest.fixture
def auth_seen(monkeypatch: pytest.MonkeyPatch) -> dict[int, list[str]]:
    """Authorization headers received, per stand-in port."""
    seen: dict[int, list[str]] = {}
    handler_get = standin._Handler.do_GET

    def do_get(self: Any) -> None:
        seen.setdefault(self.server.server_address[1], []).append(self.headers.get("Authorization", ""))
        handler_get(self)

    monkeypatch.setattr(standin._Handler, "do_GET", do_get)
    return seen


def free_port() -> int:
    """A loopback port with nothing listening on it."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def next_link_to(hub: StandinHub, target: str) -> None:
    """Make the hub's first page point its Link header at `target` (a Hub gone wrong, or a hostile one)."""
    original = hub.models_response

    def response(raw_query: str, base_url: str):  # noqa: ANN202
        answer = original(raw_query, base_url)
        answer.headers["Link"] = f'<{target}/api/models?expand=author&cursor=stolen>; rel="next"'
        return answer

    hub.models_response = response  # type: ignore[method-assign]


# -- where the token may go ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "elsewhere", ["http://localhost:{other}", "http://127.0.0.1:{other}", "https://127.0.0.1:{port}"]
)
def test_a_next_link_to_another_scheme_or_host_is_not_followed_and_the_token_stays_home(
    hub: StandinHub, auth_seen: dict[int, list[str]], elsewhere: str
) -> None:
    with StandinHub(RECORDS[:10]) as other:
        target = elsewhere.format(other=port_of(other.url), port=port_of(hub.url))
        next_link_to(hub, target)
        with pytest.raises(FetchError) as err:
            list(fetch_pages(FetchOptions(endpoint=hub.url, token=TOKEN)))  # fails at the first page's link
        assert other.requests == [] and port_of(other.url) not in auth_seen  # never contacted
    message = str(err.value)
    assert message == f"the next-page link leaves {hub.url} (it points to {target}/api/models); not followed"
    assert auth_seen[port_of(hub.url)] == [f"Bearer {TOKEN}"]  # sent to the endpoint only, once
    assert TOKEN not in message and "stolen" not in message


def test_a_refresh_given_a_foreign_next_link_fails_in_one_line(hub: StandinHub, tmp_path: Path) -> None:
    next_link_to(hub, "http://evil.example")
    result = refresh(tmp_path / "hub.duckdb", CrawlSource(FetchOptions(endpoint=hub.url)))
    assert result is not None and result.status == "failed"
    assert "the next-page link leaves" in (result.error or "") and "\n" not in (result.error or "")
    assert [r.path for r in hub.requests] == ["/api/models"]  # evil.example was never asked


# -- an endpoint nobody answers at -----------------------------------------------------------------------------


def test_a_refused_connection_is_tried_quickly_then_cannot_reach(sleeps: list[float]) -> None:
    endpoint = f"http://127.0.0.1:{free_port()}"
    stats = FetchStats()
    started = time.monotonic()
    with pytest.raises(FetchError) as err:
        list(fetch_pages(FetchOptions(endpoint=endpoint, rate_limit_budget_s=3600), stats))
    assert str(err.value).startswith(f"cannot reach {endpoint}: ConnectError")
    assert sleeps == [1.0, 2.0]  # three tries ~3 s apart in all, not the hour of rate-limit budget
    assert stats.waited_s == 0 and stats.resumes == 0 and time.monotonic() - started < 5


def test_a_dns_failure_is_tried_quickly_then_cannot_reach(sleeps: list[float], monkeypatch: pytest.MonkeyPatch) -> None:
    """No name server is asked: the lookup itself fails, as it does for a mistyped --endpoint host."""

    def no_such_host(host: str, *args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    with pytest.raises(FetchError) as err:
        list(fetch_pages(FetchOptions(endpoint="http://hub.invalid")))
    assert str(err.value).startswith("cannot reach http://hub.invalid: ConnectError") and sleeps == [1.0, 2.0]


def test_refresh_against_a_dead_endpoint_exits_1_with_one_line(
    sleeps: list[float], tmp_path: Path, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    endpoint = f"http://127.0.0.1:{free_port()}"
    assert main(["refresh", "--db", str(tmp_path / "hub.duckdb"), "--endpoint", endpoint]) == 1
    err = capfd.readouterr().err + caplog.text  # (the log line goes to pytest's handler once logging is set up)
    assert f"cannot reach {endpoint}" in err and "Traceback" not in err
    assert sleeps == [1.0, 2.0]


# -- resuming without process-global patching -------------------------------------------------------------------


def test_a_crawl_resumes_at_a_cursor_without_touching_the_shared_session(hub: StandinHub) -> None:
    hooks_before = {k: list(v) for k, v in get_session().event_hooks.items()}
    stats = FetchStats()
    first = fetch_pages(FetchOptions(endpoint=hub.url), stats)
    seen = [r["id"] for _ in range(2) for r in next(first)]
    first.close()  # stopped after two pages, as a failed run would be
    assert stats.pages == 2 and stats.cursor is not None and "cursor=" in stats.cursor
    hub.reset_log()
    resumed = FetchStats(cursor=stats.cursor)
    seen += [r["id"] for page in fetch_pages(FetchOptions(endpoint=hub.url), resumed) for r in page]
    assert seen == [r["id"] for r in RECORDS]  # every model once, in the Hub's order
    assert all("cursor=" in r.query for r in hub.requests) and len(hub.requests) == len(RECORDS) // PAGE - 2
    assert {k: list(v) for k, v in get_session().event_hooks.items()} == hooks_before
    assert resumed.cursor is None and resumed.models == len(RECORDS) - 2 * PAGE


def test_the_first_request_is_what_list_models_sends(hub: StandinHub) -> None:
    options = FetchOptions(endpoint=hub.url, author="meta-llama", task="text-generation", sort="last_modified", limit=7)
    pages = list(fetch_pages(options))
    assert sum(map(len, pages)) <= 7
    query = hub.requests[0].query
    assert query.startswith("author=meta-llama&pipeline_tag=text-generation&sort=lastModified&limit=7&expand=author&")
    assert query.count("expand=") == len(crawl.EXPAND)


# -- bad records are quarantined, never read as a bad page ------------------------------------------------------

BAD_ITEMS = {  # raw JSON text as a server sends it → the reason stored
    "bad/surrogate": (b'{"id":"bad/surrogate","cardData":{"license":"mit","x":"\\ud800"}}', "lone UTF-16 surrogate"),
    "bad/huge-number": (b'{"id":"bad/huge-number","downloads":1e400}', "too large for a double"),
    "bad/deep": (b'{"id":"bad/deep","cardData":{"x":' + b"[" * 2000 + b"]" * 2000 + b"}}", "nested deeper"),
    "bad/gated": (b'{"id":"bad/gated","gated":["manual"]}', "gated is not false/auto/manual"),
    "bad/ctx": (b'{"id":"bad/ctx","gguf":{"context_length":9223372036854775808}}', "gguf.context_length is absurd"),
    "bad/date": (b'{"id":"bad/date","lastModified":"9999-12-31T23:59:59-12:00"}', "lastModified is out of range"),
    "bad/no-total": (b'{"id":"bad/no-total","safetensors":{"parameters":{"BF16":1}}}', "safetensors.total"),
    "../x": (b'{"id":"../x"}', "not a valid Hub repo id"),
}


def test_records_the_parser_or_client_cannot_read_are_quarantined_and_the_run_goes_on(
    hub: StandinHub, tmp_path: Path
) -> None:
    original = hub.models_response

    def with_bad_items(raw_query: str, base_url: str):  # noqa: ANN202
        answer = original(raw_query, base_url)
        if "cursor=" in raw_query and answer.body.startswith(b"[{"):  # the second page gets every bad item
            answer.body = answer.body[:-1] + b"," + b",".join(raw for raw, _ in BAD_ITEMS.values()) + b"]"
            original_page = orjson.loads(original(raw_query, base_url).body)
            assert len(original_page) == PAGE
            hub.models_response = original  # type: ignore[method-assign]
        return answer

    hub.models_response = with_bad_items  # type: ignore[method-assign]
    db = tmp_path / "hub.duckdb"
    result = refresh(db, CrawlSource(FetchOptions(endpoint=hub.url)))
    assert result is not None and result.status == "ok", result.error
    assert sql_rows(db, "SELECT count(*) FROM models") == [(len(RECORDS),)]  # every good record arrived
    rejected = dict(sql_rows(db, "SELECT model_id, reason FROM rejected_records"))
    assert sorted(rejected) == sorted(BAD_ITEMS)
    for model_id, (_, why) in BAD_ITEMS.items():
        assert why in rejected[model_id], (model_id, rejected[model_id])
