"""One refresh, end to end: lock → journal → fetch → normalize → store (classify inside) → swap → journal."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

from pipeline import __version__
from pipeline.ingest.crawl import FetchOptions, FetchStats, fetch_pages
from pipeline.ingest.normalize import Normalizer
from pipeline.ingest.snapshot import Snapshot
from pipeline.store import runlog
from pipeline.store.lock import RefreshLock
from pipeline.store.writer import Writer, latest_run_id, remove_stale_temp_files

log = logging.getLogger(__name__)

# Pages are normalized and staged in groups of this many records, so memory stays flat at Hub scale.
BATCH_RECORDS = 20_000
LOG_EVERY_PAGES = 100  # progress lines for logs when stderr is not a terminal (cron, systemd)


@dataclass
class RefreshResult:
    run_id: int
    status: str
    seconds: float
    counts: dict[str, int]
    error: str | None = None

    def summary(self) -> str:
        c = self.counts
        rate = c.get("models_seen", 0) / self.seconds if self.seconds else 0.0
        if self.status != "ok":
            return f"refresh run {self.run_id} FAILED after {self.seconds:.1f}s: {self.error} (previous DB kept)"
        return (
            f"refresh run {self.run_id} ok in {self.seconds:.1f}s: {c.get('models_seen', 0):,} models "
            f"({c.get('models_new', 0):,} new, {c.get('models_rejected', 0):,} rejected), "
            f"{c.get('pages_fetched', 0):,} pages, {c.get('snapshot_rows', 0):,} snapshot rows, {rate:,.0f} models/s"
        )


def _classifier(config_path: Path | None) -> tuple[Callable[..., Any], dict[str, str]]:
    """classify.enrich bound to the config, and the config facts the DB records (SQL macros default to them)."""
    from pipeline.enrich.classify import enrich, load_config

    config = load_config(config_path)
    facts = {"slm_max_params": repr(float(config.slm_max_params))}
    return (lambda models, lineage, reference: enrich(models, lineage, reference, config)), facts


def _batches(pages: Iterable[list[Any]], normalizer: Normalizer, writer: Writer, bar: tqdm) -> int:
    """Normalize and stage pages in groups; returns pages seen."""
    pending: list[Any] = []
    n_pages = n_models = 0
    for page in pages:
        n_pages += 1
        n_models += len(page)
        pending.extend(page)
        bar.update(len(page))
        bar.set_postfix(pages=n_pages, refresh=False)
        if bar.disable and n_pages % LOG_EVERY_PAGES == 0:
            log.info("fetched %d pages, %d models", n_pages, n_models)  # (a disabled bar counts nothing)
        if len(pending) >= BATCH_RECORDS:
            writer.add_batch(normalizer.batch(pending))
            pending = []
    if pending:
        writer.add_batch(normalizer.batch(pending))
    return n_pages


def _run(
    db: Path,
    *,
    source: str,
    is_full: bool,
    filters: dict[str, Any],
    pages: Iterator[list[Any]] | None = None,
    snapshot: Snapshot | None = None,
    storage_version: str | None,
    config_path: Path | None,
    progress_total: int | None = None,
    only_if_missing: bool = False,
) -> RefreshResult | None:
    started = time.monotonic()
    db.parent.mkdir(parents=True, exist_ok=True)
    with RefreshLock(db):
        if only_if_missing and db.exists():
            return None  # another process built it while we waited for the lock
        remove_stale_temp_files(db)
        run_id = runlog.next_run_id(db, latest_run_id(db))
        run: dict[str, Any] = {
            "run_id": run_id, "started_at": runlog.now(), "status": "running", "source": source,
            "is_full": is_full, "filters": filters, "hubscope_version": __version__,
            "origin": f"snapshot:{snapshot.path.name}" if snapshot else "hub",
        }  # fmt: skip
        runlog.append(db, {**run, "pid": os.getpid()})
        log.info("refresh run %d started: %s %s", run_id, source, filters or "(everything)")
        counts: dict[str, int] = {}
        writer: Writer | None = None
        try:
            with Writer(db, run, storage_version) as writer:
                if snapshot is not None:
                    writer.snapshot_at = snapshot.as_of
                    writer.add_reference(snapshot.reference_params())
                    writer.add_lineage(snapshot.lineage())
                    writer.add_history(snapshot.history())
                    pages = snapshot.pages()
                    progress_total = snapshot.manifest["models"]
                normalizer = Normalizer()
                with tqdm(total=progress_total, unit=" models", desc="refresh", disable=None, mininterval=0.5) as bar:
                    counts["pages_fetched"] = _batches(pages or iter(()), normalizer, writer, bar)
                normalizer.seen.clear()  # ~100 MB per million ids, not needed by the commit
                run["finished_at"] = runlog.now()
                run["pages_fetched"] = counts["pages_fetched"]
                enrich, facts = _classifier(config_path)
                counts.update(
                    writer.commit(
                        series=None if snapshot else "hub", journal_runs=runlog.runs(db), enrich=enrich, facts=facts
                    )
                )
        except Exception as err:
            if writer is None or not writer.committed:
                return _failed(db, run_id, started, counts, err)
            log.warning("after the new file was swapped in: %s: %s", type(err).__name__, err)
        except BaseException as err:  # Ctrl-C, SystemExit: the attempt is logged, then re-raised
            _failed(db, run_id, started, counts, err)
            raise
        runlog.append(db, {"run_id": run_id, "status": "ok", "finished_at": run["finished_at"], **counts})
    result = RefreshResult(run_id, "ok", time.monotonic() - started, counts)
    log.info(result.summary())
    return result


def _failed(db: Path, run_id: int, started: float, counts: dict[str, int], err: BaseException) -> RefreshResult:
    message = f"{type(err).__name__}: {err}"[:2000]
    runlog.append(db, {"run_id": run_id, "status": "failed", "finished_at": runlog.now(), "error": message})
    result = RefreshResult(run_id, "failed", time.monotonic() - started, counts, message)
    log.error(result.summary())
    return result


def refresh_from_hub(
    db: Path, options: FetchOptions, *, storage_version: str | None = None, config_path: Path | None = None
) -> RefreshResult | None:
    from huggingface_hub import constants

    return _run(
        db,
        source=options.endpoint or constants.ENDPOINT,
        is_full=options.is_full,
        filters=options.filters(),
        pages=fetch_pages(options, FetchStats()),
        storage_version=storage_version,
        config_path=config_path,
        progress_total=options.limit,
    )


def refresh_from_snapshot(
    db: Path,
    snapshot: Snapshot,
    *,
    storage_version: str | None = None,
    config_path: Path | None = None,
    only_if_missing: bool = False,
) -> RefreshResult | None:
    """Load a recorded snapshot. With only_if_missing, nothing happens (None) when the DB exists by the time the
    refresh lock is held: the first-start build runs once however many sessions ask for it."""
    return _run(
        db,
        source=snapshot.describe(),
        is_full=False,  # a selection, not the whole Hub: never marks other models unseen
        filters={"snapshot": str(snapshot.path)},
        snapshot=snapshot,
        storage_version=storage_version,
        config_path=config_path,
        only_if_missing=only_if_missing,
    )
