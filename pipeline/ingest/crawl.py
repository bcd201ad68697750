"""Fetching, paging and resume state in one place.

huggingface_hub does the HTTP: `HfApi(endpoint=…).list_models(expand=[…])`, its retries and its paging. A hook
on the client's httpx session (installed with the public `huggingface_hub.set_client_factory`) sees each page as
it passes, so we keep the page body as the Hub sent it and the `Link` cursor of the last complete page. When a
rate-limit storm outlasts the client's own retries, we wait as the `RateLimit` header says and start
`list_models` again from that cursor, within a time budget; after that the fetch fails cleanly.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx2
from huggingface_hub import HfApi, set_client_factory
from huggingface_hub.errors import HfHubHTTPError
from huggingface_hub.utils import parse_ratelimit_headers

from pipeline.ingest.rawjson import PageError, parse_page

log = logging.getLogger(__name__)

# Every field the product reads (see docs/ARCHITECTURE.md); the Hub answers only these keys.
EXPAND = [
    "author", "createdAt", "lastModified", "downloads", "downloadsAllTime", "likes", "trendingScore",
    "pipeline_tag", "library_name", "tags", "gated", "private", "disabled", "sha", "safetensors", "gguf",
    "cardData", "baseModels",
]  # fmt: skip
RETRYABLE_STATUS = {429, 500, 502, 503, 504}
HTTP_TIMEOUT_S = 120.0


class FetchError(RuntimeError):
    """The fetch cannot go on; the message says why (never contains the token)."""


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

    def filters(self) -> dict[str, Any]:
        """What was asked, for refresh_runs.filters (never the token)."""
        asked = asdict(self)
        for not_a_filter in ("token", "endpoint", "rate_limit_budget_s"):
            asked.pop(not_a_filter)
        return {k: v for k, v in asked.items() if v is not None}


@dataclass
class Page:
    records: list[Any]
    next_url: str | None


@dataclass
class FetchStats:
    pages: int = 0
    models: int = 0
    resumes: int = 0
    waited_s: float = 0.0
    cursor: str | None = None  # next-page URL after the last complete page: where a resume starts


class _PageTap:
    """Watches /api/models traffic inside huggingface_hub's httpx client."""

    def __init__(self) -> None:
        self.pending: list[tuple[bytes, str | None]] = []
        self.resume_url: str | None = None
        self.seen_next: set[str] = set()

    def client(self) -> httpx2.Client:
        return httpx2.Client(
            event_hooks={"request": [self.on_request], "response": [self.on_response]},
            follow_redirects=True,
            timeout=HTTP_TIMEOUT_S,
        )

    def on_request(self, request: httpx2.Request) -> None:
        # list_models has no cursor argument: a resumed listing starts at the saved next-page URL instead.
        # Kept until that page arrives, because the client's own retries re-send the original first request.
        if self.resume_url and _is_listing(request.url) and "cursor" not in request.url.params:
            request.url = httpx2.URL(self.resume_url)

    def on_response(self, response: httpx2.Response) -> None:
        if response.status_code != 200 or not _is_listing(response.request.url):
            return
        # The resume URL is dropped only once its page has fully arrived: if the body is cut (connection reset),
        # the client's retry must go to that page again, not to the listing's first page.
        response.read()
        self.resume_url = None
        next_url = response.links.get("next", {}).get("url")
        if next_url is not None and (next_url in self.seen_next or any(n == next_url for _, n in self.pending)):
            raise FetchError(f"the server repeated a cursor (paging loop) after {len(self.seen_next)} pages")
        self.pending.append((response.content, next_url))

    def take(self) -> list[Page]:
        """Pages the client has parsed and passed on: complete, so their cursors are safe to resume from."""
        pages, self.pending = self.pending, []
        self.seen_next.update(next_url for _, next_url in pages if next_url)
        return [Page(_parse(body), next_url) for body, next_url in pages]


def _is_listing(url: httpx2.URL) -> bool:
    return url.path.rstrip("/").endswith("/api/models")


def _parse(body: bytes) -> list[Any]:
    try:
        return parse_page(body)
    except PageError as err:
        raise FetchError(str(err)) from None


def token_from_env() -> str | None:
    return os.environ.get("HF_TOKEN") or None


def _wait_for(err: Exception, attempt: int) -> float:
    """Seconds to wait before resuming after `err`, or raise when it is not worth retrying."""
    if isinstance(err, HfHubHTTPError):
        status = err.response.status_code if err.response is not None else None
        if status not in RETRYABLE_STATUS:
            raise FetchError(f"the Hub answered HTTP {status}: {str(err).splitlines()[0]}") from None
        if status == 429:
            info = parse_ratelimit_headers(err.response.headers)
            if info is not None:
                return float(info.reset_in_seconds) + 1.0
            retry_after = err.response.headers.get("Retry-After", "")
            if retry_after.isdigit():
                return float(retry_after) + 1.0
    return float(min(60, 2**attempt))


def fetch_pages(options: FetchOptions, stats: FetchStats | None = None) -> Iterator[list[Any]]:
    """Yield each page's raw records, in the Hub's order, resuming from the cursor after long storms."""
    stats = stats if stats is not None else FetchStats()
    tap = _PageTap()
    set_client_factory(tap.client)
    api = HfApi(endpoint=options.endpoint, token=options.token or token_from_env() or False)
    attempt = 0
    pages_at_last_read_error = -1
    while True:
        remaining = None if options.limit is None else options.limit - stats.models
        if (remaining is not None and remaining <= 0) or (stats.pages and stats.cursor is None):
            return
        tap.resume_url = stats.cursor
        tap.pending.clear()  # a page received but not passed on before a failure is fetched again
        try:
            listing = api.list_models(
                author=options.author, pipeline_tag=options.task, search=options.search,
                sort=options.sort, limit=remaining, expand=EXPAND,  # type: ignore[arg-type]
            )  # fmt: skip
            for _ in listing:
                if tap.pending:
                    yield from _emit(tap, options, stats)
            yield from _emit(tap, options, stats)
            return
        except (HfHubHTTPError, httpx2.TransportError) as err:
            attempt += 1
            wait = _wait_for(err, attempt)
            if stats.waited_s + wait > options.rate_limit_budget_s:
                raise FetchError(
                    f"gave up after {stats.waited_s:.0f}s of waiting ({stats.resumes} resumes, "
                    f"{stats.pages} pages done): {type(err).__name__}: {str(err).splitlines()[0][:200]}"
                ) from None
            log.warning(
                "%s after %d pages; waiting %.0fs then resuming from the last cursor",
                type(err).__name__, stats.pages, wait,
            )  # fmt: skip
            time.sleep(wait)
            stats.waited_s += wait
            stats.resumes += 1
        except (KeyError, TypeError, AttributeError, ValueError) as err:
            # The client could not read a page: invalid JSON (the page is then refused by _parse below), or a
            # record it cannot turn into a ModelInfo (e.g. no "id"). We hold the raw page: pass it on, so the
            # normalizer quarantines the bad records, and carry on from its cursor.
            if not tap.pending and stats.pages == pages_at_last_read_error:
                # Nothing new was passed on since the last such error: resuming again would loop forever.
                raise FetchError(f"the client fails without progress: {type(err).__name__}: {err}") from None
            pages_at_last_read_error = stats.pages
            log.warning(
                "huggingface_hub could not read a record (%s: %s); its raw page is kept", type(err).__name__, err
            )
            yield from _emit(tap, options, stats)


def _emit(tap: _PageTap, options: FetchOptions, stats: FetchStats) -> Iterator[list[Any]]:
    for page in tap.take():
        records = page.records
        if options.limit is not None:
            records = records[: max(0, options.limit - stats.models)]
        stats.pages += 1
        stats.models += len(records)
        stats.cursor = page.next_url
        yield records
