"""First start: build the DB from the bundled snapshot when it is missing, once, even with many callers."""

from __future__ import annotations

import time
from pathlib import Path

from pipeline.ingest.hubstats import bundled_sample
from pipeline.ingest.snapshot import SnapshotSource, open_snapshot
from pipeline.paths import DEFAULT_SNAPSHOT
from pipeline.refresh import RefreshResult, refresh
from pipeline.store.lock import RefreshLocked


def ensure_db(db: Path, snapshot_dir: Path = DEFAULT_SNAPSHOT, wait_s: float = 300.0) -> RefreshResult | None:
    """Build `db` from the snapshot if it does not exist. When another process (a second browser session, a
    scheduled refresh) is already writing it, wait for that instead. Returns the build's result, or None when
    there was nothing to do. The refresh lock's file goes when the build ends (pipeline/store/lock.py), also
    when the process exits during it, so a stopped dashboard leaves no `<db>.lock`."""
    deadline = time.monotonic() + wait_s
    while not db.exists():
        try:
            return build_bundled(db, snapshot_dir, only_if_missing=True)
        except RefreshLocked:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
    return None


def build_bundled(
    db: Path, snapshot_dir: Path = DEFAULT_SNAPSHOT, *, only_if_missing: bool = False
) -> RefreshResult | None:
    """The bundled snapshot, then the hub-stats sample its manifest names (a second run through the dump importer,
    dated by its own content). Returns the snapshot's result; a failed sample import is logged by its own run."""
    result = refresh(db, SnapshotSource(open_snapshot(snapshot_dir)), only_if_missing=only_if_missing)
    if result is not None and result.status == "ok" and (sample := bundled_sample(snapshot_dir)) is not None:
        refresh(db, sample)
    return result
