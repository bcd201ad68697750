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
from pipeline.ingest.staging import stage_pages

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


class SnapshotSource:
    """A recorded snapshot as a `pipeline.ingest.source.Source`: its records go through the crawl's normalizer;
    its reference counts, outside lineage and dated history are added as they were recorded."""

    series: str | None = None  # it brings its own dated history (catalog, daily-top, trending series)
    is_full = False  # a selection, not the whole Hub: never marks other models unseen

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.origin = f"snapshot:{snapshot.path.name}"

    @property
    def as_of(self) -> datetime:
        return self.snapshot.as_of

    def describe(self) -> str:
        return self.snapshot.describe()

    def filters(self) -> dict[str, Any]:
        return {"snapshot": str(self.snapshot.path)}

    def expected_models(self) -> int | None:
        return int(self.snapshot.manifest["models"])

    def stage(self, writer: Any, progress: Any) -> int:
        writer.add_reference(self.snapshot.reference_params())
        writer.add_lineage(self.snapshot.lineage())
        writer.add_history(self.snapshot.history())
        return stage_pages(self.snapshot.pages(), writer, progress)


def open_snapshot(path: Path) -> Snapshot:
    if not (path / "manifest.json").exists():
        raise FileNotFoundError(f"{path} is not a HubScope snapshot (no manifest.json)")
    return Snapshot(path)
