"""The Hub crawl: `GET /api/models?expand=…` page by page, following the `Link: rel="next"` cursor.

huggingface_hub does the HTTP: its shared session (`get_session`), its headers (`build_hf_headers`: token,
user agent), its retries (`http_backoff`: 1, 2, 4, 8, 8 s on 429/5xx and cut-short reads), its errors
(`hf_raise_for_status`) and its rate-limit parsing (`parse_ratelimit_headers`). The paging is ours because the
public `HfApi.list_models` cannot start from a cursor and turns every item into a `ModelInfo` (~100 µs a model):
here a page is kept as the Hub sent it, parsed in one orjson call, and a record the client could not read is
quarantined by the normalizer instead of failing the page. Nothing process-global is changed.

Faults: a rate-limit storm or a 5xx burst that outlasts the client's retries is waited out (as `RateLimit` says)
and the crawl resumes at the cursor of the last complete page, within `rate_limit_budget_s`. An endpoint that
cannot be reached (connection refused, DNS failure) is tried a few times quickly, then the run fails with
"cannot reach ENDPOINT". A next-page link to another scheme/host is never followed, so the token goes nowhere else.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx2
from huggingface_hub import constants
from huggingface_hub.errors import HfHubHTTPError
from huggingface_hub.utils import build_hf_headers, hf_raise_for_status, http_backoff, parse_ratelimit_headers

from pipeline import __version__
from pipeline.ingest.rawjson import PageError, parse_page
from pipeline.ingest.staging import stage_pages

log = logging.getLogger(__name__)

# Every field the product reads (see docs/ARCHITECTURE.md); the Hub answers only these keys.
EXPAND = [
    "author", "createdAt", "lastModified", "downloads", "downloadsAllTime", "likes", "trendingScore",
    "pipeline_tag", "library_name", "tags", "gated", "private", "disabled", "sha", "safetensors", "gguf",
    "cardData", "baseModels",
]  # fmt: skip
RETRYABLE_STATUS = {429, 500, 502, 503, 504}
HTTP_TIMEOUT_S = 120.0
# Retried inside http_backoff: a read cut short or a connection dropped mid-answer (the server is there).
_TRANSIENT = (
    httpx2.ReadTimeout, httpx2.WriteTimeout, httpx2.PoolTimeout, httpx2.ReadError, httpx2.WriteError,
    httpx2.RemoteProtocolError,
)  # fmt: skip
# Nobody answers at all: a wrong or dead endpoint. Worth a few quick tries, never an hour of rate-limit budget.
_UNREACHABLE = (httpx2.ConnectError, httpx2.ConnectTimeout)
CONNECT_TRIES = 3
CONNECT_WAIT_S = 1.0  # then 2 s: ~3 s in all before "cannot reach"
_SORT_KEYS = {"last_modified": "lastModified", "trending_score": "trendingScore", "created_at": "createdAt"}


class FetchError(RuntimeError):
    """The fetch cannot go on; the message says why in one line (never contains the token)."""


@dataclass(frozen=True)
class FetchOptions:
    endpoint: str | None = None  # None: huggingface_hub's default ($HF_ENDPOINT or the Hub)
    author: str | None = None
    task: str | None = None  # the Hub's pipeline_tag
    search: str | None = None
    limit: int | None = None
    sort: str | None = None
    rate_limit_budget_s: float = 3600.0  # total time we may spend waiting out storms
    token: str | None = field(default=None, repr=False, compare=False)

    @property
    def is_full(self) -> bool:
        return not (self.author or self.task or self.search or self.limit)

    @property
    def endpoint_url(self) -> str:
        return (self.endpoint or constants.ENDPOINT).rstrip("/")

    def filters(self) -> dict[str, Any]:
        """What was asked, for refresh_runs.filters (never the token)."""
        asked = asdict(self)
        for not_a_filter in ("token", "endpoint", "rate_limit_budget_s"):
            asked.pop(not_a_filter)
        return {k: v for k, v in asked.items() if v is not None}

    def query(self) -> list[tuple[str, str | int]]:
        """The first page's query, as `HfApi.list_models` sends it for the same arguments."""
        asked = {"author": self.author, "pipeline_tag": self.task, "search": self.search}
        params: list[tuple[str, str | int]] = [(k, v) for k, v in asked.items() if v]
        if self.sort is not None:
            params.append(("sort", _SORT_KEYS.get(self.sort, self.sort)))
        if self.limit is not None:
            params.append(("limit", self.limit))
        return params + [("expand", name) for name in EXPAND]


@dataclass
class FetchStats:
    pages: int = 0
    models: int = 0
    resumes: int = 0
    waited_s: float = 0.0
    cursor: str | None = None  # next-page URL after the last complete page: where a resume starts


def token_from_env() -> str | None:
    return os.environ.get("HF_TOKEN") or None


class CrawlSource:
    """The live Hub (or a stand-in at `options.endpoint`) as a `pipeline.ingest.source.Source`."""

    origin = "hub"
    series: str | None = "hub"

    def __init__(self, options: FetchOptions) -> None:
        self.options = options
        self.stats = FetchStats()

    @property
    def is_full(self) -> bool:
        return self.options.is_full

    @property
    def as_of(self) -> None:
        return None  # the run's start time

    def describe(self) -> str:
        return self.options.endpoint_url

    def filters(self) -> dict[str, Any]:
        return self.options.filters()

    def expected_models(self) -> int | None:
        return self.options.limit

    def stage(self, writer: Any, progress: Any) -> int:
        return stage_pages(fetch_pages(self.options, self.stats), writer, progress)


def fetch_pages(options: FetchOptions, stats: FetchStats | None = None) -> Iterator[list[Any]]:
    """Yield each page's records, in the Hub's order; resumes at `stats.cursor` when it is set."""
    stats = stats if stats is not None else FetchStats()
    endpoint = options.endpoint_url
    headers = build_hf_headers(
        token=options.token or token_from_env() or False, library_name="hubscope", library_version=__version__
    )
    url, params = (stats.cursor, None) if stats.cursor else (f"{endpoint}/api/models", options.query())
    seen_cursors: set[str] = set()
    attempt = 0
    while url is not None and (options.limit is None or stats.models < options.limit):
        try:
            response = _get(url, params, headers, endpoint)
        except (HfHubHTTPError, httpx2.TransportError) as err:
            attempt += 1
            _wait_out(err, attempt, options, stats)
            continue
        attempt = 0
        records = _parse(response.content)
        next_url = _next_url(response, endpoint, seen_cursors, stats.pages)
        if options.limit is not None:
            records = records[: max(0, options.limit - stats.models)]
        stats.pages += 1
        stats.models += len(records)
        stats.cursor = next_url
        yield records
        url, params = next_url, None


def _get(url: str, params: list[tuple[str, str | int]] | None, headers: dict[str, str], endpoint: str) -> Any:
    """One page through huggingface_hub's session and retries; connect failures: a few quick tries, then fail."""
    for connect_try in range(1, CONNECT_TRIES + 1):
        try:
            response = http_backoff(
                "GET", url, params=params, headers=headers, timeout=HTTP_TIMEOUT_S, retry_on_exceptions=_TRANSIENT
            )
        except _UNREACHABLE as err:
            if connect_try == CONNECT_TRIES:
                raise FetchError(f"cannot reach {endpoint}: {type(err).__name__}: {_first_line(err)}") from None
            log.warning("cannot connect to %s (%s); trying again", endpoint, type(err).__name__)
            time.sleep(CONNECT_WAIT_S * connect_try)
            continue
        hf_raise_for_status(response)
        return response
    raise AssertionError("unreachable")  # the loop returns or raises


def _wait_out(err: Exception, attempt: int, options: FetchOptions, stats: FetchStats) -> None:
    """Sleep before resuming at the same cursor, or raise when the budget is spent or the error is final."""
    wait = _wait_for(err, attempt)
    if stats.waited_s + wait > options.rate_limit_budget_s:
        raise FetchError(
            f"gave up after {stats.waited_s:.0f}s of waiting ({stats.resumes} resumes, "
            f"{stats.pages} pages done): {type(err).__name__}: {_first_line(err)[:200]}"
        ) from None
    log.warning(
        "%s after %d pages; waiting %.0fs then resuming from the last cursor", type(err).__name__, stats.pages, wait
    )
    time.sleep(wait)
    stats.waited_s += wait
    stats.resumes += 1


def _wait_for(err: Exception, attempt: int) -> float:
    """Seconds to wait before resuming after `err`, or raise when it is not worth retrying."""
    if isinstance(err, HfHubHTTPError):
        status = err.response.status_code if err.response is not None else None
        if status not in RETRYABLE_STATUS:
            raise FetchError(f"the Hub answered HTTP {status}: {_first_line(err)}") from None
        if status == 429:
            info = parse_ratelimit_headers(err.response.headers)
            if info is not None:
                return float(info.reset_in_seconds) + 1.0
            retry_after = err.response.headers.get("Retry-After", "")
            if retry_after.isdigit():
                return float(retry_after) + 1.0
    return float(min(60, 2**attempt))


def _next_url(response: Any, endpoint: str, seen: set[str], pages: int) -> str | None:
    """The Link rel="next" URL, refused when it leaves the endpoint's scheme+host or repeats a cursor."""
    link = response.links.get("next", {}).get("url")
    if link is None:
        return None
    next_url = str(response.url.join(link))  # a relative link is on the same host
    if _origin(next_url) != _origin(endpoint):
        shown = httpx2.URL(next_url).copy_with(query=None, fragment=None)
        raise FetchError(f"the next-page link leaves {endpoint} (it points to {shown}); not followed")
    if next_url in seen:
        raise FetchError(f"the server repeated a cursor (paging loop) after {pages + 1} pages")
    seen.add(next_url)
    return next_url


def _origin(url: str) -> tuple[str, str, int | None]:
    parsed = httpx2.URL(url)
    default_port = {"http": 80, "https": 443}.get(parsed.scheme)
    return parsed.scheme, parsed.host, parsed.port or default_port


def _parse(body: bytes) -> list[Any]:
    try:
        return parse_page(body)
    except PageError as err:
        raise FetchError(str(err)) from None


def _first_line(err: Exception) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__
