"""Dataset repos for the stand-in Hub: the endpoints `huggingface_hub` uses to list a dataset's commits and to
download one file of one revision (the hub-stats dump's `models.parquet`), with switchable faults.

- `GET /api/datasets/{repo}/commits/{rev}[?p=N]`: commits reachable from `rev`, newest first, `page_size` a page,
  `Link: <…?p=N+1>; rel="next"` while more remain (what `HfApi.list_repo_commits` follows).
- `HEAD` / `GET /datasets/{repo}/resolve/{rev}/{file}`: `X-Repo-Commit`, `ETag`, `Content-Length`,
  `Accept-Ranges`; `Range: bytes=N-` answers 206 (the client resumes a dropped download that way).
- 404 with the Hub's `X-Error-Code` (`RepoNotFound`, `RevisionNotFound`, `EntryNotFound`), so the client raises
  its own typed errors.
- Faults (`DatasetFaults`), each a counter consumed one per request: 429 with `RateLimit`, 5xx, and a file GET
  that closes the connection after half its bytes.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import parse_qs, unquote

import orjson

COMMITS_PAGE = 50
CHUNK = 1 << 20
_COMMITS = re.compile(r"^/api/datasets/(?P<repo>[^/]+/[^/]+)/commits/(?P<rev>[^/]+)/?$")
_RESOLVE = re.compile(r"^/datasets/(?P<repo>[^/]+/[^/]+)/resolve/(?P<rev>[^/]+)/(?P<file>.+)$")
_RANGE = re.compile(r"^bytes=(\d+)-(\d*)$")


@dataclass(frozen=True)
class Commit:
    """One commit of a dataset repo: its files as local paths (a name absent here is missing at this revision)."""

    sha: str
    date: datetime  # timezone-aware
    files: dict[str, Path] = field(default_factory=dict)
    title: str = "Upload dataset"


@dataclass
class DatasetFaults:
    rate_limit: int = 0  # the next N dataset requests answer 429
    rate_limit_seconds: int = 1  # the `RateLimit` t= of those answers
    server_errors: int = 0  # the next N dataset requests answer `server_error_status`
    server_error_status: int = 500
    drop_file_gets: int = 0  # the next N file GETs close the connection after half their bytes
    file_delay_s: float = 0.0  # every file GET waits this long before its first byte (a slow link)


class DatasetRequest(NamedTuple):
    method: str
    path: str
    status: int


class DatasetRepo:
    def __init__(self, repo_id: str, commits: Iterable[Commit], page_size: int = COMMITS_PAGE) -> None:
        self.repo_id = repo_id
        self.commits = sorted(commits, key=lambda c: c.date, reverse=True)  # newest first, as the Hub lists
        self.page_size = page_size

    def resolve(self, revision: str) -> Commit | None:
        if revision == "main":
            return self.commits[0] if self.commits else None
        return next((c for c in self.commits if c.sha == revision), None)

    def history(self, commit: Commit) -> list[Commit]:
        return self.commits[self.commits.index(commit) :]


_DATED = re.compile(r"(\d{4}-\d{2}-\d{2})")


def repo_from_dir(repo_id: str, directory: Path, filename: str = "models.parquet") -> DatasetRepo:
    """One commit per `*.parquet` in `directory` whose name holds a date (e.g. `models-2026-07-02.parquet`, as
    hubstats_files.revision_files writes them): committed at 06:00 UTC that day, serving the file as `filename`.
    The sha is derived from the date, so the same directory always gives the same revisions."""
    commits = []
    for path in sorted(directory.glob("*.parquet")):
        found = _DATED.search(path.name)
        if found:
            day = datetime.fromisoformat(found[1]).replace(hour=6, tzinfo=UTC)
            sha = hashlib.sha1(f"{repo_id}@{found[1]}".encode()).hexdigest()
            commits.append(Commit(sha, day, {filename: path.resolve()}))
    return DatasetRepo(repo_id, commits)


def commit_item(commit: Commit) -> dict[str, Any]:
    """One item of the commit listing, in the Hub's shape."""
    return {
        "id": commit.sha,
        "title": commit.title,
        "message": "",
        "authors": [{"user": "cfahlgren1", "avatar": "https://example.invalid/avatar.png"}],
        "date": commit.date.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
    }


class DatasetHost:
    """The dataset side of the stand-in: serves the repos given; `handle` answers a request or returns False."""

    def __init__(self, repos: Iterable[DatasetRepo], faults: DatasetFaults | None = None) -> None:
        self.repos = {r.repo_id: r for r in repos}
        self.faults = faults or DatasetFaults()
        self.requests: list[DatasetRequest] = []
        self._lock = threading.Lock()

    def set_faults(self, **changes: Any) -> DatasetFaults:
        """Change fault counters; no argument resets them all."""
        with self._lock:
            self.faults = replace(self.faults, **changes) if changes else DatasetFaults()
            return self.faults

    def served(self, status: int | None = None, method: str | None = None) -> list[DatasetRequest]:
        with self._lock:
            return [r for r in self.requests if (status is None or r.status == status)
                    and (method is None or r.method == method)]  # fmt: skip

    def _take(self, name: str) -> bool:
        with self._lock:
            left = getattr(self.faults, name)
            if left > 0:
                setattr(self.faults, name, left - 1)
                return True
            return False

    def handle(self, handler: Any, method: str, path: str, query: str) -> bool:
        path = unquote(path)
        commits, resolve = _COMMITS.match(path), _RESOLVE.match(path)
        if not (commits or resolve):
            return False
        status = self._answer(handler, method, path, query, commits, resolve)
        with self._lock:
            self.requests.append(DatasetRequest(method, path, status))
        return True

    def _answer(self, handler: Any, method: str, path: str, query: str, commits: Any, resolve: Any) -> int:
        if self._take("rate_limit"):
            headers = {"RateLimit": f'"api";r=0;t={self.faults.rate_limit_seconds}',
                       "RateLimit-Policy": '"fixed window";"api";q=500;w=300'}  # fmt: skip
            return _json(handler, method, 429, {"error": "rate limited"}, headers)
        if self._take("server_errors"):
            return _json(handler, method, self.faults.server_error_status, {"error": "Internal Error"})
        match = commits or resolve
        repo = self.repos.get(match["repo"])
        if repo is None:
            return _json(handler, method, 404, {"error": "Repository not found"}, {"X-Error-Code": "RepoNotFound"})
        commit = repo.resolve(match["rev"])
        if commit is None:
            error = {"X-Error-Code": "RevisionNotFound"}
            return _json(handler, method, 404, {"error": f"Invalid rev id: {match['rev']}"}, error)
        if commits:
            return self._commits(handler, method, repo, commit, query)
        local = commit.files.get(match["file"])
        if local is None:
            error = {"X-Error-Code": "EntryNotFound", "X-Repo-Commit": commit.sha}
            return _json(handler, method, 404, {"error": "Entry not found"}, error)
        return self._file(handler, method, commit, match["file"], local)

    def _commits(self, handler: Any, method: str, repo: DatasetRepo, commit: Commit, query: str) -> int:
        page = int((parse_qs(query).get("p") or ["0"])[0] or 0)
        history = repo.history(commit)
        items = history[page * repo.page_size : (page + 1) * repo.page_size]
        headers = {}
        if (page + 1) * repo.page_size < len(history):
            host = handler.headers.get("Host") or "{}:{}".format(*handler.server.server_address[:2])
            link = f"http://{host}/api/datasets/{repo.repo_id}/commits/{commit.sha}?p={page + 1}"
            headers["Link"] = f'<{link}>; rel="next"'
        return _json(handler, method, 200, [commit_item(c) for c in items], headers)

    def _file(self, handler: Any, method: str, commit: Commit, name: str, local: Path) -> int:
        size = local.stat().st_size
        start, end = 0, size - 1
        asked = _RANGE.match(handler.headers.get("Range") or "")
        status = 200
        if asked and method == "GET":
            start = int(asked[1])
            end = min(int(asked[2]), size - 1) if asked[2] else size - 1
            status = 206
        headers = {
            "Content-Type": "application/octet-stream",
            "Content-Length": str(end - start + 1),
            "Accept-Ranges": "bytes",
            "X-Repo-Commit": commit.sha,
            "ETag": '"' + hashlib.sha256(f"{commit.sha}/{name}/{size}".encode()).hexdigest() + '"',
        }
        if status == 206:
            headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        handler.send_response(status)
        for key, value in headers.items():
            handler.send_header(key, value)
        handler.end_headers()
        if method == "HEAD":
            return status
        if self.faults.file_delay_s:
            time.sleep(self.faults.file_delay_s)
        drop = self._take("drop_file_gets")
        limit = start + max(1, (end - start + 1) // 2) if drop else end + 1
        with local.open("rb") as f:
            f.seek(start)
            position = start
            while position < limit:
                chunk = f.read(min(CHUNK, limit - position))
                if not chunk:
                    break
                handler.wfile.write(chunk)
                position += len(chunk)
        if drop:
            handler.wfile.flush()
            handler.close_connection = True
            with contextlib.suppress(OSError):
                handler.connection.shutdown(socket.SHUT_RDWR)
            return 599  # logged as a dropped connection (the client saw a 200 that ended early)
        return status


def _json(handler: Any, method: str, status: int, body: Any, headers: dict[str, str] | None = None) -> int:
    data = orjson.dumps(body)
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json; charset=utf-8")
    handler.send_header("Content-Length", str(len(data)))
    for key, value in (headers or {}).items():
        handler.send_header(key, value)
    handler.end_headers()
    if method != "HEAD":
        handler.wfile.write(data)
    return status
