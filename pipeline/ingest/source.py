"""The contract every source meets, so `refresh(db, source, config)` needs no if-branches per source.

A source knows what it is (`describe`, `origin`), when its data is from (`as_of`: the snapshot time of the run),
which download series its counts belong to (`series`: "hub" for a crawl or a whole-Hub dump; None when the
source brings its own dated history, like the bundled snapshot), whether it covers everything (`is_full`), and
how to put its rows into a writer's staging tables (`stage`). Record sources (the crawl, the snapshot) stage
normalized batches through `Writer.add_batch`, with `pipeline.ingest.staging.stage_pages(pages, writer,
progress)` (batches of 20,000 records); columnar sources (the hub-stats dump) stage straight from Arrow /
Parquet with SQL on the writer's connection.

Implementations: `pipeline.ingest.crawl.CrawlSource(FetchOptions)`, `pipeline.ingest.snapshot.SnapshotSource(
Snapshot)`, `pipeline.ingest.hubstats.HubStatsSource`.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from pipeline.store.writer import Writer


class Source(Protocol):
    origin: str  # models.origin, e.g. "hub", "snapshot:snapshot", "hub-stats"
    series: str | None  # model_snapshots.series of the run's counts; None: the source stages its own history
    is_full: bool  # True: every model of the Hub (never set for a selection)

    @property
    def as_of(self) -> datetime | None:
        """The snapshot time (a dump's commit time, a snapshot's recorded date); None: the run's start time."""

    def describe(self) -> str:
        """refresh_runs.source: what was read (endpoint, snapshot, dataset repo @ revision)."""

    def filters(self) -> dict[str, Any]:
        """refresh_runs.filters: what was asked (never a token)."""

    def expected_models(self) -> int | None:
        """For the progress bar; None when unknown."""

    def stage(self, writer: Writer, progress: Any) -> int:
        """Put every row of the source into the writer's staging; update `progress` (a tqdm bar) by models.
        Returns the number of pages (or files) read."""
