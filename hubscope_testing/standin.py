"""A stand-in Hugging Face Hub: serves `GET /api/models` from local records, with switchable faults, and (with
`datasets=`, see hubscope_testing/datasets.py) dataset repos: commit listing and file downloads.

Speaks enough of the real protocol (expand, limit, sort, author/search/pipeline_tag/filter, `Link` cursor
paging, 429 `RateLimit` headers) that the real `huggingface_hub.HfApi(endpoint=url).list_models()` works.
Records are kept in the Hub's raw camelCase API shape; `load_records` re-shapes our three source formats.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import contextlib
import gzip
import hashlib
import secrets
import socket
import sys
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlsplit

import orjson

from hubscope_testing.datasets import DatasetHost

ALLOWED_EXPAND: tuple[str, ...] = (
    "author",
    "baseModels",
    "cardData",
    "childrenModelCount",
    "config",
    "createdAt",
    "disabled",
    "downloads",
    "downloadsAllTime",
    "evalResults",
    "gated",
    "gguf",
    "inference",
    "inferenceProviderMapping",
    "lastModified",
    "library_name",
    "likes",
    "mask_token",
    "model-index",
    "pipeline_tag",
    "private",
    "resourceGroup",
    "safetensors",
    "sha",
    "siblings",
    "spaces",
    "tags",
    "transformersInfo",
    "trendingScore",
    "usedStorage",
    "widgetData",
)
_ALLOWED_EXPAND_SET = frozenset(ALLOWED_EXPAND)
DEFAULT_KEYS: tuple[str, ...] = (
    "_id",
    "id",
    "modelId",
    "likes",
    "downloads",
    "tags",
    "pipeline_tag",
    "library_name",
    "createdAt",
    "private",
)
SORT_FIELDS: frozenset[str] = frozenset(["downloads", "likes", "createdAt", "lastModified", "trendingScore", "id"])
MAX_PAGE = 1000
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


class _QueryError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


# ---------------------------------------------------------------------------------------------------------
# Record loaders


def object_id(model_id: str) -> str:
    """Deterministic 24-hex `_id` for a model id (sha1 prefix), used when the source has none."""
    return hashlib.sha1(model_id.encode()).hexdigest()[:24]


def _iso_z(value: str | None) -> str | None:
    """'2024-08-17 11:42:28+00:00' → '2024-08-17T11:42:28.000Z' (the Hub's format); other shapes unchanged."""
    if not value or not isinstance(value, str):
        return value
    if value.endswith("+00:00") and len(value) == 25:
        return f"{value[:10]}T{value[11:19]}.000Z"
    return value


def _base_models_from_tags(tags: Iterable[str]) -> dict[str, Any] | None:
    """`base_model:<relation>:<id>` tags → `{"relation": r, "models": [{"id": …}]}` (first relation wins)."""
    relation: str | None = None
    models: list[dict[str, str]] = []
    for tag in tags:
        parts = tag.split(":", 2)
        if len(parts) != 3 or parts[0] != "base_model" or "/" in parts[1]:
            continue
        if relation is None:
            relation = parts[1]
        if parts[1] == relation:
            models.append({"id": parts[2]})
    return {"relation": relation, "models": models} if relation else None


def from_api_item(item: dict[str, Any]) -> dict[str, Any]:
    """Format (a): a raw API item; only adds `_id` when missing."""
    if "_id" not in item:
        item["_id"] = object_id(item["id"])
    return item


def from_full_2022(item: dict[str, Any]) -> dict[str, Any]:
    """Format (b): a 2022 `list_models(full=True)` item; adds `id`, `_id` and `author` (from the id)."""
    model_id = item["modelId"]
    item["id"] = model_id
    item.setdefault("_id", object_id(model_id))
    if "author" not in item and "/" in model_id:
        item["author"] = model_id.split("/", 1)[0]
    return item


_SNAKE_TO_CAMEL = {
    "created_at": "createdAt",
    "last_modified": "lastModified",
    "downloads_all_time": "downloadsAllTime",
    "trending_score": "trendingScore",
    "card_data": "cardData",
    "used_storage": "usedStorage",
    "transformers_info": "transformersInfo",
    "widget_data": "widgetData",
    "model_index": "model-index",
    "mask_token": "mask_token",
}


def from_model_info(item: dict[str, Any]) -> dict[str, Any]:
    """Format (c): a huggingface_hub `ModelInfo` dict (snake_case) → the camelCase API shape.

    Null values are omitted (the Hub omits what it has no value for), `_`-prefixed keys are dropped.
    """
    out: dict[str, Any] = {"_id": object_id(item["id"])}
    for key, value in item.items():
        if key.startswith("_") or value is None:
            continue
        name = _SNAKE_TO_CAMEL.get(key, key)
        if name in ("createdAt", "lastModified"):
            value = _iso_z(value)
        elif name == "cardData" and isinstance(value, dict):
            value = {k: v for k, v in value.items() if v is not None}
        out[name] = value
    if "baseModels" not in out and (base := _base_models_from_tags(out.get("tags") or [])):
        out["baseModels"] = base
    return out


def normalize_record(item: dict[str, Any]) -> dict[str, Any]:
    """Detect the format of one record by its keys and re-shape it to the API shape."""
    if "id" not in item and "modelId" in item:
        return from_full_2022(item)
    if "created_at" in item or "card_data" in item or "last_modified" in item:
        return from_model_info(item)
    return from_api_item(item)


def _iter_lines(path: Path) -> Iterator[bytes]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as fh:
        for line in fh:
            if line.strip():
                yield line


def load_records(path: str | Path) -> list[dict[str, Any]]:
    """Load one JSONL(.gz) file of records in any of the three formats, re-shaped to the API shape."""
    return [normalize_record(orjson.loads(line)) for line in _iter_lines(Path(path))]


def load_many(paths: Iterable[str | Path]) -> list[dict[str, Any]]:
    """Load several files; a later record with an already-seen id is skipped."""
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    for path in paths:
        for record in load_records(path):
            if record["id"] not in seen:
                seen.add(record["id"])
                out.append(record)
    return out


# ---------------------------------------------------------------------------------------------------------
# Query handling


@dataclass(frozen=True)
class _Query:
    expand: tuple[str, ...]
    extra_keys: tuple[str, ...]  # full / config / cardData flags without expand
    full: bool
    limit: int | None
    sort: str | None
    author: str | None
    search: str | None
    pipeline_tag: str | None
    filters: tuple[str, ...]
    gated: bool | None
    cursor: str | None
    digest: str

    @property
    def selection_key(self) -> tuple[Any, ...]:
        return (self.sort, self.author, self.search, self.pipeline_tag, self.filters, self.gated)


def _truthy(value: str) -> bool:
    return value.lower() in ("1", "true", "yes")


def _parse_limit(values: list[str]) -> int | None:
    if not values:
        return None
    try:
        limit = int(values[-1])
    except ValueError:
        raise _QueryError(400, f'"limit" must be a number, got {values[-1]!r}') from None
    if limit < 1:
        raise _QueryError(400, '"limit" must be greater than or equal to 1')
    return limit


def _parse_expand(values: list[str]) -> tuple[str, ...]:
    for value in values:
        if value not in _ALLOWED_EXPAND_SET:
            raise _QueryError(400, f'"expand" must be one of [{", ".join(ALLOWED_EXPAND)}], got {value!r}')
    return tuple(dict.fromkeys(values))


def parse_query(raw_query: str, secret: bytes) -> _Query:
    """Parse an /api/models query string (raises `_QueryError` on bad input)."""
    pairs = parse_qsl(raw_query, keep_blank_values=True)
    multi: dict[str, list[str]] = {}
    for key, value in pairs:
        multi.setdefault(key.removesuffix("[]"), []).append(value)

    def one(name: str) -> str | None:
        values = multi.get(name)
        return values[-1] if values else None

    sort = one("sort")
    if sort is not None and sort not in SORT_FIELDS:
        raise _QueryError(400, f'"sort" must be one of [{", ".join(sorted(SORT_FIELDS))}], got {sort!r}')
    gated = one("gated")
    extra = [k for k, flag in (("config", "config"), ("cardData", "cardData")) if _truthy(one(flag) or "")]
    canonical = sorted((k, v) for k, v in pairs if k != "cursor")
    digest = hashlib.sha256(secret + orjson.dumps(canonical)).hexdigest()[:16]
    return _Query(
        expand=_parse_expand(multi.get("expand", [])),
        extra_keys=tuple(extra),
        full=_truthy(one("full") or ""),
        limit=_parse_limit(multi.get("limit", [])),
        sort=sort,
        author=one("author") or None,
        search=one("search") or None,
        pipeline_tag=one("pipeline_tag") or None,
        filters=tuple(multi.get("filter", [])),
        gated=None if gated is None else _truthy(gated),
        cursor=one("cursor"),
        digest=digest,
    )


def encode_cursor(offset: int, page: int, digest: str) -> str:
    """Opaque cursor: urlsafe base64 of offset, page index and the query digest."""
    raw = orjson.dumps({"o": offset, "p": page, "h": digest})
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, digest: str) -> tuple[int, int]:
    """Return (offset, page); a malformed or foreign cursor raises `_QueryError(400)`."""
    try:
        data = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        offset, page, owner = int(data["o"]), int(data["p"]), data["h"]
    except (binascii.Error, orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        raise _QueryError(400, "Invalid cursor") from None
    if owner != digest or offset < 0 or page < 0:
        raise _QueryError(400, "Invalid cursor: it does not belong to this query")
    return offset, page


def _prepare(record: Any) -> Any:
    """Well-formed records are re-shaped to the API shape; malformed ones are served verbatim, so the
    fault suite can send the client exactly what a broken Hub would."""
    if isinstance(record, dict) and isinstance(record.get("id", record.get("modelId")), str):
        return record if "_id" in record and "id" in record else normalize_record(record)
    return record


def _author_of(record: dict[str, Any]) -> str:
    author = record.get("author")
    if author:
        return str(author)
    model_id = str(record.get("id", ""))
    return model_id.split("/", 1)[0] if "/" in model_id else ""


def _matches(record: Any, q: _Query) -> bool:
    if not isinstance(record, dict):
        return not (q.author or q.search or q.pipeline_tag or q.filters or q.gated is not None)
    if q.author and _author_of(record).lower() != q.author.lower():
        return False
    if q.search and q.search.lower() not in str(record.get("id", "")).lower():
        return False
    if q.pipeline_tag and record.get("pipeline_tag") != q.pipeline_tag:
        return False
    if q.filters:
        tags = record.get("tags") or ()
        if not all(f in tags for f in q.filters):
            return False
    return q.gated is None or bool(record.get("gated") or False) == q.gated


def _sort_key(name: str):  # noqa: ANN202 - returns a key function
    def key(record: Any) -> tuple[int, Any]:
        # Ranked by type first so a malformed value (a string count, a list) never breaks the sort.
        value = record.get(name) if isinstance(record, dict) else None
        if isinstance(value, int | float) and not isinstance(value, bool):
            return (2, value)
        return (1, value) if isinstance(value, str) else (0, 0)

    return key


def shape_item(record: dict[str, Any], q: _Query) -> dict[str, Any]:
    """The item as the Hub would send it for this query's expand / full flags."""
    if not isinstance(record, dict):
        return record
    if q.expand:
        keys: Iterable[str] = ("_id", "id", *q.expand)
    elif q.full:
        return {"modelId": record["id"], **record}
    else:
        keys = (*DEFAULT_KEYS, *q.extra_keys)
    item = {k: record[k] for k in keys if k in record}
    if not q.expand and "modelId" not in item:
        item["modelId"] = record["id"]
    return item


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
        self._thread = threading.Thread(target=server.serve_forever, name="standin-hub", daemon=True)
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
