"""One refresh at a time per DB file: an advisory `flock` on `<db>.lock`, released by the OS if we die.

The lock file is removed when the holder releases it (or exits holding it), so a stopped dashboard (first-start
build) or a finished refresh leaves no `<db>.lock` behind. Removing a flock file is only safe if a process that
opened the old file can tell: after taking the lock, a taker checks that the path still names the file it
locked, else retries.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import os
from pathlib import Path
from types import TracebackType

from pipeline.paths import sidecar

EXIT_LOCKED = 75  # EX_TEMPFAIL: cron and systemd read it as "try again later"
_RETRIES = 50  # a lock file replaced under us this many times in a row is not a race any more


class RefreshLocked(RuntimeError):
    """Another refresh holds the lock on this DB."""


class LockUnavailable(OSError):
    """The lock file cannot be created (read-only directory, disk full); the message is one line."""


class RefreshLock:
    def __init__(self, db: Path) -> None:
        self.path = sidecar(db, ".lock")
        self._fd: int | None = None

    def __enter__(self) -> RefreshLock:
        for _ in range(_RETRIES):
            fd = self._open()
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.read(fd, 64).decode(errors="replace").strip() or "unknown"
                os.close(fd)
                raise RefreshLocked(
                    f"another refresh of this DB is running (pid {holder}); lock: {self.path}"
                ) from None
            if self._still_named(fd):
                os.ftruncate(fd, 0)
                os.write(fd, str(os.getpid()).encode())
                self._fd = fd
                atexit.register(self.release)  # a process that exits while holding it (Streamlit stopped mid-build)
                return self
            os.close(fd)  # the holder we waited on removed the file: lock the new one instead
        raise RefreshLocked(f"the lock file {self.path} keeps being replaced; is another refresh starting?")

    def _open(self) -> int:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            return os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as err:  # e.g. a read-only directory: one line, not a traceback
            raise LockUnavailable(f"cannot create the lock file {self.path}: {err.strerror or err}") from err

    def _still_named(self, fd: int) -> bool:
        try:
            return os.stat(self.path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            return False

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.release()

    def release(self) -> None:
        if self._fd is None:
            return
        atexit.unregister(self.release)
        # while still holding it, so a taker's inode check sees the change; a read-only directory keeps the file
        with contextlib.suppress(OSError):
            self.path.unlink(missing_ok=True)
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None
