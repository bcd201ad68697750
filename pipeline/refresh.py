"""One refresh, end to end: lock → journal → source.stage → merge → enrich → store → swap → journal.

`refresh(db, source)` takes any `pipeline.ingest.source.Source`; this module knows no source by name. The
journal is written first (a refresh that cannot record its attempt does not start), and the DB file is only
replaced by a run that succeeds.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl
from tqdm import tqdm

from pipeline import __version__
from pipeline.ingest.normalize import Normalizer
from pipeline.ingest.source import Source
from pipeline.store import runlog
from pipeline.store.lock import RefreshLock
from pipeline.store.rebuild import remove_stale_temp_files
from pipeline.store.writer import Writer, latest_run_id

log = logging.getLogger(__name__)

# Pages are normalized and staged in groups of this many records, so memory stays flat at Hub scale.
BATCH_RECORDS = 20_000
LOG_EVERY_PAGES = 100  # progress lines for logs when stderr is not a terminal (cron, systemd)


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


def stage_pages(pages: Iterable[list[Any]], writer: Writer, progress: tqdm) -> int:
    """Normalize and stage pages of raw Hub records in groups (the record sources' `stage`); returns pages."""
    normalizer = Normalizer()
    pending: list[Any] = []
    n_pages = n_models = 0
    for page in pages:
        n_pages += 1
        n_models += len(page)
        pending.extend(page)
        progress.update(len(page))
        progress.set_postfix(pages=n_pages, refresh=False)
        if progress.disable and n_pages % LOG_EVERY_PAGES == 0:
            log.info("fetched %d pages, %d models", n_pages, n_models)  # (a disabled bar counts nothing)
        if len(pending) >= BATCH_RECORDS:
            writer.add_batch(normalizer.batch(pending))
            pending = []
    if pending:
        writer.add_batch(normalizer.batch(pending))
    return n_pages


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


def _build(writer: Writer, source: Source, stage: EnrichStage, run: dict[str, Any], counts: dict[str, int]) -> None:
    total = source.expected_models()
    with tqdm(total=total, unit=" models", desc="refresh", disable=None, mininterval=0.5) as bar:
        counts["pages_fetched"] = source.stage(writer, bar)
    run["finished_at"] = runlog.now()
    run["pages_fetched"] = counts["pages_fetched"]
    counts.update(writer.merge(source.series))
    models, lineage, reference = writer.enrich_inputs(stage.columns, stage.tags)
    with writer.phase("enrich"):
        enriched, params_sources = stage.enrich(models, lineage, reference)
    del models, lineage
    writer.apply_enrichment(enriched, params_sources)
    del enriched, params_sources
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
    """What enrichment reads (model columns, tags), the pure function, and the rules it used (tables, facts)."""

    columns: tuple[str, ...]
    tags: tuple[str, ...]
    enrich: Callable[[pl.DataFrame, pl.DataFrame, pl.DataFrame], tuple[pl.DataFrame, pl.DataFrame]]
    tables: dict[str, pl.DataFrame]
    facts: dict[str, str]


# What classify.enrich reads, until pipeline.enrich declares INPUT_COLUMNS / INPUT_TAGS itself.
_CLASSIFY_COLUMNS = (
    "author", "pipeline_tag", "library_name", "tags", "license_raw", "safetensors_total", "safetensors_dtypes",
    "gguf_total", "gguf_architecture", "base_models", "base_relation", "downloads_30d",
)  # fmt: skip
_CLASSIFY_TAGS = ("4-bit", "8-bit", "mlx", "gptq", "awq", "mxfp4", "nvfp4", "bitsandbytes", "peft", "lora")


def load_stage(config_path: Path | None) -> EnrichStage:
    """Enrichment bound to the config. Uses the contract of `pipeline.enrich` (INPUT_COLUMNS, INPUT_TAGS,
    load_config, enrich, config.tables()) when the package provides it, else classify's current names."""
    import pipeline.enrich as package

    if hasattr(package, "INPUT_COLUMNS"):
        config = package.load_config(config_path)
        columns, tags, run = tuple(package.INPUT_COLUMNS), tuple(package.INPUT_TAGS), package.enrich
    else:
        from pipeline.enrich import classify, sizing

        config = classify.load_config(config_path)
        columns, tags, run = _CLASSIFY_COLUMNS, (*_CLASSIFY_TAGS, *sizing.MOE_TAGS), classify.enrich
    tables = config.tables() if hasattr(config, "tables") else {}
    return EnrichStage(
        columns=columns,
        tags=tags,
        enrich=lambda models, lineage, reference: run(models, lineage, reference, config),
        tables=tables,
        facts={"slm_max_params": repr(float(config.slm_max_params))},
    )


# -- sources: adapters for today's crawl and snapshot (INGEST's CrawlSource / SnapshotSource replace them) ---


@dataclass
class PagesSource:
    """Raw Hub record pages from any iterator (a crawl, pre-fetched pages in the benchmark)."""

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


@dataclass
class _SnapshotAdapter(PagesSource):
    snapshot: Any = None

    def stage(self, writer: Writer, progress: tqdm) -> int:
        writer.add_reference(self.snapshot.reference_params())
        writer.add_lineage(self.snapshot.lineage())
        writer.add_history(self.snapshot.history())
        return stage_pages(self.snapshot.pages(), writer, progress)


def crawl_source(options: Any) -> Source:
    """The crawl of `options` (FetchOptions) as a Source: INGEST's CrawlSource once it exists."""
    from huggingface_hub import constants

    from pipeline.ingest import crawl

    if hasattr(crawl, "CrawlSource"):
        return crawl.CrawlSource(options)
    pages: Iterator[list[Any]] = crawl.fetch_pages(options, crawl.FetchStats())
    return PagesSource(pages, options.endpoint or constants.ENDPOINT, options.is_full, options.filters(), options.limit)


def snapshot_source(snapshot: Any) -> Source:
    """A recorded snapshot as a Source: INGEST's SnapshotSource once it exists."""
    from pipeline.ingest import snapshot as snapshots

    if hasattr(snapshots, "SnapshotSource"):
        return snapshots.SnapshotSource(snapshot)
    return _SnapshotAdapter(
        pages=(), source=snapshot.describe(), is_full=False, asked={"snapshot": str(snapshot.path)},
        total=snapshot.manifest["models"], origin=f"snapshot:{snapshot.path.name}", series=None,
        as_of=snapshot.as_of, snapshot=snapshot,
    )  # fmt: skip


_crawl_source, _snapshot_source = crawl_source, snapshot_source  # the names pipeline/cli.py imports today


def refresh_from_hub(db: Path, options: Any, **kwargs: Any) -> RefreshResult | None:
    """Thin wrapper kept for callers not yet on `refresh(db, source)` (cli, tests)."""
    return refresh(db, crawl_source(options), **kwargs)


def refresh_from_snapshot(db: Path, snapshot: Any, **kwargs: Any) -> RefreshResult | None:
    """Thin wrapper kept for callers not yet on `refresh(db, source)` (cli, bootstrap, tests)."""
    return refresh(db, snapshot_source(snapshot), **kwargs)


def _run(
    db: Path,
    *,
    source: str,
    is_full: bool,
    filters: dict[str, Any],
    pages: Iterable[list[Any]],
    storage_version: str | None = None,
    config_path: Path | None = None,
) -> RefreshResult | None:
    """The benchmark's entry (bench/steps.py) until it calls refresh(db, PagesSource(...)) itself."""
    return refresh(db, PagesSource(pages, source, is_full, filters), storage_version=storage_version,
                   config_path=config_path)  # fmt: skip
