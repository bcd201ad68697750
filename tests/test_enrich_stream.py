"""Streamed enrichment (pipeline/enrich/stream.py through pipeline/store/writer.py `enrich`): the models table does
not depend on the chunk size ($HUBSCOPE_ENRICH_CHUNK_ROWS), and equals `enrich` over every model at once."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipeline.enrich import ENRICHED_COLUMNS, INPUT_COLUMNS, enrich, load_config
from pipeline.ingest.snapshot import open_snapshot
from pipeline.refresh import chunk_rows, refresh_from_snapshot
from pipeline.store.rebuild import Rebuild, limit_bytes
from pipeline.store.writer import rechunk


def _build(snapshot: Path, db: Path, monkeypatch: pytest.MonkeyPatch, rows: int | None) -> None:
    with monkeypatch.context() as patch:
        if rows is None:
            patch.delenv("HUBSCOPE_ENRICH_CHUNK_ROWS", raising=False)
        else:
            patch.setenv("HUBSCOPE_ENRICH_CHUNK_ROWS", str(rows))
        result = refresh_from_snapshot(db, open_snapshot(snapshot))
    assert result is not None and result.status == "ok", result and result.error


def _table(db: Path, sql: str) -> pl.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(sql).pl()


MODELS = "SELECT * EXCLUDE (first_seen_at, last_seen_at) FROM models ORDER BY model_id"
SOURCES = "SELECT * FROM model_params_sources ORDER BY model_id, source"


@pytest.fixture(scope="module")
def built(fixture_db: Path, snapshot_slice: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The slice refreshed with the default chunk size (the session's fixture DB) and with 37 models per chunk
    (17 chunks, the last one short)."""
    small = tmp_path_factory.mktemp("stream") / "small.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        _build(snapshot_slice, small, patch, 37)
    return {"default": fixture_db, "small": small}


def test_models_do_not_depend_on_chunk_size(built: dict[str, Path]) -> None:
    default, small = (_table(built[k], MODELS) for k in ("default", "small"))
    assert default.height > 500
    assert default.equals(small)
    assert _table(built["default"], SOURCES).equals(_table(built["small"], SOURCES))
    # the walks ran: inherited counts and family roots other than the model itself are in the table
    assert default.filter(pl.col("params_source") == "base_model").height > 0
    assert default.filter(pl.col("family_root") != pl.col("model_id")).height > 0


def test_streamed_equals_enrich_over_all_models(built: dict[str, Path]) -> None:
    db = built["default"]
    inputs = _table(
        db,
        "SELECT {} FROM models".format(
            ", ".join(
                "CAST(safetensors_dtypes AS VARCHAR) AS safetensors_dtypes" if c == "safetensors_dtypes" else c
                for c in INPUT_COLUMNS
            )  # fmt: skip
        ),
    )
    lineage = _table(db, "SELECT child_id, parent_id, relation, source FROM model_lineage")
    reference = _table(db, "SELECT * FROM reference_params")
    assert reference.height > 0 and lineage.height > 0
    whole, sources = enrich(inputs, lineage, reference, load_config())
    stored = _table(db, f"SELECT model_id, {', '.join(ENRICHED_COLUMNS)} FROM models ORDER BY model_id")
    assert whole.sort("model_id").equals(stored)
    assert sources.sort("model_id", "source").equals(_table(db, SOURCES))


def test_rechunk_gives_bounded_chunks_in_order_and_one_empty_frame_for_no_rows() -> None:
    con = duckdb.connect()
    parts = list(rechunk(con.sql("SELECT range AS i FROM range(10)").to_arrow_reader(5), 2))
    assert all(0 < c.height <= 2 for c in parts)
    assert pl.concat(parts)["i"].to_list() == list(range(10))
    empty = list(rechunk(con.sql("SELECT range AS i FROM range(0)").to_arrow_reader(3), 4))
    assert [c.height for c in empty] == [0] and empty[0].columns == ["i"]


def test_chunk_rows_knob(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUBSCOPE_ENRICH_CHUNK_ROWS", "7")
    assert chunk_rows() == 7
    monkeypatch.setenv("HUBSCOPE_ENRICH_CHUNK_ROWS", "0")
    with pytest.raises(ValueError, match="HUBSCOPE_ENRICH_CHUNK_ROWS"):
        chunk_rows()


def test_limit_bytes_reads_duckdb_units() -> None:
    assert limit_bytes("1GB") == 10**9 and limit_bytes("512 MiB") == 512 * 2**20 and limit_bytes("1.5gb") == 1.5e9
    assert limit_bytes("lots") is None


def test_squeezed_lowers_the_cap_for_the_block_and_restores_it(tmp_path: Path) -> None:
    def cap_bytes(rb: Rebuild) -> int | None:
        return limit_bytes(rb.con.sql("SELECT current_setting('memory_limit')").fetchall()[0][0])

    with Rebuild(tmp_path / "x.duckdb", memory="1GB") as rb:
        before = cap_bytes(rb)
        with rb.squeezed(0.5):
            inside = cap_bytes(rb)
        assert before is not None and inside is not None
        assert abs(inside - before / 2) < before * 0.01
        assert cap_bytes(rb) == before
