"""Real Hub records resampled up to Hub scale, with fresh unique ids.

The pool is every real record we have, deduplicated by id and re-shaped to the `/api/models` item shape:
the bundled snapshot (`data/snapshot/models.jsonl.gz`), the real API sample
(`tests/data/hub-records-sample.jsonl.gz`, with safetensors/tags/baseModels) and, when mounted, the 2022
full dump (`/work/shared/hub-data/hub-full-2022-02.jsonl.gz`).

`Resampled(pool, n, seed)` is a lazy, read-only sequence of n records:
- positions `0 … min(n, len(pool)) - 1` are a seeded random permutation of the pool, with their ORIGINAL ids
  (so lineage parents that exist in the pool exist in the DB, as on the real Hub);
- every later position i is a uniformly drawn (seeded, with replacement) pool record whose id becomes
  `<original id>-r<i>` (the `_id` is derived from the new id). Every other field is the real record's, untouched.

Records are built on access (a few hundred bytes of index per 1M records), so a 3M-record stand-in Hub needs no
more memory than the pool.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, overload

import numpy as np

from hubscope_testing.standin import load_many, object_id
from pipeline.paths import DEFAULT_SNAPSHOT

ROOT = Path(__file__).resolve().parent.parent
SOURCES = (
    DEFAULT_SNAPSHOT / "models.jsonl.gz",
    ROOT / "tests" / "data" / "hub-records-sample.jsonl.gz",
    Path("/work/shared/hub-data/hub-full-2022-02.jsonl.gz"),
)
# What a refresh asks the Hub for (pipeline.ingest.crawl.EXPAND) plus the keys every item has.
KEEP = ("_id", "id")


def load_pool() -> list[dict[str, Any]]:
    """The real records (API shape), sorted by id so the pool is the same on every machine."""
    from pipeline.ingest.crawl import EXPAND

    keys = (*KEEP, *EXPAND)
    pool = load_many([p for p in SOURCES if p.exists()])
    # Keep only what a refresh asks for (the 2022 dump carries siblings/config lists nobody requests).
    slim = [{k: r[k] for k in keys if k in r} for r in pool]
    return sorted(slim, key=lambda r: r["id"])


def parse_size(text: str) -> int:
    text = text.strip().lower().replace("_", "")
    for suffix, factor in (("k", 1_000), ("m", 1_000_000)):
        if text.endswith(suffix):
            return int(float(text[:-1]) * factor)
    return int(text)


class Resampled(Sequence[dict[str, Any]]):
    """n records drawn from the pool (see module docstring); `__getitem__` builds them on access."""

    def __init__(self, pool: list[dict[str, Any]], n: int, seed: int = 6) -> None:
        rng = np.random.default_rng(seed)
        first = min(n, len(pool))
        self.pool = pool
        self.n = n
        self.first = first
        head = rng.permutation(len(pool))[:first]
        tail = rng.integers(0, len(pool), size=n - first)
        self.index = np.concatenate([head, tail]).astype(np.int32)

    def __len__(self) -> int:
        return self.n

    def record(self, i: int) -> dict[str, Any]:
        original = self.pool[int(self.index[i])]
        if i < self.first:
            return original
        new_id = f"{original['id']}-r{i}"
        return {**original, "_id": object_id(new_id), "id": new_id}

    @overload
    def __getitem__(self, i: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, i: slice) -> list[dict[str, Any]]: ...
    def __getitem__(self, i: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(i, slice):
            return [self.record(k) for k in range(*i.indices(self.n))]
        if i < 0:
            i += self.n
        if not 0 <= i < self.n:
            raise IndexError(i)
        return self.record(i)
