"""History on day one: import past days of the hub-stats dump, one revision per period, oldest first.

Each revision of `cfahlgren1/hub-stats` is one day's whole-Hub `models.parquet`. We list the dataset's commits,
keep the newest commit of each day / week / month since `since`, skip the ones the DB already holds (their sha
is in `refresh_runs.source`) and import each through `refresh(db, source)` (one atomic refresh per revision, so
a failure or a kill keeps every revision completed before it). A revision whose file is missing or not in the
dump's schema is reported and skipped.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from tqdm import tqdm

from pipeline.ingest.hubstats import DEFAULT_FILE, DEFAULT_REPO, HubStatsSchemaError, HubStatsSource, naive_utc
from pipeline.refresh import RefreshResult, record_failure, refresh

log = logging.getLogger(__name__)

PERIODS = ("day", "week", "month")


@dataclass(frozen=True)
class Revision:
    sha: str
    committed_at: datetime  # naive UTC


@dataclass
class BackfillResult:
    imported: list[str] = field(default_factory=list)  # shas, oldest first
    skipped: list[str] = field(default_factory=list)  # already in the DB
    failed: dict[str, str] = field(default_factory=dict)  # sha -> why (missing file, other schema, failed run)
    chosen: int = 0

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        line = (
            f"backfill: {self.chosen} revisions chosen, {len(self.imported)} imported, "
            f"{len(self.skipped)} already in the DB, {len(self.failed)} failed"
        )
        if self.failed:
            line += " (" + "; ".join(f"{sha[:10]}: {why}" for sha, why in self.failed.items()) + ")"
        return line


def period_key(moment: datetime, every: str) -> tuple[int, ...]:
    if every == "day":
        return (moment.year, moment.month, moment.day)
    if every == "week":
        iso = moment.isocalendar()
        return (iso.year, iso.week)
    if every == "month":
        return (moment.year, moment.month)
    raise ValueError(f"every must be one of {', '.join(PERIODS)}, not {every!r}")


def choose_revisions(commits: list[Revision], *, since: date, every: str) -> list[Revision]:
    """The newest commit of each period on or after `since`, oldest first."""
    newest: dict[tuple[int, ...], Revision] = {}
    for commit in commits:
        if commit.committed_at.date() < since:
            continue
        key = period_key(commit.committed_at, every)
        if key not in newest or commit.committed_at > newest[key].committed_at:
            newest[key] = commit
    return sorted(newest.values(), key=lambda r: r.committed_at)


def list_revisions(repo_id: str, *, endpoint: str | None, token: str | None) -> list[Revision]:
    from huggingface_hub import HfApi

    commits = HfApi(endpoint=endpoint, token=token).list_repo_commits(repo_id, repo_type="dataset")
    return [Revision(c.commit_id, naive_utc(c.created_at)) for c in commits]


def imported_revisions(db: Path) -> set[str]:
    """Shas of revisions an ok run of the DB imported (named in refresh_runs.source as `repo@sha`)."""
    if not db.exists():
        return set()
    from pipeline.database import Database

    frame = Database(db).query(
        "SELECT source FROM hub.refresh_runs WHERE status = 'ok' AND source LIKE 'hub-stats:%@%'"
    )
    return {str(s).split("@", 1)[1].split(" ", 1)[0] for s in frame["source"].to_list()}


def backfill(
    db: Path,
    *,
    since: date,
    every: str,
    endpoint: str | None,
    token: str | None,
    repo_id: str = DEFAULT_REPO,
    filename: str = DEFAULT_FILE,
    keep_downloads: bool = False,
    config_path: Path | None = None,
) -> BackfillResult:
    period_key(datetime(2000, 1, 1), every)  # rejects a bad period before any network call
    db.parent.mkdir(parents=True, exist_ok=True)
    chosen = choose_revisions(list_revisions(repo_id, endpoint=endpoint, token=token), since=since, every=every)
    done = imported_revisions(db)
    result = BackfillResult(chosen=len(chosen))
    for revision in tqdm(chosen, desc="backfill", unit=" revisions", disable=None):
        if revision.sha in done:
            result.skipped.append(revision.sha)
            continue
        why = _import_one(db, revision, endpoint, token, repo_id, filename, keep_downloads, config_path)
        if why is None:
            result.imported.append(revision.sha)
        else:
            log.warning("revision %s skipped: %s", revision.sha, why)
            result.failed[revision.sha] = why
    log.info(result.summary())
    return result


def _import_one(
    db: Path,
    revision: Revision,
    endpoint: str | None,
    token: str | None,
    repo_id: str,
    filename: str,
    keep_downloads: bool,
    config_path: Path | None,
) -> str | None:
    """Download and import one revision; None when it is in, else the one-line reason."""
    from huggingface_hub.errors import (
        EntryNotFoundError,
        HfHubHTTPError,
        LocalEntryNotFoundError,
        RevisionNotFoundError,
    )

    scratch = None if keep_downloads else Path(tempfile.mkdtemp(prefix="hubstats-", dir=db.parent))
    source = HubStatsSource(
        None, repo_id=repo_id, filename=filename, revision=revision.sha, committed_at=revision.committed_at,
        endpoint=endpoint, token=token, cache_dir=scratch, full=True,
    )  # fmt: skip
    try:
        source.fetch()
        source.check()
    except LocalEntryNotFoundError as err:  # the HEAD kept failing (5xx/connection storm past the client's retries)
        why = f"download failed: {str(err).splitlines()[0][:200]}"
    except (EntryNotFoundError, RevisionNotFoundError):
        why = f"no {filename} at this revision"
    except HubStatsSchemaError as err:
        why = str(err)
    except (HfHubHTTPError, OSError) as err:
        why = f"download failed: {type(err).__name__}: {str(err).splitlines()[0][:200]}"
    else:
        outcome = refresh_source(db, source, config_path=config_path)  # logs its own failure
        return None if outcome is not None and outcome.status == "ok" else f"import failed: {outcome and outcome.error}"
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    record_failure(db, source, why)  # the run log names the revisions that did not come in
    return why


def refresh_source(db: Path, source: HubStatsSource, *, config_path: Path | None = None) -> RefreshResult | None:
    """One atomic refresh of `db` from `source` (pipeline.refresh.refresh)."""
    return refresh(db, source, config_path=config_path)
