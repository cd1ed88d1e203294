"""The opt-in plaintext key file (`freechat keys set ID --insecure-file`).

JSON `{"schema": 1, "keys": {provider: key}}`, mode 0600 in a 0700 directory, written
atomically. Used only when the user explicitly asks; a loosened mode is tightened on read.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from freechat.core.fsutil import atomic_write
from freechat.core.keys import SOURCE_FILE, KeyStoreUnavailable
from freechat.core.paths import PRIVATE_FILE_MODE
from freechat.core.secret import Secret


class FileKeyBackend:
    """The opt-in plaintext key file: JSON, 0600, in a 0700 directory, written atomically."""

    source = SOURCE_FILE

    def __init__(self, path: Path) -> None:
        self.path = path

    def __repr__(self) -> str:
        return f"FileKeyBackend({str(self.path)!r})"

    def _read(self) -> dict[str, str]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as error:
            raise KeyStoreUnavailable(
                f"cannot read {self.path} ({error.strerror})", reason="file"
            ) from None
        if self.path.stat().st_mode & 0o077:  # someone loosened it: tighten, keep going
            os.chmod(self.path, PRIVATE_FILE_MODE)
        try:
            data: Any = json.loads(raw.decode("utf-8"))
        except ValueError:
            raise KeyStoreUnavailable(
                f"{self.path} is not a valid key file", reason="file",
                hint="delete it and set the keys again",
            ) from None
        keys = data.get("keys") if isinstance(data, dict) else None
        if not isinstance(keys, dict):
            return {}
        return {k: v for k, v in keys.items() if isinstance(k, str) and isinstance(v, str) and v}

    def _write(self, keys: dict[str, str]) -> None:
        if not keys:
            self.path.unlink(missing_ok=True)
            return
        payload = json.dumps({"schema": 1, "keys": keys}, indent=2, sort_keys=True)
        try:
            atomic_write(self.path, payload.encode("utf-8") + b"\n")
        except OSError as error:
            raise KeyStoreUnavailable(
                f"cannot write {self.path} ({error.strerror})", reason="file"
            ) from None

    def get(self, provider_id: str) -> Secret | None:
        value = self._read().get(provider_id)
        return Secret(value) if value else None

    def set(self, provider_id: str, secret: Secret) -> None:
        keys = self._read()
        keys[provider_id] = secret.reveal()
        self._write(keys)

    def delete(self, provider_id: str) -> bool:
        keys = self._read()
        if keys.pop(provider_id, None) is None:
            return False
        self._write(keys)
        return True
