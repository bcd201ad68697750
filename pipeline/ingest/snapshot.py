"""The bundled offline snapshot (`data/snapshot/`, built by scripts/build_snapshot.py from real recorded data).

It is read in the same raw record shape a live refresh gets, so it goes through the same normalize/store code.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from pipeline.ingest.rawjson import parse_item

PAGE_SIZE = 1000


@dataclass(frozen=True)
class Snapshot:
    path: Path

    @property
    def manifest(self) -> dict[str, Any]:
        return json.loads((self.path / "manifest.json").read_text())

    @property
    def as_of(self) -> datetime:
        return datetime.fromisoformat(self.manifest["as_of"])

    def describe(self) -> str:
        m = self.manifest
        return f"snapshot:{self.path.name} as of {m['as_of']} ({m['selection']})"

    def pages(self) -> Iterator[list[Any]]:
        page: list[Any] = []
        with gzip.open(self.path / "models.jsonl.gz", "rb") as f:
            for line in f:
                page.append(parse_item(line))  # an unreadable line is quarantined, not fatal
                if len(page) == PAGE_SIZE:
                    yield page
                    page = []
        if page:
            yield page

    def history(self) -> pl.DataFrame:
        return pl.read_parquet(self.path / "history.parquet")

    def reference_params(self) -> pl.DataFrame:
        return pl.read_parquet(self.path / "reference_params.parquet")

    def lineage(self) -> pl.DataFrame:
        return pl.read_parquet(self.path / "lineage.parquet")


def open_snapshot(path: Path) -> Snapshot:
    if not (path / "manifest.json").exists():
        raise FileNotFoundError(f"{path} is not a HubScope snapshot (no manifest.json)")
    return Snapshot(path)
