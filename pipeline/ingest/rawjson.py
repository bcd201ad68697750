"""Page bytes → records, so one record the fast parser refuses never sinks its page.

orjson reads a page in one call (the fast path, ~40k models/s). It refuses a whole page for one record that is
valid JSON but that it cannot represent: a lone UTF-16 surrogate (`"\\ud800"`, what JavaScript's JSON.stringify
emits), a number beyond a double (`1e400`), nesting deeper than 1,024 levels. Only then the page is split into its
top-level items and each item is read alone; an item that is valid JSON but unreadable becomes an `Unreadable`
placeholder the normalizer quarantines with its reason. A page that is not JSON at all (cut short, bare `NaN`)
still fails: its records cannot be trusted to be what the server meant.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import orjson

# Raw text kept for a quarantined record: enough to see what was wrong, bounded so a 10 MB record stays small.
MAX_RAW_CHARS = 64 * 1024
# One token of a JSON text for splitting a page: a whole string (escapes included), a bracket, or a comma.
_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{},]', re.DOTALL)
_LOOSE_ID = re.compile(rb'"(?:id|modelId)"\s*:\s*"((?:[^"\\]|\\.){1,300})"')
_WHY = (  # orjson's message → the reason stored with the record
    ("surrogate", "a string holds a lone UTF-16 surrogate (not valid Unicode text)"),
    ("infinity", "a number is too large for a double (e.g. 1e400)"),
    ("depth limit", "nested deeper than 1,024 levels"),
)


class PageError(ValueError):
    """The page is not a JSON array of records; the message says why in one line."""


@dataclass(frozen=True)
class Unreadable:
    """A page item that is valid JSON but cannot be read as a record; quarantined by the normalizer."""

    raw: str
    reason: str

    @property
    def loose_id(self) -> str | None:
        found = _LOOSE_ID.search(self.raw.encode("utf-8", "replace"))
        return found.group(1).decode("utf-8", "replace") if found else None


def parse_page(body: bytes) -> list[Any]:
    """The page's items in order; unreadable items as `Unreadable`. Raises PageError for a page that is not JSON."""
    try:
        records = orjson.loads(body)
    except orjson.JSONDecodeError as err:
        return [parse_item(item) for item in _split_array(body, err)]
    if not isinstance(records, list):
        raise PageError(f"a page is not a JSON array but {type(records).__name__}")
    return records


def parse_item(raw: bytes) -> Any:
    """One record's JSON text → the record, or `Unreadable` when it is valid JSON orjson cannot represent."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as err:
        fast_error = str(err)
    try:
        json.loads(raw, parse_constant=_refuse_constant)  # the grammar check: valid JSON, only unrepresentable?
    except RecursionError:
        pass  # valid so far, just deeper than Python's recursion limit
    except ValueError as err:  # json.JSONDecodeError and bare NaN/Infinity: not JSON
        raise PageError(f"a page is not valid JSON ({len(raw)} bytes in one record): {err}") from None
    text = raw.decode("utf-8", "replace")
    if len(text) > MAX_RAW_CHARS:
        text = text[:MAX_RAW_CHARS] + f"…[{len(text):,} characters, cut]"
    return Unreadable(text, _reason(fast_error))


def _reason(fast_error: str) -> str:
    for fragment, why in _WHY:
        if fragment in fast_error:
            return why
    return "unreadable record: " + fast_error.split(": line ")[0]


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _split_array(body: bytes, err: orjson.JSONDecodeError) -> list[bytes]:
    """The top-level items of a JSON array, as bytes, without parsing them (strings are skipped whole)."""
    start = body.find(b"[")
    if start < 0 or body[:start].strip():
        raise PageError(f"a page is not valid JSON ({len(body):,} bytes): {err}")
    items: list[bytes] = []
    depth, item_start, end = 0, start + 1, -1
    for token in _TOKEN.finditer(body, start):
        char = token.group()
        if char in (b"[", b"{"):
            depth += 1
        elif char in (b"]", b"}"):
            depth -= 1
            if depth == 0:
                end = token.start()
                break
        elif char == b"," and depth == 1:
            items.append(body[item_start : token.start()])
            item_start = token.end()
    if end < 0 or body[end + 1 :].strip():
        raise PageError(f"a page is not valid JSON ({len(body):,} bytes): {err}")
    last = body[item_start:end]
    if last.strip() or items:
        items.append(last)
    return items
