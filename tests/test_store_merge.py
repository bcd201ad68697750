"""The writer's diff-based merges: model_lineage and model_params_sources after a run hold exactly what a
delete-everything-and-insert would leave (record links replaced, outside links kept and winning)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from pipeline.ingest.staging import stage_pages
from pipeline.refresh import refresh


@dataclass
class _Records:
    """Records plus links from outside the records (as the snapshot's catalog-gguf links come)."""

    records: list[dict[str, Any]]
    links: list[tuple[str, str, str, str]]
    is_full: bool = True
    origin: str = "hub"
    series: str | None = "hub"
    as_of: None = None

    def describe(self) -> str:
        return "test records"

    def filters(self) -> dict[str, Any]:
        return {}

    def expected_models(self) -> int:
        return len(self.records)

    def stage(self, writer: Any, progress: Any) -> int:
        if self.links:
            writer.add_lineage(
                pl.DataFrame(self.links, schema=["child_id", "parent_id", "relation", "source"], orient="row")
            )
        return stage_pages([self.records], writer, progress)


def _model(model_id: str, parents: list[str], relation: str = "finetune", params: int | None = None) -> dict[str, Any]:
    record: dict[str, Any] = {"id": model_id, "tags": [], "downloads": 1, "likes": 0}
    if parents:
        record["baseModels"] = {"relation": relation, "models": [{"id": p} for p in parents]}
    if params is not None:
        record["safetensors"] = {"parameters": {"BF16": params}, "total": params}
    return record


def _rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return sorted(con.sql(sql).fetchall())
    finally:
        con.close()


def test_lineage_links_replaced_outside_links_kept(tmp_path: Path) -> None:
    db = tmp_path / "hub.duckdb"
    first = [_model("org/a", ["org/x", "org/y"]), _model("org/b", ["org/x"]), _model("org/c", [])]
    outside = [("org/a", "org/y", "finetune", "catalog-gguf"), ("org/c", "org/z", "quantized", "catalog-gguf")]
    assert refresh(db, _Records(first, outside)).status == "ok"
    lineage = "SELECT child_id, parent_id, relation, source FROM model_lineage"
    assert _rows(db, lineage) == [
        ("org/a", "org/x", "finetune", "baseModels"),
        ("org/a", "org/y", "finetune", "catalog-gguf"),  # the outside link was there first and wins
        ("org/b", "org/x", "finetune", "baseModels"),
        ("org/c", "org/z", "quantized", "catalog-gguf"),
    ]
    # a: y dropped, x kept, w added; b: now a merge of x; c unchanged (its outside link stays)
    second = [_model("org/a", ["org/x", "org/w"]), _model("org/b", ["org/x"], "merge"), _model("org/c", [])]
    assert refresh(db, _Records(second, [])).status == "ok"
    assert _rows(db, lineage) == [
        ("org/a", "org/w", "finetune", "baseModels"),
        ("org/a", "org/x", "finetune", "baseModels"),
        ("org/a", "org/y", "finetune", "catalog-gguf"),
        ("org/b", "org/x", "merge", "baseModels"),
        ("org/c", "org/z", "quantized", "catalog-gguf"),
    ]


def test_params_sources_follow_each_run(tmp_path: Path) -> None:
    db = tmp_path / "hub.duckdb"
    sources = "SELECT model_id, source, params_total, note FROM model_params_sources WHERE source = 'safetensors'"
    assert (
        refresh(db, _Records([_model("org/a-1B", [], params=10**9), _model("org/b", [], params=5)], [])).status == "ok"
    )
    first = _rows(db, sources)
    assert [(m, t) for m, _, t, _ in first] == [("org/a-1B", 10**9), ("org/b", 5)]
    # a's count changes, b loses its weights, c is new
    records = [_model("org/a-1B", [], params=2 * 10**9), _model("org/b", []), _model("org/c", [], params=7)]
    assert refresh(db, _Records(records, [])).status == "ok"
    assert [(m, t) for m, _, t, _ in _rows(db, sources)] == [("org/a-1B", 2 * 10**9), ("org/c", 7)]
    every = "SELECT model_id, source, params_total, params_active, note FROM model_params_sources"
    assert len(_rows(db, every)) == len(set(_rows(db, every)))
