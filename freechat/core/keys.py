"""Where a provider's key comes from: env var > OS keyring > session memory.

This module is the single door to keys. The OS keyring part (thread + timeout, backend
classification, write-verify) lives in `keyring_store.py` and is optional: without it, or with
no usable keyring, env vars and keys entered for the session still work.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from freechat.core.catalog import ProviderSpec
from freechat.core.errors import MissingKey
from freechat.core.secret import Secret

SOURCE_ENV = "env"
SOURCE_KEYRING = "keyring"
SOURCE_SESSION = "session"
SOURCE_FILE = "file"
SOURCE_NONE = "missing"
SOURCE_NOT_NEEDED = "not needed"


@dataclass(frozen=True)
class KeyLookup:
    secret: Secret | None
    source: str  # env | keyring | session | file | missing | not needed
    detail: str = ""  # e.g. the env var name

    @property
    def found(self) -> bool:
        return self.secret is not None


class KeyBackend(Protocol):
    """A persistent key store (the OS keyring, or an opt-in 0600 file)."""

    source: str

    def get(self, provider_id: str) -> Secret | None: ...


class KeyStore:
    def __init__(
        self,
        environ: Mapping[str, str] | None = None,
        backends: list[KeyBackend] | None = None,
    ) -> None:
        self._environ = os.environ if environ is None else environ
        self._backends = list(backends or [])
        self._session: dict[str, Secret] = {}

    def env_names(self, spec: ProviderSpec) -> tuple[str, ...]:
        return (f"{spec.env_prefix}_KEY", *spec.key_envs)

    def lookup(self, spec: ProviderSpec) -> KeyLookup:
        for name in self.env_names(spec):
            value = self._environ.get(name, "").strip()
            if value:
                return KeyLookup(Secret(value), SOURCE_ENV, name)
        for backend in self._backends:
            secret = backend.get(spec.id)
            if secret is not None:
                return KeyLookup(secret, backend.source)
        if spec.id in self._session:
            return KeyLookup(self._session[spec.id], SOURCE_SESSION)
        if not spec.needs_key:
            return KeyLookup(None, SOURCE_NOT_NEEDED)
        return KeyLookup(None, SOURCE_NONE)

    def remember_for_session(self, provider_id: str, secret: Secret) -> None:
        self._session[provider_id] = secret

    def require(self, spec: ProviderSpec) -> Secret | None:
        """The key, None for keyless providers, or MissingKey with what to do."""
        found = self.lookup(spec)
        if found.found or found.source == SOURCE_NOT_NEEDED:
            return found.secret
        env = spec.key_envs[0] if spec.key_envs else f"{spec.env_prefix}_KEY"
        raise MissingKey(
            "no API key", provider=spec.id,
            hint=f"set {env} or run `freechat keys set {spec.id}`"
            + (f" (get one at {spec.signup_url})" if spec.signup_url else ""),
        )
