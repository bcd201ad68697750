"""Readers of one raw record's fields: each returns the typed value or raises BadRecord with the reason."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import polars as pl

HUB_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%.fZ"  # how the Hub writes createdAt / lastModified
EARLIEST_DATE = datetime(2000, 1, 1)  # anything before is not a real Hub date
# Repos older than the Hub's creation tracking all carry this createdAt; it is not a real date.
CREATED_AT_SENTINEL = "2022-03-02T23:29:04.000Z"
# Hub repo ids (the grammar of huggingface_hub's validate_repo_id): `[namespace/]name`, parts of ASCII letters,
# digits, '.', '_', '-', not starting or ending with '-' or '.', no '..'. validate_repo_id itself is not used: it
# caps names at 96 and refuses a '.git' suffix, which rejects 91 of 73,616 real ids in ../shared/hub-data (names
# up to 250 characters from before the Hub's cap, e.g. 'glasses/resnet18.git'); names here may have 256.
_PART = r"(?![.-])[A-Za-z0-9_.-]{{1,{n}}}(?<![.-])"
MODEL_ID_RE = re.compile(rf"(?:{_PART.format(n=96)}/)?{_PART.format(n=256)}")  # and no '..': valid_id()
# Above this a count is not a real Hub figure (the most downloaded model has ~1e9 all-time).
ABSURD_COUNT = 10**12
ABSURD_PARAMS = 10**14
ABSURD_CONTEXT = 10**9  # tokens; the longest real contexts are ~1e7
# Size caps (real maxima in ../shared/hub-data: 127 tags, 142 card languages, tags of 96 and licences of 65
# characters, 5 card base models): far above every real record, far below what would hurt a refresh.
MAX_TEXT = 1_000  # characters in any stored string (each tag, author, licence, sha, …)
MAX_TAGS = 2_000  # tags of a model, card languages included
MAX_PARENTS = 200
RELATIONS = ("finetune", "quantized", "adapter", "merge")
# `True` is what older client versions wrote for a gated repo; 0/1 are not accepted (0 == False in Python).
GATED_VALUES = {False: "no", "auto": "auto", "manual": "manual", True: "manual"}


NUMBER_TYPES = (int, float)


class BadRecord(ValueError):
    """A record that cannot be normalized; the message is the reason stored with it."""


def count(record: dict[str, Any], key: str) -> int | None:
    value = record.get(key)
    if value is None:
        return None
    if type(value) is int and 0 <= value <= ABSURD_COUNT:  # nearly every count: one test
        return value
    if isinstance(value, bool) or not isinstance(value, NUMBER_TYPES):
        raise BadRecord(f"{key} is not a number: {value!r:.40}")
    if isinstance(value, float):
        if not math.isfinite(value) or value != int(value):
            raise BadRecord(f"{key} is not a whole number: {value!r}")
        value = int(value)
    if value < 0:
        raise BadRecord(f"{key} is negative: {value}")
    if value > ABSURD_COUNT:
        raise BadRecord(f"{key} is absurd: {value}")
    return value


def _optional_string(record: dict[str, Any], key: str, refusal: Callable[[Any], str]) -> str | None:
    """The value at `key` when it is a string or absent; else BadRecord("<key> is not <refusal(value)>")."""
    value = record.get(key)
    if value is None or isinstance(value, str):
        return value
    raise BadRecord(f"{key} is not {refusal(value)}")


def _named_type(value: Any) -> str:
    return f"a string: {type(value).__name__}"


def _shown_value(value: Any) -> str:
    return f"a date string: {value!r:.40}"


def text(record: dict[str, Any], key: str) -> str | None:
    return _optional_string(record, key, _named_type)


def flag(record: dict[str, Any], key: str) -> bool | None:
    value = record.get(key)
    if value is None or isinstance(value, bool):
        return value
    raise BadRecord(f"{key} is not a boolean: {value!r:.40}")


def timestamp(record: dict[str, Any], key: str, now: datetime) -> datetime | None:
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadRecord(f"{key} is not a date string: {value!r:.40}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise BadRecord(f"{key} is not an ISO date: {value!r:.40}") from None
    if parsed.tzinfo is not None:
        try:  # 9999-12-31T23:59:59-12:00 is year 10000 in UTC: datetime cannot hold it
            parsed = parsed.astimezone(UTC).replace(tzinfo=None)
        except OverflowError:
            raise BadRecord(f"{key} is out of range: {value!r:.40}") from None
    if parsed < EARLIEST_DATE or parsed > now + timedelta(days=2):
        raise BadRecord(f"{key} is out of range: {value}")
    return parsed


def date_text(record: dict[str, Any], key: str) -> str | None:
    """The raw date string; parsed for the whole batch at once by `parse_dates`."""
    return _optional_string(record, key, _shown_value)


def parse_dates(values: list[str | None], key: str, now: datetime) -> tuple[pl.Series, dict[int, str]]:
    """A batch's date strings → UTC datetimes, vectorized for the Hub's own format (`…T11:42:28.000Z`); any
    other string, or a date out of range, goes through `timestamp` one by one (its value or its reason)."""
    unreadable = {}
    try:
        raw = pl.Series(values, dtype=pl.String())
    except UnicodeEncodeError:  # a lone surrogate (only from records given as Python objects, never parsed JSON)
        unreadable = {i: f"{key} is not valid Unicode text" for i, v in enumerate(values) if not _encodes(v)}
        values = [None if i in unreadable else v for i, v in enumerate(values)]
        raw = pl.Series(values, dtype=pl.String())
    parsed = raw.str.to_datetime(HUB_DATE_FORMAT, time_unit="us", strict=False)
    odd = (parsed.is_null() & raw.is_not_null()) | (parsed < EARLIEST_DATE) | (parsed > now + timedelta(days=2))
    odd = odd.fill_null(False)
    if not odd.any():
        return parsed, unreadable
    out, bad = parsed.to_list(), dict(unreadable)
    for index in odd.arg_true().to_list():
        try:
            out[index] = timestamp({key: values[index]}, key, now)
        except BadRecord as err:
            bad[index] = str(err)
    return pl.Series(out, dtype=pl.Datetime("us")), bad


def _encodes(value: str | None) -> bool:
    try:
        value is None or value.encode()
    except UnicodeEncodeError:
        return False
    return True


def valid_id(repo_id: str) -> bool:
    """A Hub repo id by the grammar above (MODEL_ID_RE and no '..')."""
    return MODEL_ID_RE.fullmatch(repo_id) is not None and ".." not in repo_id


def model_id(record: dict[str, Any]) -> str:
    model_id = record["id"] if "id" in record else record.get("modelId")
    if model_id is None:
        raise BadRecord("missing id")
    if not isinstance(model_id, str):
        raise BadRecord(f"id is not a string: {type(model_id).__name__}")
    if not valid_id(model_id):
        raise BadRecord(f"id is not a valid Hub repo id: {model_id!r:.120}")
    return model_id


def string_list(value: Any, what: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        raise BadRecord(f"{what} is not a list of strings")
    try:  # str.join checks every item is a string in C (a genexpr of isinstance costs ~5% of a batch)
        "".join(value)
    except TypeError:
        raise BadRecord(f"{what} is not a list of strings") from None
    if len(value) > MAX_TAGS:
        raise BadRecord(f"{what} has {len(value):,} entries (more than {MAX_TAGS:,})")
    return value


def tag_list(value: Any) -> tuple[list[str], str]:
    """The tags and their newline-joined text (joining checks every tag is a string in C, and lets callers look
    for 'base_model:' or 'license:' tags with one substring search instead of a loop)."""
    if value is None:
        return [], ""
    if isinstance(value, str):
        return [value], value
    if not isinstance(value, list):
        raise BadRecord("tags is not a list of strings")
    try:
        joined = "\n".join(value)
    except TypeError:
        raise BadRecord("tags is not a list of strings") from None
    if len(value) > MAX_TAGS:
        raise BadRecord(f"tags has {len(value):,} entries (more than {MAX_TAGS:,})")
    return value, joined


def safetensors(record: dict[str, Any]) -> tuple[int | None, str | None]:
    info = record.get("safetensors")
    if info is None:
        return None, None
    if not isinstance(info, dict) or not isinstance(info.get("parameters"), dict):
        raise BadRecord("safetensors is malformed (needs parameters and total)")
    dtypes = info["parameters"]
    for dtype, n in dtypes.items():
        if isinstance(n, bool) or not isinstance(n, int) or n < 0 or n > ABSURD_PARAMS:
            raise BadRecord(f"safetensors.parameters[{dtype!r:.20}] is not a valid count")
    total = info.get("total")
    if isinstance(total, bool) or not isinstance(total, int) or total < 0 or total > ABSURD_PARAMS:
        raise BadRecord("safetensors.total is not a valid count")
    return total, orjson.dumps(dtypes).decode()


def gguf(record: dict[str, Any]) -> tuple[int | None, str | None, int | None]:
    info = record.get("gguf")
    if info is None:
        return None, None, None
    if not isinstance(info, dict):
        raise BadRecord("gguf is not an object")
    total, arch, ctx = info.get("total"), info.get("architecture"), info.get("context_length")
    for name, value in (("total", total), ("context_length", ctx)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise BadRecord(f"gguf.{name} is not a valid count")
    if total is not None and total > ABSURD_PARAMS:
        raise BadRecord("gguf.total is absurd")
    if ctx is not None and ctx > ABSURD_CONTEXT:
        raise BadRecord(f"gguf.context_length is absurd: {ctx}")
    if arch is not None and not isinstance(arch, str):
        raise BadRecord("gguf.architecture is not a string")
    return total, arch, ctx


def card_data(record: dict[str, Any]) -> dict[str, Any]:
    card = record.get("cardData")
    if card is None:
        return {}
    if not isinstance(card, dict):
        raise BadRecord("cardData is not an object")
    return card
