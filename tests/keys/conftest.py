"""Fixtures for key tests: a KeyStore over a chosen keyring backend, with a 0.5 s timeout."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend

from freechat.core.catalog import PROVIDERS
from freechat.core.key_file import FileKeyBackend
from freechat.core.keyring_store import KeyringStore
from freechat.core.keys import KeyStore

TIMEOUT = 0.5
OPENROUTER = PROVIDERS["openrouter"]
CANARY_KEY = "sk-or-v1-" + "c4n4ry0123456789" * 4


@pytest.fixture
def make_store(isolated_env: Path) -> Callable[..., KeyStore]:
    """KeyStore(env) over `backend` (installed as the process keyring) and a key file."""

    def make(backend: KeyringBackend | None = None, environ: dict[str, str] | None = None,
             timeout: float = TIMEOUT) -> KeyStore:
        if backend is not None:
            keyring.set_keyring(backend)
        return KeyStore(environ or {}, [
            KeyringStore(timeout), FileKeyBackend(isolated_env / "keys.json"),
        ])

    return make


@pytest.fixture
def keyring_timeout(monkeypatch: pytest.MonkeyPatch) -> float:
    monkeypatch.setenv("FREECHAT_KEYRING_TIMEOUT", str(TIMEOUT))
    return TIMEOUT
