"""The `/api/models` protocol of the stand-in Hub: allowed expand values, query parsing, signed cursors,
filtering, sorting and the shape of one list item."""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import orjson

from hubscope_testing.records import normalize_record

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


class _QueryError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


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
