"""One refresh at a time per DB file: an advisory `flock` on `<db>.lock`, released by the OS if we die."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from pipeline.paths import sidecar

EXIT_LOCKED = 75  # EX_TEMPFAIL: cron and systemd read it as "try again later"


class RefreshLocked(RuntimeError):
    """Another refresh holds the lock on this DB."""


class RefreshLock:
    def __init__(self, db: Path) -> None:
        self.path = sidecar(db, ".lock")
        self._fd: int | None = None

    def __enter__(self) -> RefreshLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 64).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise RefreshLocked(f"another refresh of this DB is running (pid {holder}); lock: {self.path}") from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
