"""Keyring backends that misbehave the ways real ones do (RELIABILITY §7 D: K1–K10)."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import InitError, KeyringLocked, PasswordDeleteError

from tests.fakes.memory_keyring import MemoryKeyring


class DroppingKeyring(MemoryKeyring):
    """Healthy-looking, but forgets every write (what write-verify is for)."""

    def set_password(self, service: str, username: str, password: str) -> None:
        return None


class LockedKeyring(MemoryKeyring):
    """Raises KeyringLocked (or InitError "Prompt dismissed") until `unlocked` is set."""

    def __init__(self, error: Exception | None = None) -> None:
        super().__init__()
        self.unlocked = False
        self.error = error or KeyringLocked("Failed to unlock the collection!")

    def _check(self) -> None:
        if not self.unlocked:
            raise self.error

    def get_password(self, service: str, username: str) -> str | None:
        self._check()
        return super().get_password(service, username)

    def set_password(self, service: str, username: str, password: str) -> None:
        self._check()
        super().set_password(service, username, password)


def prompt_dismissed() -> LockedKeyring:
    return LockedKeyring(InitError("Prompt dismissed"))


class DBusBrokenKeyring(MemoryKeyring):
    """secretstorage/jeepney failures surface as RuntimeError."""

    def get_password(self, service: str, username: str) -> str | None:
        raise RuntimeError("org.freedesktop.DBus.Error.ServiceUnknown")

    set_password = get_password  # type: ignore[assignment]


class SleepyKeyring(MemoryKeyring):
    """Never answers (an unlock prompt nobody sees) until the test releases it."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.calls = 0

    def get_password(self, service: str, username: str) -> str | None:
        self.calls += 1
        self.release.wait(30)
        return super().get_password(service, username)

    def set_password(self, service: str, username: str, password: str) -> None:
        self.calls += 1
        self.release.wait(30)
        super().set_password(service, username, password)


class PromptingKeyring(KeyringBackend):
    """Like keyrings.alt EncryptedKeyring: asks for a password on the terminal."""

    priority = 0.5  # type: ignore[assignment]
    calls = 0

    def get_password(self, service: str, username: str) -> str | None:
        type(self).calls += 1
        return input("Please enter password for encrypted keyring: ")

    def set_password(self, service: str, username: str, password: str) -> None:
        type(self).calls += 1
        input("Please set a password for your new keyring: ")

    def delete_password(self, service: str, username: str) -> None:
        type(self).calls += 1


class FakeAltPlaintext(MemoryKeyring):
    """Stands in for keyrings.alt.file.PlaintextKeyring (base64 in a file, priority .5)."""

    calls = 0

    def get_password(self, service: str, username: str) -> str | None:
        type(self).calls += 1
        return super().get_password(service, username)


FakeAltPlaintext.__module__ = "keyrings.alt.file"


class JsonFileKeyring(KeyringBackend):
    """A keyring for subprocess tests: PYTHON_KEYRING_BACKEND=tests.keys.backends.JsonFileKeyring
    with the file named by FREECHAT_TEST_KEYRING_FILE (lets `freechat keys` run for real)."""

    priority = 1  # type: ignore[assignment]

    @property
    def path(self) -> Path:
        return Path(os.environ["FREECHAT_TEST_KEYRING_FILE"])

    def _load(self) -> dict[str, str]:
        try:
            return dict(json.loads(self.path.read_text()))
        except FileNotFoundError:
            return {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}/{username}"] = password
        self.path.write_text(json.dumps(data))

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if data.pop(f"{service}/{username}", None) is None:
            raise PasswordDeleteError("not found")
        self.path.write_text(json.dumps(data))
