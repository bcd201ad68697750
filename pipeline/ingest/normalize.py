"""Raw Hub records → typed polars frames, one row per model; what cannot be read goes to `rejected`.

A raw record is one item of `GET /api/models?expand[]=…` (camelCase keys). Validation is per record so one bad
record never sinks a page: it is kept whole, with the reason, and the run goes on.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import polars as pl
import pyarrow as pa

# Repos older than the Hub's creation tracking all carry this createdAt; it is not a real date.
CREATED_AT_SENTINEL = "2022-03-02T23:29:04.000Z"
# Hub repo ids: optional namespace, then a name; ASCII letters, digits, '.', '_', '-'. Today's Hub caps a
# name at 96 characters, but repos from before the cap (2022 dump) have names up to 250.
MODEL_ID_RE = re.compile(r"^(?:[\w.-]{1,256}/)?[\w.-]{1,256}$", re.ASCII)
# Above this a count is not a real Hub figure (the most downloaded model has ~1e9 all-time).
ABSURD_COUNT = 10**12
ABSURD_PARAMS = 10**14
RELATIONS = ("finetune", "quantized", "adapter", "merge")
GATED_VALUES = {False: "no", "auto": "auto", "manual": "manual", True: "manual"}

MODEL_SCHEMA: dict[str, pl.DataType] = {
    "model_id": pl.String(),
    "author": pl.String(),
    "created_at": pl.Datetime("us"),
    "created_at_unknown": pl.Boolean(),
    "last_modified": pl.Datetime("us"),
    "pipeline_tag": pl.String(),
    "library_name": pl.String(),
    "tags": pl.List(pl.String()),
    "gated": pl.String(),
    "private": pl.Boolean(),
    "disabled": pl.Boolean(),
    "sha": pl.String(),
    "license_raw": pl.String(),
    "safetensors_total": pl.Int64(),
    "safetensors_dtypes": pl.String(),
    "gguf_total": pl.Int64(),
    "gguf_architecture": pl.String(),
    "gguf_context_length": pl.Int64(),
    "base_models": pl.List(pl.String()),
    "base_relation": pl.String(),
    "downloads_30d": pl.Int64(),
    "downloads_all_time": pl.Int64(),
    "likes": pl.Int64(),
    "trending_score": pl.Float64(),
}
LINEAGE_SCHEMA: dict[str, pl.DataType] = {
    "child_id": pl.String(),
    "parent_id": pl.String(),
    "relation": pl.String(),
    "source": pl.String(),
}
# Batches are built through Arrow: pyarrow converts Python lists (strings, datetimes, lists of strings) in C,
# ~3x faster than polars' per-element path for the list columns (measured: 0.06 s vs 0.20 s per 20k models).
_ARROW_TYPES: dict[pl.DataType, pa.DataType] = {
    pl.String(): pa.large_string(),
    pl.Int64(): pa.int64(),
    pl.Float64(): pa.float64(),
    pl.Boolean(): pa.bool_(),
    pl.Datetime("us"): pa.timestamp("us"),
    pl.List(pl.String()): pa.large_list(pa.large_string()),
}
REJECTED_SCHEMA: dict[str, pl.DataType] = {
    "model_id": pl.String(),
    "reason": pl.String(),
    "raw_json": pl.String(),
}


class BadRecord(ValueError):
    """A record that cannot be normalized; the message is the reason stored with it."""


@dataclass
class Batch:
    models: pl.DataFrame
    lineage: pl.DataFrame
    rejected: pl.DataFrame

    @property
    def size(self) -> int:
        return self.models.height + self.rejected.height


def _count(record: dict[str, Any], key: str) -> int | None:
    value = record.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
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


def _text(record: dict[str, Any], key: str) -> str | None:
    value = record.get(key)
    if value is None or isinstance(value, str):
        return value
    raise BadRecord(f"{key} is not a string: {type(value).__name__}")


def _flag(record: dict[str, Any], key: str) -> bool | None:
    value = record.get(key)
    if value is None or isinstance(value, bool):
        return value
    raise BadRecord(f"{key} is not a boolean: {value!r:.40}")


def _timestamp(record: dict[str, Any], key: str, now: datetime) -> datetime | None:
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
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    if parsed.year < 2000 or parsed > now + timedelta(days=2):
        raise BadRecord(f"{key} is out of range: {value}")
    return parsed


def _model_id(record: dict[str, Any]) -> str:
    model_id = record.get("id", record.get("modelId"))
    if model_id is None:
        raise BadRecord("missing id")
    if not isinstance(model_id, str):
        raise BadRecord(f"id is not a string: {type(model_id).__name__}")
    if not MODEL_ID_RE.match(model_id):
        raise BadRecord(f"id is not a valid Hub repo id: {model_id!r:.120}")
    return model_id


def _string_list(value: Any, what: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    raise BadRecord(f"{what} is not a list of strings")


def _safetensors(record: dict[str, Any]) -> tuple[int | None, str | None]:
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


def _gguf(record: dict[str, Any]) -> tuple[int | None, str | None, int | None]:
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
    if arch is not None and not isinstance(arch, str):
        raise BadRecord("gguf.architecture is not a string")
    return total, arch, ctx


def _card_data(record: dict[str, Any]) -> dict[str, Any]:
    card = record.get("cardData")
    if card is None:
        return {}
    if not isinstance(card, dict):
        raise BadRecord("cardData is not an object")
    return card


def _with_card_languages(tags: list[str], card: dict[str, Any]) -> list[str]:
    """The Hub tags a model with the language codes of its card (`cardData.language`); records that carry
    the card but not the tags (the bundled snapshot) get the same tags, so language charts work on both."""
    languages = card.get("language")
    if isinstance(languages, str):
        languages = [languages]
    if not isinstance(languages, list):
        return tags
    extra = [code for code in languages if isinstance(code, str) and code and code not in tags]
    return [*tags, *extra] if extra else tags


def _license(card: dict[str, Any], tags: list[str]) -> str | None:
    value = card.get("license")
    if isinstance(value, list):
        value = ",".join(str(v) for v in value if v is not None) or None
    elif value is not None and not isinstance(value, str):
        raise BadRecord("cardData.license is not a string")
    if value:
        return value
    for tag in tags:
        if tag.startswith("license:"):
            return tag[8:]
    return None


def _parents(
    model_id: str, record: dict[str, Any], card: dict[str, Any], tags: list[str]
) -> list[tuple[str, str, str]]:
    """(parent, relation, source) from baseModels, cardData.base_model and base_model: tags."""
    found: list[tuple[str, str, str]] = []
    base = record.get("baseModels")
    if isinstance(base, dict):
        relation = base.get("relation") or "unknown"
        models = base.get("models") or []
        if not isinstance(models, list) or not isinstance(relation, str):
            raise BadRecord("baseModels is malformed")
        for item in models:
            parent = item.get("id") if isinstance(item, dict) else item
            if not isinstance(parent, str):
                raise BadRecord("baseModels.models has an entry without an id")
            found.append((parent, relation, "baseModels"))
    elif isinstance(base, list):
        found.extend((p, "unknown", "baseModels") for p in _string_list(base, "baseModels"))
    elif base is not None:
        raise BadRecord("baseModels is malformed")
    found.extend((p, "unknown", "cardData") for p in _string_list(card.get("base_model"), "cardData.base_model"))
    for tag in tags:
        if tag.startswith("base_model:"):
            rest = tag[11:]
            relation, _, parent = rest.partition(":")
            if parent and relation in RELATIONS:
                found.append((parent, relation, "tag"))
            elif rest:
                found.append((rest, "unknown", "tag"))
    # A parent named with a known relation anywhere makes its 'unknown' mentions redundant.
    known = {parent for parent, relation, _ in found if relation != "unknown"}
    edges: dict[tuple[str, str], tuple[str, str, str]] = {}
    for parent, relation, source in found:
        if parent == model_id or (relation == "unknown" and parent in known):
            continue
        edges.setdefault((parent, relation), (parent, relation, source))
    return list(edges.values())


class Normalizer:
    """Turns raw records into Batches; remembers ids across batches so duplicates are caught run-wide."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime.now(UTC).replace(tzinfo=None)
        self.seen: set[str] = set()

    def batch(self, records: Iterable[Any]) -> Batch:
        columns: dict[str, list[Any]] = {name: [] for name in MODEL_SCHEMA}
        lineage: list[tuple[str, str, str, str]] = []
        rejected: list[tuple[str | None, str, str]] = []
        for record in records:
            try:
                row, parents = self._row(record)
            except BadRecord as bad:
                rejected.append((_loose_id(record), str(bad), _dump(record)))
                continue
            self.seen.add(row["model_id"])
            for name, values in columns.items():
                values.append(row[name])
            lineage.extend((row["model_id"], parent, relation, source) for parent, relation, source in parents)
        return Batch(
            models=_frame(columns),
            lineage=pl.DataFrame(lineage, schema=LINEAGE_SCHEMA, orient="row"),
            rejected=pl.DataFrame(rejected, schema=REJECTED_SCHEMA, orient="row"),
        )

    def _row(self, record: Any) -> tuple[dict[str, Any], list[tuple[str, str, str]]]:
        if not isinstance(record, dict):
            raise BadRecord(f"record is not an object: {type(record).__name__}")
        model_id = _model_id(record)
        if model_id in self.seen:
            raise BadRecord("duplicate id in this run (first kept)")
        card = _card_data(record)
        tags = _with_card_languages(_string_list(record.get("tags"), "tags"), card)
        created_raw = record.get("createdAt")
        created_unknown = created_raw is None or created_raw == CREATED_AT_SENTINEL
        safetensors_total, safetensors_dtypes = _safetensors(record)
        gguf_total, gguf_architecture, gguf_context_length = _gguf(record)
        parents = _parents(model_id, record, card, tags)
        relations = {relation for _, relation, _ in parents}
        gated = record.get("gated")
        if gated is not None and gated not in GATED_VALUES:
            raise BadRecord(f"gated is not false/auto/manual: {gated!r:.40}")
        trending = record.get("trendingScore")
        if trending is not None and (
            isinstance(trending, bool) or not isinstance(trending, int | float) or not math.isfinite(trending)
        ):
            raise BadRecord(f"trendingScore is not a finite number: {trending!r:.40}")
        author = _text(record, "author") or (model_id.split("/", 1)[0] if "/" in model_id else None)
        row = {
            "model_id": model_id,
            "author": author,
            "created_at": None if created_unknown else _timestamp(record, "createdAt", self.now),
            "created_at_unknown": created_unknown,
            "last_modified": _timestamp(record, "lastModified", self.now),
            "pipeline_tag": _text(record, "pipeline_tag"),
            "library_name": _text(record, "library_name"),
            "tags": tags,
            "gated": None if gated is None else GATED_VALUES[gated],
            "private": _flag(record, "private"),
            "disabled": _flag(record, "disabled"),
            "sha": _text(record, "sha"),
            "license_raw": _license(card, tags),
            "safetensors_total": safetensors_total,
            "safetensors_dtypes": safetensors_dtypes,
            "gguf_total": gguf_total,
            "gguf_architecture": gguf_architecture,
            "gguf_context_length": gguf_context_length,
            "base_models": sorted({parent for parent, _, _ in parents}),
            "base_relation": _main_relation(relations),
            "downloads_30d": _count(record, "downloads"),
            "downloads_all_time": _count(record, "downloadsAllTime"),
            "likes": _count(record, "likes"),
            "trending_score": None if trending is None else float(trending),
        }
        return row, parents


def _frame(columns: dict[str, list[Any]]) -> pl.DataFrame:
    """The models frame with exactly MODEL_SCHEMA, built through Arrow (see _ARROW_TYPES)."""
    table = pa.table({name: pa.array(columns[name], type=_ARROW_TYPES[dtype]) for name, dtype in MODEL_SCHEMA.items()})
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return frame


def _main_relation(relations: set[str]) -> str | None:
    if not relations:
        return None
    for relation in ("quantized", "adapter", "merge", "finetune"):
        if relation in relations:
            return relation
    return "unknown"


def _loose_id(record: Any) -> str | None:
    if isinstance(record, dict):
        value = record.get("id", record.get("modelId"))
        if isinstance(value, str):
            return value[:300]
    return None


def _dump(record: Any) -> str:
    return orjson.dumps(record, default=repr, option=orjson.OPT_NON_STR_KEYS).decode()
