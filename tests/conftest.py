"""Shared fixtures. The fixture DB is built through the real pipeline from a slice of the bundled snapshot."""

from __future__ import annotations

import gzip
import json
import os
import shutil
from pathlib import Path

import orjson
import polars as pl
import pytest
from _pytest.nodeid import NodeId
from helpers import built_once, shorten_sleeps

from pipeline.bootstrap import build_bundled
from pipeline.ingest.snapshot import open_snapshot
from pipeline.paths import DEFAULT_SNAPSHOT
from pipeline.refresh import RefreshResult, refresh_from_snapshot
from pipeline.store.runlog import journal_path

FIXTURE_MODELS = 600  # enough for every chart to have data, small enough to build in a couple of seconds


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-slow", action="store_true", help="also run tests marked slow (e.g. the kill -9 sweep)")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`slow` tests run only with --run-slow or HUBSCOPE_RUN_SLOW=1 (.ci/run runs them after the default suite).
    Without it they are deselected, not skipped: a skip in the default run means something is missing."""
    slow = [item for item in items if "slow" in item.keywords]
    run_slow = config.getoption("--run-slow") or os.environ.get("HUBSCOPE_RUN_SLOW") == "1"
    if slow and not run_slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if "slow" not in item.keywords]
    for item in slow:  # one after another on one worker: the kill sweep times its kills by a normal run's length,
        item.add_marker(pytest.mark.xdist_group("slow"))  # which another slow test beside it would stretch
    if getattr(config.option, "loadgroup", False):  # an xdist worker under --dist loadgroup
        _name_xdist_groups(items)
        _longest_first(items, _last_durations(config))


DURATIONS_KEY = "hubscope/durations"


def _last_durations(config: pytest.Config) -> dict[str, float]:
    cache = getattr(config, "cache", None)
    return cache.get(DURATIONS_KEY, {}) if cache is not None else {}


def _split(nodeid: str) -> tuple[str, str | None]:
    """(the test's own id, its xdist group) from an id with the "@group" suffix, as xdist reads it."""
    if nodeid.rfind("@") > nodeid.rfind("]"):
        base, group = nodeid.rsplit("@", 1)
        return base, group
    return nodeid, None


def _longest_first(items: list[pytest.Item], durations: dict[str, float]) -> None:
    """Hand out the longest work first (xdist's loadgroup keeps this order under --no-loadscope-reorder), so the
    run does not end on one worker finishing a long group while the others idle: the groups first, then whole
    modules by their length in the last run (a module's tests stay together, so a worker sets up its module-scoped
    fixtures once). Lengths come from the last run's cache; a group never timed goes before everything."""
    cost: dict[str, float] = {}
    for item in items:
        base, group = _split(item.nodeid)
        key = group or base.split("::")[0]
        cost[key] = cost.get(key, 0.0) + durations.get(base, 0.0)

    def rank(item: pytest.Item) -> tuple[int, float]:
        base, group = _split(item.nodeid)
        if group:
            return 0, -(cost[group] or float("inf"))
        return 1, -cost[base.split("::")[0]]

    items.sort(key=rank)  # stable: within a group or a module the collection order is kept


_DURATIONS: dict[str, float] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    base = _split(report.nodeid)[0]
    _DURATIONS[base] = _DURATIONS.get(base, 0.0) + report.duration


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The controller (or a run without xdist) keeps each test's setup + call + teardown time for the next run's
    order; the workers' reports reach it, so the workers do not write."""
    cache = getattr(session.config, "cache", None)
    if cache is None or hasattr(session.config, "workerinput") or not _DURATIONS:
        return
    cache.set(DURATIONS_KEY, {**cache.get(DURATIONS_KEY, {}), **{k: round(v, 3) for k, v in _DURATIONS.items()}})


def _name_xdist_groups(items: list[pytest.Item]) -> None:
    """What xdist's loadgroup does, for pytest 9: the scheduler groups tests by an "@group" suffix of the node id,
    which xdist 3.8 writes to `item._nodeid`, an attribute pytest 9 no longer reads (the id is `item._id`)."""
    for item in items:
        names = sorted({str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                        for m in item.iter_markers("xdist_group")})  # fmt: skip
        suffix = "@" + "_".join(names)
        if names and not item.nodeid.endswith(suffix) and isinstance(getattr(item, "_id", None), NodeId):
            item._id = NodeId.parse(item.nodeid + suffix)


def slice_snapshot(src: Path, dst: Path, n_models: int) -> Path:
    """A smaller snapshot with the same files: the n most-downloaded models, plus an even spread (so
    unknown-size, non-language and zero-download models are in), with their history and links."""
    with gzip.open(src / "models.jsonl.gz") as f:
        records = [orjson.loads(line) for line in f]
    by_downloads = sorted(records, key=lambda r: -(r.get("downloads") or 0))
    chosen = {r["id"] for r in by_downloads[: n_models // 2]} | {
        r["id"] for r in records[:: max(1, len(records) // (n_models // 2))]
    }
    dst.mkdir(parents=True, exist_ok=True)
    kept = [r for r in records if r["id"] in chosen]
    with gzip.open(dst / "models.jsonl.gz", "wb") as f:
        f.writelines(orjson.dumps(r) + b"\n" for r in kept)
    ids = sorted(chosen)
    history = pl.read_parquet(src / "history.parquet").filter(pl.col("model_id").is_in(ids))
    history.write_parquet(dst / "history.parquet")
    pl.read_parquet(src / "reference_params.parquet").filter(pl.col("model_id").is_in(ids)).write_parquet(
        dst / "reference_params.parquet"
    )
    pl.read_parquet(src / "lineage.parquet").filter(
        pl.col("child_id").is_in(ids) | pl.col("parent_id").is_in(ids)
    ).write_parquet(dst / "lineage.parquet")
    manifest = json.loads((src / "manifest.json").read_text())
    manifest.update(models=len(kept), history_rows=history.height, name="hubscope-test-slice")
    manifest.pop("hub_stats", None)  # the slice is the snapshot alone
    (dst / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return dst


@pytest.fixture
def fast_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    shorten_sleeps(monkeypatch)


@pytest.fixture(autouse=True)
def _isolate_hf(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """huggingface_hub must not read a real token or cache from the machine running the tests."""
    monkeypatch.setenv("HF_HOME", str(tmp_path_factory.getbasetemp() / "hf_home"))
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.delenv("HUBSCOPE_DB", raising=False)
    monkeypatch.setenv("TQDM_DISABLE", "1")


def _fixture_db(snapshot_slice: Path, folder: Path) -> None:
    result = refresh_from_snapshot(folder / "fixture.duckdb", open_snapshot(snapshot_slice))
    assert result.status == "ok", result.error
    os.chmod(folder / "fixture.duckdb", 0o444)


def _bundled_and_snapshot_db(folder: Path) -> None:
    """build_bundled's first run is the bundled snapshot alone, loaded through the pipeline: that file (and its
    journal) is copied aside as snapshot_db before the hub-stats sample goes in, one load instead of two."""
    import pipeline.bootstrap as bootstrap

    real_refresh = bootstrap.refresh
    aside = folder / "snapshot" / "hub.duckdb"

    def copy_the_first_run(db: Path, *args: object, **kwargs: object) -> RefreshResult | None:
        result = real_refresh(db, *args, **kwargs)
        if not aside.exists():
            aside.parent.mkdir()
            shutil.copyfile(db, aside)
            if journal_path(db).exists():
                shutil.copyfile(journal_path(db), journal_path(aside))
        return result

    (folder / "bundled").mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(bootstrap, "refresh", copy_the_first_run)
        result = build_bundled(folder / "bundled" / "hub.duckdb")
    assert result is not None and result.status == "ok", result and result.error
    assert aside.exists()


@pytest.fixture(scope="session")
def snapshot_slice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = built_once(
        tmp_path_factory, "snapshot", lambda f: slice_snapshot(DEFAULT_SNAPSHOT, f / "slice", FIXTURE_MODELS)
    )
    return folder / "slice"


@pytest.fixture(scope="session")
def fixture_db(snapshot_slice: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small real DB (through refresh_from_snapshot). Session-scoped: read-only (the file is)."""
    return built_once(tmp_path_factory, "db", lambda f: _fixture_db(snapshot_slice, f)) / "fixture.duckdb"


@pytest.fixture(scope="session")
def _bundled_pair(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_once(tmp_path_factory, "bundled", _bundled_and_snapshot_db)


@pytest.fixture(scope="session")
def snapshot_db(_bundled_pair: Path) -> Path:
    """The bundled snapshot alone, loaded through the pipeline. Session-scoped: read-only."""
    return _bundled_pair / "snapshot" / "hub.duckdb"


@pytest.fixture(scope="session")
def bundled_db(_bundled_pair: Path) -> Path:
    """The bundled data as a first start builds it (snapshot + hub-stats sample). Session-scoped: read-only."""
    return _bundled_pair / "bundled" / "hub.duckdb"
