"""A stand-in Hugging Face Hub: serves `GET /api/models` from local records, with switchable faults, and (with
`datasets=`, see hubscope_testing/datasets.py) dataset repos: commit listing and file downloads.

Speaks enough of the real protocol (expand, limit, sort, author/search/pipeline_tag/filter, `Link` cursor
paging, 429 `RateLimit` headers) that the real `huggingface_hub.HfApi(endpoint=url).list_models()` works.
Records are kept in the Hub's raw camelCase API shape; `load_records` re-shapes our three source formats.
"""

from __future__ import annotations

import argparse
import contextlib
import secrets
import socket
import sys
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import orjson

from hubscope_testing.datasets import DatasetHost
from hubscope_testing.models_query import (
    ALLOWED_EXPAND,
    DEFAULT_KEYS,
    MAX_PAGE,
    SORT_FIELDS,
    _matches,
    _prepare,
    _Query,
    _QueryError,
    _sort_key,
    decode_cursor,
    encode_cursor,
    parse_query,
    shape_item,
)
from hubscope_testing.records import load_many, load_records, normalize_record, object_id

__all__ = [
    "ALLOWED_EXPAND",
    "DEFAULT_KEYS",
    "MAX_PAGE",
    "SORT_FIELDS",
    "decode_cursor",
    "encode_cursor",
    "parse_query",
    "shape_item",
    "load_many",
    "load_records",
    "normalize_record",
    "object_id",
]  # re-exported: tests and bench import them here

_CACHE_ENTRIES = 16


# ---------------------------------------------------------------------------------------------------------
# Faults and request log


@dataclass
class Faults:
    """Fault switches. Counters (`rate_limit_storm`, `server_errors`) are consumed one per /api/models call.

    Page indexes are 0-based and counted per distinct query (the cursor carries the page index).
    """

    rate_limit_storm: int = 0
    storm_seconds: int = 0
    server_errors: int = 0
    server_error_status: int = 500
    drop_connection_on_page: int | None = None
    drop_always: bool = False
    truncate_page: int | None = None
    duplicate_across_pages: bool = False
    cursor_loop_after_page: int | None = None
    empty_page_with_next: int | None = None


class RequestRecord(NamedTuple):
    """One served request: path, raw query string, HTTP status sent."""

    path: str
    query: str
    status: int


@dataclass
class _Response:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    action: str | None = None  # None | "drop" | "truncate"


# ---------------------------------------------------------------------------------------------------------
# The server


class StandinHub:
    """A local HTTP server speaking the Hub's `/api/models` protocol. Use as a context manager."""

    def __init__(
        self,
        records: Sequence[dict[str, Any]],
        *,
        page_size: int = MAX_PAGE,
        faults: Faults | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        datasets: DatasetHost | None = None,
    ) -> None:
        # A list is re-shaped record by record; any other Sequence (e.g. bench.records.Resampled, millions of
        # records built on access) is served as it is: it must already yield API-shaped items.
        lazy = isinstance(records, Sequence) and not isinstance(records, list | tuple)
        self.records = records if lazy else [_prepare(r) for r in records]
        self.page_size = max(1, min(page_size, MAX_PAGE))
        self.faults = faults or Faults()
        self.datasets = datasets  # dataset repos (hubscope_testing/datasets.py): commit listing and file downloads
        self.requests: list[RequestRecord] = []
        self.fault_log: list[tuple[str, int]] = []  # (fault name, page index) for each fault injected
        self.verbose = False
        self._host, self._port = host, port
        self._lock = threading.RLock()
        self._cache_lock = threading.Lock()
        self._cache: OrderedDict[tuple[Any, ...], list[dict[str, Any]]] = OrderedDict()
        self._sorted: dict[str | None, list[dict[str, Any]]] = {None: self.records}
        self._dropped: set[tuple[str, int]] = set()
        self._secret = secrets.token_bytes(16)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("StandinHub is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> StandinHub:
        """Bind and serve in a daemon thread."""
        server = ThreadingHTTPServer((self._host, self._port), _Handler)
        server.daemon_threads = True
        server.hub = self  # type: ignore[attr-defined]
        self._server = server
        # poll_interval: shutdown() waits for the loop's next poll; the default 0.5 s is half a second per stop
        self._thread = threading.Thread(target=server.serve_forever, args=(0.02,), name="standin-hub", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the listening socket."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._thread = None

    def __enter__(self) -> StandinHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- faults and log ---------------------------------------------------------------------------------
    def set_faults(self, **changes: Any) -> Faults:
        """Change fault switches atomically; `set_faults()` with no argument resets them all."""
        with self._lock:
            self.faults = replace(self.faults, **changes) if changes else Faults()
            self._dropped.clear()
            return self.faults

    def reset_log(self) -> None:
        with self._lock:
            self.requests.clear()
            self.fault_log.clear()

    def _log(self, path: str, query: str, status: int) -> None:
        with self._lock:
            self.requests.append(RequestRecord(path, query, status))

    def _take(self, name: str) -> bool:
        """Consume one unit of a counter fault; True if it fires."""
        with self._lock:
            left = getattr(self.faults, name)
            if left > 0:
                setattr(self.faults, name, left - 1)
                self.fault_log.append((name, -1))
                return True
            return False

    def _note(self, name: str, page: int) -> None:
        with self._lock:
            self.fault_log.append((name, page))

    # -- selection ------------------------------------------------------------------------------------
    def _ordered(self, sort: str | None) -> list[dict[str, Any]]:
        order = self._sorted.get(sort)
        if order is None:
            order = sorted(self.records, key=_sort_key(sort or "id"), reverse=True)
            self._sorted[sort] = order
        return order

    def _select(self, q: _Query) -> list[dict[str, Any]]:
        key = q.selection_key
        with self._cache_lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
            order = self._ordered(q.sort)
            unfiltered = key[1:] == (None, None, None, (), None)
            chosen = order if unfiltered else [r for r in order if _matches(r, q)]
            self._cache[key] = chosen
            if len(self._cache) > _CACHE_ENTRIES:
                self._cache.popitem(last=False)
            return chosen

    # -- responses ------------------------------------------------------------------------------------
    def _error(self, status: int, message: str, headers: dict[str, str] | None = None) -> _Response:
        return _Response(status, orjson.dumps({"error": message}), headers or {})

    def _pre_faults(self) -> _Response | None:
        if self._take("rate_limit_storm"):
            seconds = self.faults.storm_seconds
            headers = {
                "RateLimit": f'"api";r=0;t={seconds}',
                "RateLimit-Policy": '"fixed window";"api";q=500;w=300',
            }
            message = "You have exceeded our hourly quotas for action 'api'. Retry after the window resets."
            return self._error(429, message, headers)
        if self._take("server_errors"):
            return self._error(self.faults.server_error_status, "Internal Error - We're working on it")
        return None

    def models_response(self, raw_query: str, base_url: str) -> _Response:
        """Build the response to `GET /api/models?<raw_query>`."""
        pre = self._pre_faults()
        if pre is not None:
            return pre
        try:
            q = parse_query(raw_query, self._secret)
            offset, page = decode_cursor(q.cursor, q.digest) if q.cursor else (0, 0)
        except _QueryError as err:
            return self._error(err.status, err.message)
        return self._page(q, offset, page, raw_query, base_url)

    def _page(self, q: _Query, offset: int, page: int, raw_query: str, base_url: str) -> _Response:
        faults = self.faults
        chosen = self._select(q)
        size = min(q.limit or self.page_size, self.page_size)
        start = offset - 1 if faults.duplicate_across_pages and page > 0 and offset > 0 else offset
        items = chosen[start : start + size]
        next_offset: int | None = start + len(items) if start + len(items) < len(chosen) else None
        if faults.empty_page_with_next == page:
            items, next_offset = [], offset
            self._note("empty_page_with_next", page)
        next_page = page + 1
        if faults.cursor_loop_after_page is not None and page >= faults.cursor_loop_after_page:
            next_offset, next_page = offset, page
            self._note("cursor_loop_after_page", page)
        headers = {}
        if next_offset is not None:
            link = _next_url(base_url, raw_query, encode_cursor(next_offset, next_page, q.digest))
            headers["Link"] = f'<{link}>; rel="next"'
        body = orjson.dumps([shape_item(r, q) for r in items])
        return _Response(200, body, headers, self._body_action(q.digest, page))

    def _body_action(self, digest: str, page: int) -> str | None:
        faults = self.faults
        if faults.truncate_page == page:
            self._note("truncate_page", page)
            return "truncate"
        if faults.drop_connection_on_page == page:
            with self._lock:
                if faults.drop_always or (digest, page) not in self._dropped:
                    self._dropped.add((digest, page))
                    self.fault_log.append(("drop_connection_on_page", page))
                    return "drop"
        return None


def _next_url(base_url: str, raw_query: str, cursor: str) -> str:
    """The request URL with every original parameter kept and `cursor` replaced."""
    kept = [p for p in raw_query.split("&") if p and not p.startswith("cursor=")]
    return f"{base_url}/api/models?{'&'.join([*kept, f'cursor={cursor}'])}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "StandinHub/1.0"
    timeout = 120

    @property
    def hub(self) -> StandinHub:
        return self.server.hub  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        if self.hub.verbose:
            super().log_message(format, *args)

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        parts = urlsplit(self.path)
        if self.hub.datasets is not None and self.hub.datasets.handle(self, "GET", parts.path, parts.query):
            return
        if parts.path.rstrip("/") == "/api/models":
            host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
            response = self.hub.models_response(parts.query, f"http://{host}")
        else:
            response = self.hub._error(404, "Sorry, we can't find the page you are looking for.")
        self.hub._log(parts.path, parts.query, response.status)
        self._send(response)

    def do_HEAD(self) -> None:  # noqa: N802 - stdlib naming
        parts = urlsplit(self.path)
        if self.hub.datasets is not None and self.hub.datasets.handle(self, "HEAD", parts.path, parts.query):
            return
        self.hub._log(urlsplit(self.path).path, urlsplit(self.path).query, 405)
        self._send(_Response(405, b""), head=True)

    def _send(self, response: _Response, head: bool = False) -> None:
        body = response.body
        if response.action == "truncate":
            body = body[: len(body) // 2]
        self.send_response(response.status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if head:
            return
        if response.action == "drop":
            self._drop(body)
            return
        self.wfile.write(body)

    def _drop(self, body: bytes) -> None:
        """Write half the body, then close the socket mid-body."""
        self.wfile.write(body[: max(1, len(body) // 2)])
        self.wfile.flush()
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)


# ---------------------------------------------------------------------------------------------------------
# CLI


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m hubscope_testing.standin", description=(__doc__ or "").split("\n")[0])
    p.add_argument("--records", nargs="*", default=[], help="JSONL(.gz): API items, 2022 full, ModelInfo")
    p.add_argument(
        "--hub-stats-dir", type=Path, metavar="DIR",
        help="serve DIR/*-YYYY-MM-DD.parquet as revisions of the dataset cfahlgren1/hub-stats (models.parquet)",
    )  # fmt: skip
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--page-size", type=int, default=MAX_PAGE)
    p.add_argument("--verbose", action="store_true", help="log each request to stderr")
    p.add_argument("--rate-limit-storm", type=int, default=0, metavar="N")
    p.add_argument("--storm-seconds", type=int, default=0, metavar="T")
    p.add_argument("--server-errors", type=int, default=0, metavar="N")
    p.add_argument("--server-error-status", type=int, default=500, choices=(500, 502, 503, 504))
    p.add_argument("--drop-connection-on-page", type=int, default=None, metavar="K")
    p.add_argument("--drop-always", action="store_true")
    p.add_argument("--truncate-page", type=int, default=None, metavar="K")
    p.add_argument("--duplicate-across-pages", action="store_true")
    p.add_argument("--cursor-loop-after-page", type=int, default=None, metavar="K")
    p.add_argument("--empty-page-with-next", type=int, default=None, metavar="K")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    faults = Faults(**{f.name: getattr(args, f.name) for f in fields(Faults)})
    records = load_many(args.records)
    datasets = None
    if args.hub_stats_dir:
        from hubscope_testing.datasets import repo_from_dir

        datasets = DatasetHost([repo_from_dir("cfahlgren1/hub-stats", args.hub_stats_dir)])
    hub = StandinHub(records, page_size=args.page_size, faults=faults, host=args.host, port=args.port,
                     datasets=datasets)  # fmt: skip
    hub.verbose = args.verbose
    serve_until_interrupted(hub, f"serving {len(records):,} records")
    return 0


def serve_until_interrupted(hub: StandinHub, what: str) -> None:
    """Start `hub`, print its URL on stdout's first line (scripts read it), serve until Ctrl-C."""
    hub.start()
    print(hub.url, flush=True)
    print(f"{what} at {hub.url}; Ctrl-C to stop", file=sys.stderr, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        hub.stop()


if __name__ == "__main__":
    sys.exit(main())
