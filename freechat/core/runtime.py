"""The composition of core objects from the environment: paths, config, keys, adapters.

The CLI and the app both start from a `Runtime`. Building one reads the config file but
touches neither the network nor the keyring.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from freechat import __version__
from freechat.core.catalog import ProviderSpec
from freechat.core.config import Config, load_config
from freechat.core.errors import UsageError
from freechat.core.models import ModelRef
from freechat.core.paths import Paths
from freechat.core.secret import Secret

if TYPE_CHECKING:  # httpx and the adapters load on first use: the app's first frame needs neither
    import httpx

    from freechat.core.keys import KeyStore
    from freechat.core.providers.base import HTTPAdapter


@dataclass
class Runtime:
    paths: Paths
    config: Config
    # repr=False: the environment holds provider keys, and reprs end up in tracebacks.
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ, repr=False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Runtime:
        env = os.environ if environ is None else environ
        paths = Paths.from_env(env)
        config = load_config(paths.config_file)
        return cls(paths=paths, config=config, environ=env)

    @cached_property
    def keys(self) -> KeyStore:
        """Where keys come from; made (and its modules loaded) when first asked for: the app
        looks keys up only after its first frame."""
        from freechat.core.keys import KeyStore

        try:  # the keyring layer is optional (see core/keys.py)
            from freechat.core.keyring_store import default_backends
        except ImportError:
            return KeyStore(self.environ)
        return KeyStore(self.environ, default_backends(self.environ))

    def spec(self, provider_id: str) -> ProviderSpec:
        spec = self.config.provider_spec(provider_id)
        if spec is None:
            known = ", ".join(self.config.all_provider_ids())
            raise UsageError(f"unknown provider '{provider_id}'", hint=f"known: {known}")
        return spec

    def resolve_model(self, text: str | None) -> ModelRef:
        text = text or self.environ.get("FREECHAT_MODEL") or self.config.default_model
        if not text:
            raise UsageError(
                "no model given", hint="pass -m provider/model (see `freechat models --free`)"
            )
        ref = ModelRef.parse(text) if "/" in text else None
        if ref is None or self.config.provider_spec(ref.provider) is None:
            raise UsageError(
                f"'{text}' does not start with a provider id",
                hint="write provider/model, e.g. openrouter/" + text
                + "; providers: " + ", ".join(self.config.all_provider_ids()),
            )
        return ref

    def make_client(self) -> httpx.AsyncClient:
        import httpx

        # No redirects (credentials must not follow them); env proxies are honoured.
        return httpx.AsyncClient(
            follow_redirects=False, timeout=httpx.Timeout(30.0),
            headers={"User-Agent": f"freechat/{__version__}"},
        )

    def adapter(
        self, provider_id: str, client: httpx.AsyncClient, *, require_key: bool = True,
        key: Secret | None = None,
    ) -> HTTPAdapter:
        """`key` overrides the stored one (to validate a key before saving it)."""
        from freechat.core.providers import build_adapter

        spec = self.spec(provider_id)
        if key is None:
            key = self.keys.require(spec) if require_key else self.keys.lookup(spec).secret
        return build_adapter(
            spec, base_url=self.config.base_url(provider_id, self.environ), key=key, client=client,
            timeouts=self.config.timeouts, clock=time.time, environ=self.environ,
        )
