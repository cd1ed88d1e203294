"""An inter-process lock (fcntl.flock on a lock file) that gives up after a timeout.

Read-modify-write of a shared file without it loses data when two freechats run at once
(RELIABILITY §0.8: 281 of 600 messages lost). Waiting forever on a stuck holder would freeze
the app instead, so a busy lock becomes a typed error after `timeout` seconds.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

from freechat.core.errors import FreechatError
from freechat.core.paths import PRIVATE_FILE_MODE, ensure_private_dir


class LockBusy(FreechatError):
    default_title = "Busy"


@contextlib.contextmanager
def file_lock(path: Path, timeout: float, what: str = "files") -> Iterator[None]:
    """Hold an exclusive flock on `path` (created 0600) for the body of the `with`."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE_MODE)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockBusy(
                        f"another freechat has been writing {what} for {timeout:g} s",
                        hint="close it, or try again",
                    ) from None
                time.sleep(0.005)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


@contextlib.contextmanager
def sidecar_lock(path: Path, timeout: float = 10.0, what: str = "files") -> Iterator[None]:
    """Lock `<path>.lock` beside `path` (its directory created 0700) for a read-modify-write."""
    ensure_private_dir(path.parent)
    with file_lock(path.with_name(path.name + ".lock"), timeout, what):
        yield
