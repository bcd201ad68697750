"""Staging of record pages: normalized in batches (pipeline/ingest/normalize.py), each handed to the writer on a
worker thread while the next pages are fetched and normalized."""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from pipeline.ingest.normalize import Batch, Normalizer, gc_paused

if TYPE_CHECKING:
    from pipeline.store.writer import Writer

log = logging.getLogger(__name__)

# Pages are normalized and staged in groups of this many records, so memory stays flat at Hub scale.
BATCH_RECORDS = 20_000
LOG_EVERY_PAGES = 100  # progress lines for logs when stderr is not a terminal (cron, systemd)


def stage_pages(pages: Iterable[list[Any]], writer: Writer, progress: Any) -> int:
    """Normalize pages of raw Hub records in batches of BATCH_RECORDS and stage each with `writer.add_batch`
    (the record sources' `stage`: memory stays flat at Hub scale); `progress` (a tqdm bar) counts records.
    Returns the number of pages."""
    normalizer = Normalizer()
    pending: list[Any] = []
    n_pages = n_models = 0
    # pages are parsed (by the generator) and normalized with the cyclic collector paused …
    with gc_paused(), _Stager(writer) as stager:
        for page in pages:
            n_pages += 1
            n_models += len(page)
            pending.extend(page)
            progress.update(len(page))
            progress.set_postfix(pages=n_pages, refresh=False)
            if progress.disable and n_pages % LOG_EVERY_PAGES == 0:
                log.info("fetched %d pages, %d models", n_pages, n_models)  # (a disabled bar counts nothing)
            if len(pending) >= BATCH_RECORDS:
                stager.add(normalizer.batch(pending))
                pending = []
                # … and run on the young generations once per batch (the old ones are only the long-lived modules),
                # so cycles the HTTP/DB layers make stay bounded
                gc.collect(1)
        if pending:
            stager.add(normalizer.batch(pending))
    return n_pages


class _Stager:
    """`writer.add_batch` on one worker thread, one batch at a time: DuckDB stages a batch (without the GIL)
    while the next pages are fetched and normalized. At most one batch waits, so memory stays flat; a failure
    of the worker is raised in the caller at the next `add` or on leaving the block."""

    def __init__(self, writer: Writer) -> None:
        self._writer = writer
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stage")
        self._staging: Future[None] | None = None

    def __enter__(self) -> _Stager:
        return self

    def add(self, batch: Batch) -> None:
        self._wait()
        self._staging = self._pool.submit(self._writer.add_batch, batch)

    def _wait(self) -> None:
        staging, self._staging = self._staging, None
        if staging is not None:
            staging.result()

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        try:
            if exc_type is None:
                self._wait()
        finally:
            self._pool.shutdown(wait=True)  # the connection is the caller's again once the worker is done
