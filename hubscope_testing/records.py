"""Record loaders for the stand-in Hub: our three real source formats re-shaped to the Hub's raw camelCase
`/api/models?expand[]=…` item shape (nothing invented: a field a source lacks stays absent)."""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson


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
