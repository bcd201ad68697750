"""One refresh, end to end: lock → journal → source.stage → merge → enrich → store → swap → journal.

`refresh(db, source)` takes any `pipeline.ingest.source.Source` and knows no source by name (the two thin
wrappers at the bottom are for the tests that still call them). The journal is written first (a refresh that
cannot record its attempt does not start), and the DB file is only replaced by a run that succeeds.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl
from tqdm import tqdm

from pipeline import __version__
from pipeline.ingest.crawl import CrawlSource, FetchOptions
from pipeline.ingest.snapshot import Snapshot, SnapshotSource
from pipeline.ingest.source import Source
from pipeline.ingest.staging import stage_pages
from pipeline.store import runlog
from pipeline.store.lock import RefreshLock
from pipeline.store.rebuild import remove_stale_temp_files
from pipeline.store.writer import EnrichPasses, Writer, latest_run_id

log = logging.getLogger(__name__)


@dataclass
class RefreshResult:
    run_id: int
    status: str
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)
    error: str | None = None

    def summary(self) -> str:
        c = self.counts
        rate = c.get("models_seen", 0) / self.seconds if self.seconds else 0.0
        if self.status != "ok":
            run = f"refresh run {self.run_id}" if self.run_id else "refresh"
            return f"{run} FAILED after {self.seconds:.1f}s: {self.error} (previous DB kept)"
        return (
            f"refresh run {self.run_id} ok in {self.seconds:.1f}s: {c.get('models_seen', 0):,} models "
            f"({c.get('models_new', 0):,} new, {c.get('models_rejected', 0):,} rejected), "
            f"{c.get('pages_fetched', 0):,} pages, {c.get('snapshot_rows', 0):,} snapshot rows, {rate:,.0f} models/s"
        )


def refresh(
    db: Path,
    source: Source,
    *,
    config_path: Path | None = None,
    storage_version: str | None = None,
    only_if_missing: bool = False,
) -> RefreshResult | None:
    """Run one refresh of `db` from `source`. With only_if_missing, nothing happens (None) when the DB exists by
    the time the refresh lock is held: the first-start build runs once however many sessions ask for it.
    A failure returns a 'failed' result (previous DB kept); RefreshLocked is raised when another holds the lock."""
    started = time.monotonic()
    with RefreshLock(db):  # creates the DB's directory; LockUnavailable (one line) when it cannot
        if only_if_missing and db.exists():
            return None
        remove_stale_temp_files(db)
        run_id = runlog.next_run_id(db, latest_run_id(db))
        run: dict[str, Any] = {
            "run_id": run_id, "started_at": runlog.now(), "status": "running", "source": source.describe(),
            "is_full": source.is_full, "filters": source.filters(), "hubscope_version": __version__,
            "origin": source.origin,
        }  # fmt: skip
        try:
            runlog.append(db, {**run, "pid": os.getpid()})
        except runlog.JournalError as err:  # nothing was done: say so in one line
            result = RefreshResult(run_id, "failed", time.monotonic() - started, error=f"not started: {err}")
            log.error(result.summary())
            return result
        log.info("refresh run %d started: %s %s", run_id, run["source"], run["filters"] or "(everything)")
        counts: dict[str, int] = {}
        writer: Writer | None = None
        try:
            stage = load_stage(config_path)
            writer = Writer(db, run, storage_version, as_of=source.as_of)
            with writer:
                _build(writer, source, stage, run, counts)
        except Exception as err:
            if writer is None or not writer.committed:
                return _failed(db, run_id, started, counts, err)
            log.warning("after the new file was swapped in: %s: %s", type(err).__name__, err)
        except BaseException as err:  # Ctrl-C, SystemExit: the attempt is logged, then re-raised
            _failed(db, run_id, started, counts, err)
            raise
        try:
            runlog.append(db, {"run_id": run_id, "status": "ok", "finished_at": run["finished_at"], **counts})
        except runlog.JournalError as err:  # the new file records the run itself; the journal is advisory
            log.warning("run %d is stored, but %s", run_id, err)
    result = RefreshResult(run_id, "ok", time.monotonic() - started, counts)
    log.info(result.summary())
    return result


def record_failure(db: Path, source: Source, error: str) -> RefreshResult:
    """Log an attempt that failed before its refresh could start (e.g. its download) as a failed run, so `status`,
    the Data page and the next refresh's `refresh_runs` name it like any other failed run."""
    started = time.monotonic()
    with RefreshLock(db):
        run_id = runlog.next_run_id(db, latest_run_id(db))
        moment = runlog.now()
        try:
            runlog.append(db, {
                "run_id": run_id, "started_at": moment, "finished_at": moment, "status": "failed",
                "source": source.describe(), "is_full": source.is_full, "filters": source.filters(),
                "hubscope_version": __version__, "origin": source.origin, "error": error,
            })  # fmt: skip
        except runlog.JournalError as err:
            log.warning("the failed attempt is not logged: %s", err)
    return RefreshResult(run_id, "failed", time.monotonic() - started, error=error)


def _build(writer: Writer, source: Source, stage: EnrichStage, run: dict[str, Any], counts: dict[str, int]) -> None:
    total = source.expected_models()
    with tqdm(total=total, unit=" models", desc="refresh", disable=None, mininterval=0.5) as bar:
        counts["pages_fetched"] = source.stage(writer, bar)
    run["finished_at"] = runlog.now()
    run["pages_fetched"] = counts["pages_fetched"]
    counts.update(writer.merge(source.series))
    writer.enrich(stage.columns, stage.tags, stage.passes, stage.chunk_rows)
    writer.write_config_tables(stage.tables)
    counts.update(writer.commit(journal_runs=runlog.read(writer.db).records, facts=stage.facts))


def _failed(db: Path, run_id: int, started: float, counts: dict[str, int], err: BaseException) -> RefreshResult:
    message = f"{type(err).__name__}: {err}".replace("\n", " ")[:2000]
    try:
        runlog.append(db, {"run_id": run_id, "status": "failed", "finished_at": runlog.now(), "error": message})
    except runlog.JournalError as journal_err:
        message = f"{message}; and {journal_err}"
    result = RefreshResult(run_id, "failed", time.monotonic() - started, counts, message)
    log.error(result.summary())
    return result


# -- enrichment as a stage ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class EnrichStage:
    """What enrichment reads (model columns, tags), its steps over chunks of `chunk_rows` models
    (pipeline/enrich/stream.py), and the rules it used (tables, facts)."""

    columns: tuple[str, ...]
    tags: tuple[str, ...]
    passes: EnrichPasses
    chunk_rows: int
    tables: dict[str, pl.DataFrame]
    facts: dict[str, str]


def load_stage(config_path: Path | None) -> EnrichStage:
    """Enrichment (`pipeline.enrich`) bound to the config; a config with unknown keys fails here, before any
    work."""
    import pipeline.enrich as package

    config = package.load_config(config_path)
    return EnrichStage(
        columns=tuple(package.INPUT_COLUMNS),
        tags=tuple(package.INPUT_TAGS),
        passes=package.Passes(config),
        chunk_rows=chunk_rows(),
        tables=config.tables(),
        facts={"slm_max_params": repr(float(config.slm_max_params))},
    )


def chunk_rows() -> int:
    """Models per enrichment chunk: $HUBSCOPE_ENRICH_CHUNK_ROWS, else pipeline.enrich's default. The answer does
    not depend on it; memory and speed do (smaller: less memory, more per-chunk overhead)."""
    import pipeline.enrich as package

    value = int(os.environ.get("HUBSCOPE_ENRICH_CHUNK_ROWS") or package.CHUNK_ROWS)
    if value < 1:
        raise ValueError(f"HUBSCOPE_ENRICH_CHUNK_ROWS must be >= 1, not {value}")
    return value


# -- sources ------------------------------------------------------------------------------------------------


@dataclass
class PagesSource:
    """Raw Hub record pages from any iterator (pre-fetched pages in the benchmark, tests)."""

    pages: Iterable[list[Any]]
    source: str
    is_full: bool = True
    asked: dict[str, Any] = field(default_factory=dict)
    total: int | None = None
    origin: str = "hub"
    series: str | None = "hub"
    as_of: datetime | None = None

    def describe(self) -> str:
        return self.source

    def filters(self) -> dict[str, Any]:
        return self.asked

    def expected_models(self) -> int | None:
        return self.total

    def stage(self, writer: Writer, progress: tqdm) -> int:
        return stage_pages(self.pages, writer, progress)


def refresh_from_hub(db: Path, options: FetchOptions, **kwargs: Any) -> RefreshResult | None:
    """`refresh(db, CrawlSource(options), …)`, kept for the tests that call it."""
    return refresh(db, CrawlSource(options), **kwargs)


def refresh_from_snapshot(db: Path, snapshot: Snapshot, **kwargs: Any) -> RefreshResult | None:
    """`refresh(db, SnapshotSource(snapshot), …)`, kept for the tests that call it."""
    return refresh(db, SnapshotSource(snapshot), **kwargs)
