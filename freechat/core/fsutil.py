"""Durable file writes shared by config, conversations and the quota ledger."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from freechat.core.paths import PRIVATE_FILE_MODE, ensure_private_dir


def fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, payload: bytes) -> None:
    """Write `payload` to `path` so a crash leaves either the old or the new file, never half.

    Temp file in the same directory, fsync, chmod 0600, os.replace, fsync of the directory.
    """
    ensure_private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".tmp-{path.name}-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, PRIVATE_FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)
