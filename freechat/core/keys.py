"""Where a provider's key comes from: env var > OS keyring > opt-in key file > session memory.

This module is the single door to keys. The OS keyring part (thread + timeout, backend
classification, write-verify) lives in `keyring_store.py` and is optional: without it, or with
no usable keyring, env vars and keys entered for the session still work. The 0600 key file
is written only when the user explicitly asks for it (`keys set ID --insecure-file`).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from freechat.core.catalog import ProviderSpec
from freechat.core.errors import FreechatError, MissingKey
from freechat.core.secret import Secret

SOURCE_ENV = "env"
SOURCE_KEYRING = "keyring"
SOURCE_SESSION = "session"
SOURCE_FILE = "file"
SOURCE_NONE = "missing"
SOURCE_NOT_NEEDED = "not needed"

FILE_WARNING = (
    "the key is stored unencrypted in a 0600 file; anyone who can read your files as you "
    "can read it"
)


class KeyStoreUnavailable(FreechatError):
    """No usable place to keep a key (no/locked/slow/insecure keyring, unwritable file).

    `reason`: no-keyring | null | bad-env | locked | timeout | error | write-verify | insecure
    | file. The key the user typed is never discarded because of it (kept for the session).
    """

    default_title = "Keyring unavailable"

    def __init__(self, message: str, *, reason: str = "error", hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.reason = reason


@dataclass(frozen=True)
class KeyLookup:
    secret: Secret | None
    source: str  # env | keyring | session | file | missing | not needed
    detail: str = ""  # e.g. the env var name

    @property
    def found(self) -> bool:
        return self.secret is not None

    @property
    def masked(self) -> str:
        """At most the last four characters ("…wxyz"), for lists and status lines."""
        if self.secret is None:
            return ""
        return f"…{self.secret.last4}" if self.secret.last4 else "…"


@dataclass(frozen=True)
class SaveResult:
    source: str  # where the key now lives: keyring | file | session
    note: str = ""  # why it is not where the user wanted it, or a warning
    shadowed_by: str = ""  # an env var that wins over the saved key


@dataclass(frozen=True)
class DeleteResult:
    removed: tuple[str, ...] = ()  # sources a key was removed from
    env_name: str = ""  # still set in the environment (we cannot unset it)
    problems: tuple[str, ...] = field(default_factory=tuple)


class KeyBackend(Protocol):
    """A persistent key store (the OS keyring, or an opt-in 0600 file)."""

    source: str

    def get(self, provider_id: str) -> Secret | None: ...

    def set(self, provider_id: str, secret: Secret) -> None: ...

    def delete(self, provider_id: str) -> bool: ...


class KeyStore:
    def __init__(
        self,
        environ: Mapping[str, str] | None = None,
        backends: list[KeyBackend] | None = None,
    ) -> None:
        self._environ = os.environ if environ is None else environ
        self._backends = list(backends or [])
        self._session: dict[str, Secret] = {}
        self._notice_given = False

    def __repr__(self) -> str:
        sources = ", ".join(b.source for b in self._backends)
        return f"KeyStore(backends=[{sources}], session={sorted(self._session)})"

    def backend(self, source: str) -> KeyBackend | None:
        return next((b for b in self._backends if b.source == source), None)

    # --- reading -----------------------------------------------------------------------
    def env_names(self, spec: ProviderSpec) -> tuple[str, ...]:
        return (f"{spec.env_prefix}_KEY", *spec.key_envs)

    def env_key(self, spec: ProviderSpec) -> KeyLookup | None:
        for name in self.env_names(spec):
            value = self._environ.get(name, "").strip()
            if value:
                return KeyLookup(Secret(value), SOURCE_ENV, name)
        return None

    def lookup(self, spec: ProviderSpec) -> KeyLookup:
        """Where the key comes from now. A failing keyring is skipped (its status says why)."""
        from_env = self.env_key(spec)
        if from_env is not None:
            return from_env
        for backend in self._backends:
            try:
                secret = backend.get(spec.id)
            except KeyStoreUnavailable:
                continue
            if secret is not None:
                return KeyLookup(secret, backend.source)
        if spec.id in self._session:
            return KeyLookup(self._session[spec.id], SOURCE_SESSION)
        if not spec.needs_key:
            return KeyLookup(None, SOURCE_NOT_NEEDED)
        return KeyLookup(None, SOURCE_NONE)

    def entries(self, specs: Iterable[ProviderSpec]) -> list[tuple[ProviderSpec, KeyLookup]]:
        """Every provider with where its key comes from (blocking: run it off the UI loop)."""
        return [(spec, self.lookup(spec)) for spec in specs]

    preload = entries  # the app calls this in a thread at start, so later lookups are cached

    def has_any_key(self, specs: Iterable[ProviderSpec]) -> bool:
        return any(found.found for _, found in self.entries(specs))

    def require(self, spec: ProviderSpec) -> Secret | None:
        """The key, None for keyless providers, or MissingKey with what to do."""
        found = self.lookup(spec)
        if found.found or found.source == SOURCE_NOT_NEEDED:
            return found.secret
        env = spec.key_envs[0] if spec.key_envs else f"{spec.env_prefix}_KEY"
        hint = f"set {env} or run `freechat keys set {spec.id}`"
        if spec.signup_url:
            hint += f" (get one at {spec.signup_url})"
        status = self.keyring_status()
        if status is not None and status.usable:
            # KWallet and friends answer "nothing" while locked (jaraco/keyring#327).
            hint += "; if you saved one, make sure your keyring (e.g. KWallet) is unlocked"
        raise MissingKey("no API key", provider=spec.id, hint=hint)

    # --- the keyring's state -------------------------------------------------------------
    def keyring_status(self) -> Any:
        """The keyring backend's `KeyringStatus`, or None when there is no keyring layer."""
        keyring = self.backend(SOURCE_KEYRING)
        return keyring.status() if keyring is not None and hasattr(keyring, "status") else None

    def notice(self) -> str | None:
        """One plain sentence when keys cannot be saved in the OS keyring, else None."""
        status = self.keyring_status()
        if status is None:
            return "No OS keyring support: keys are kept for this session only (or use env vars)"
        return None if status.usable else str(status.detail)

    def take_notice(self) -> str | None:
        """`notice()` the first time only, so it is stated once."""
        if self._notice_given:
            return None
        self._notice_given = True
        return self.notice()

    def retry_keyring(self) -> None:
        keyring = self.backend(SOURCE_KEYRING)
        if keyring is not None and hasattr(keyring, "retry"):
            keyring.retry()

    # --- writing -----------------------------------------------------------------------
    def remember_for_session(self, provider_id: str, secret: Secret) -> None:
        self._session[provider_id] = secret

    def save(self, spec: ProviderSpec, secret: Secret, *, to_file: bool = False) -> SaveResult:
        """Keep `secret` in the keyring (or the opt-in file); never lose it: the session
        keeps it whenever neither can. Blocking: run it in a thread from the UI."""
        from_env = self.env_key(spec)
        shadow = from_env.detail if from_env is not None else ""
        if to_file:
            backend = self.backend(SOURCE_FILE)
            if backend is None:
                self.remember_for_session(spec.id, secret)
                return SaveResult(SOURCE_SESSION, "no key file is configured", shadow)
            try:
                backend.set(spec.id, secret)
            except KeyStoreUnavailable as problem:
                self.remember_for_session(spec.id, secret)
                return SaveResult(SOURCE_SESSION, problem.one_line(), shadow)
            self._session.pop(spec.id, None)
            return SaveResult(SOURCE_FILE, FILE_WARNING, shadow)
        keyring = self.backend(SOURCE_KEYRING)
        if keyring is None:
            self.remember_for_session(spec.id, secret)
            return SaveResult(SOURCE_SESSION, self.notice() or "", shadow)
        try:
            keyring.set(spec.id, secret)
        except KeyStoreUnavailable as problem:
            self.remember_for_session(spec.id, secret)
            return SaveResult(SOURCE_SESSION, problem.one_line(), shadow)
        self._session.pop(spec.id, None)
        stale = self.backend(SOURCE_FILE)
        if stale is not None:  # the keyring copy wins; drop the plaintext one
            with contextlib.suppress(KeyStoreUnavailable):
                stale.delete(spec.id)
        return SaveResult(SOURCE_KEYRING, "", shadow)

    def delete(self, spec: ProviderSpec) -> DeleteResult:
        """Remove the key from the keyring, the key file and the session (blocking)."""
        removed: list[str] = []
        problems: list[str] = []
        for backend in self._backends:
            try:
                if backend.delete(spec.id):
                    removed.append(backend.source)
            except KeyStoreUnavailable as problem:
                problems.append(problem.one_line())
        if self._session.pop(spec.id, None) is not None:
            removed.append(SOURCE_SESSION)
        from_env = self.env_key(spec)
        return DeleteResult(tuple(removed), from_env.detail if from_env else "", tuple(problems))


def child_environ(
    environ: Mapping[str, str], specs: Iterable[ProviderSpec]
) -> dict[str, str]:
    """A copy of `environ` without any provider key variable, for editors and pagers (S10)."""
    names = {name for spec in specs for name in (f"{spec.env_prefix}_KEY", *spec.key_envs)}
    return {
        name: value for name, value in environ.items()
        if name not in names and not (name.startswith("FREECHAT_") and name.endswith("_KEY"))
    }
