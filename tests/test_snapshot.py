"""The bundled real snapshot loads through the same normalize/store code as a live refresh."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from helpers import sql_rows as q

from pipeline.ingest.snapshot import open_snapshot
from pipeline.paths import DEFAULT_SNAPSHOT
from pipeline.refresh import refresh_from_snapshot


def test_bundled_snapshot_builds_the_db(snapshot_db: Path) -> None:
    manifest = json.loads((DEFAULT_SNAPSHOT / "manifest.json").read_text())
    assert q(snapshot_db, "SELECT count(*) FROM models") == [(manifest["models"],)]
    assert q(snapshot_db, "SELECT count(*) FROM model_snapshots") == [(manifest["history_rows"],)]
    assert q(snapshot_db, "SELECT count(*) FROM reference_params") == [(manifest["reference_params"],)]
    series = dict(q(snapshot_db, "SELECT series, count(DISTINCT snapshot_date) FROM model_snapshots GROUP BY 1"))
    assert {k: series.get(k) for k in ("catalog", "daily-top", "trending-top10")} == {
        "catalog": 30, "daily-top": 16, "trending-top10": 143
    }  # fmt: skip
    # every recorded series (HUBSTATS added hubstats-daily to the bundle), row for row as the manifest says
    rows_per_series = dict(q(snapshot_db, "SELECT series, count(*) FROM model_snapshots GROUP BY 1"))
    assert rows_per_series == manifest["history_series"]
    (source, is_full, status) = q(snapshot_db, "SELECT source, is_full, status FROM refresh_runs")[0]
    assert "NOT the whole Hub" in source and is_full is False and status == "ok"
    # exact counts are a named source, never written into safetensors
    assert q(snapshot_db, "SELECT count(safetensors_total) FROM models") == [(0,)]
    # (since the bundle has MTEB's counts too, some reference rows are for models outside the selection)
    with_model = q(snapshot_db, "SELECT count(*) FROM reference_params JOIN models USING (model_id)")[0][0]
    assert 0 < with_model <= manifest["reference_params"]
    assert q(snapshot_db, "SELECT count(*) FROM model_params_sources WHERE source = 'reference'") == [(with_model,)]
    # every catalog count is used, unless the resolver flags it implausible (e.g. adapter-only weights)
    assert q(
        snapshot_db,
        "SELECT count(*) FROM models WHERE params_source = 'reference' OR params_flags LIKE '%reference_rejected%' "
        "OR params_flags LIKE '%below_quantized_base%'",  # ENRICH: a GGUF's count below its quantized base's
    ) == [(with_model,)]
    # the sentinel createdAt is "unknown", not a date
    assert q(snapshot_db, "SELECT count(*) FROM models WHERE created_at = TIMESTAMP '2022-03-02 23:29:04'") == [(0,)]
    assert q(snapshot_db, "SELECT count(*) > 100 FROM models WHERE created_at_unknown") == [(True,)]


def test_history_values_are_the_recorded_ones(snapshot_db: Path) -> None:
    history = pl.read_parquet(DEFAULT_SNAPSHOT / "history.parquet")
    row = history.filter(pl.col("series") == "catalog").sort("downloads_30d", descending=True).row(0, named=True)
    got = q(
        snapshot_db,
        f"SELECT downloads_30d, likes FROM model_snapshots WHERE model_id = '{row['model_id']}' "
        f"AND snapshot_date = DATE '{row['snapshot_date']}' AND series = 'catalog'",
    )
    assert got == [(row["downloads_30d"], row["likes"])]


def test_first_start_adds_the_hub_stats_sample_as_its_own_run(snapshot_db: Path, bundled_db: Path) -> None:
    manifest = json.loads((DEFAULT_SNAPSHOT / "manifest.json").read_text())
    sample = pl.read_parquet(DEFAULT_SNAPSHOT / manifest["hub_stats"], columns=["id"])["id"]
    runs = q(bundled_db, "SELECT run_id, status, source FROM refresh_runs ORDER BY run_id")
    assert [(r, s) for r, s, _ in runs] == [(1, "ok"), (2, "ok")]
    assert runs[1][2].startswith("hub-stats:") and "NOT the whole Hub" in runs[1][2]
    # every sample row the importer accepts is a model (ids the catalog lacks), its counts one `hub` snapshot
    # at the dump's own date
    (rejected,) = q(bundled_db, "SELECT count(*) FROM rejected_records WHERE run_id = 2")[0]
    accepted = sample.n_unique() - rejected
    assert q(bundled_db, "SELECT count(*) FROM models") == [(manifest["models"] + accepted,)]
    assert q(bundled_db, "SELECT count(*), count(DISTINCT snapshot_at) FROM model_snapshots WHERE series = 'hub'") == [
        (accepted, 1)
    ]
    assert q(snapshot_db, "SELECT count(*) FROM model_snapshots WHERE series = 'hub'") == [(0,)]


def test_reloading_the_snapshot_is_idempotent(snapshot_slice: Path, tmp_path: Path) -> None:
    db = tmp_path / "hub.duckdb"
    snap = open_snapshot(snapshot_slice)
    assert refresh_from_snapshot(db, snap).status == "ok"
    first = q(db, "SELECT count(*) FROM models UNION ALL SELECT count(*) FROM model_snapshots")
    again = refresh_from_snapshot(db, snap)
    assert again.status == "ok" and again.counts["models_new"] == 0
    assert q(db, "SELECT count(*) FROM models UNION ALL SELECT count(*) FROM model_snapshots") == first
    assert q(db, "SELECT count(*) FROM refresh_runs WHERE status = 'ok'") == [(2,)]


def test_first_start_builds_once_with_concurrent_callers(snapshot_slice: Path, tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from pipeline.bootstrap import ensure_db

    db = tmp_path / "hub.duckdb"
    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(lambda _: ensure_db(db, snapshot_slice, wait_s=60), range(3)))
    built = [r for r in results if r is not None]
    assert len(built) >= 1 and all(r.status == "ok" for r in built)
    assert q(db, "SELECT count(*) FROM refresh_runs") == [(len(built),)]
    assert ensure_db(db, snapshot_slice) is None  # nothing to do once it exists


def test_the_configured_boundary_is_recorded_for_the_sql_defaults(snapshot_slice: Path, tmp_path: Path) -> None:
    from pipeline.paths import CONFIG_FILE

    config = tmp_path / "hubscope.toml"
    config.write_text(CONFIG_FILE.read_text().replace("slm_max_params = 10e9", "slm_max_params = 7e9"))
    db = tmp_path / "hub.duckdb"
    assert refresh_from_snapshot(db, open_snapshot(snapshot_slice), config_path=config).status == "ok"
    assert q(db, "SELECT value FROM schema_info WHERE key = 'slm_max_params'") == [("7000000000.0",)]
    # stored classes, the SQL default and the views agree on the configured boundary
    assert q(
        db,
        "SELECT count(*) FROM models WHERE model_class IS DISTINCT FROM model_class(params_total, default_threshold())",
    ) == [(0,)]
    assert q(db, "SELECT count(*) FROM models WHERE model_class = 'LLM' AND params_total < 10e9") != [(0,)]


def test_the_snapshot_is_a_source_with_its_own_dates_and_history(snapshot_slice: Path, tmp_path: Path) -> None:
    from pipeline.ingest.snapshot import SnapshotSource
    from pipeline.refresh import refresh

    snap = open_snapshot(snapshot_slice)
    source = SnapshotSource(snap)
    manifest = snap.manifest
    assert (source.origin, source.series, source.is_full) == (f"snapshot:{snapshot_slice.name}", None, False)
    assert source.as_of == snap.as_of and source.expected_models() == manifest["models"]
    assert source.filters() == {"snapshot": str(snapshot_slice)} and source.describe() == snap.describe()
    db = tmp_path / "hub.duckdb"
    result = refresh(db, source)
    assert result is not None and result.status == "ok", result.error
    assert result.counts["pages_fetched"] == -(-manifest["models"] // 1000)
    assert q(db, "SELECT count(*), count(DISTINCT origin), min(origin) FROM models") == [
        (manifest["models"], 1, source.origin)
    ]
    assert q(db, "SELECT count(*) FROM model_snapshots") == [(manifest["history_rows"],)]  # recorded, none added
    assert q(db, "SELECT source FROM refresh_runs") == [(snap.describe(),)]
