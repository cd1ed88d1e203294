"""Adapters by wire protocol. `build_adapter` picks one from a ProviderSpec's `adapter` name."""

from __future__ import annotations

import importlib
import time
from collections.abc import Mapping

import httpx

from freechat.core.catalog import ProviderSpec
from freechat.core.config import Timeouts
from freechat.core.errors import ConfigError
from freechat.core.providers.base import Clock, HTTPAdapter
from freechat.core.secret import Secret

# adapter name -> "module:Class"; modules are imported only when a provider needs them.
ADAPTERS: dict[str, str] = {
    "openai_compat": "freechat.core.providers.openai_compat:OpenAICompatAdapter",
    "gemini": "freechat.core.providers.gemini:GeminiAdapter",
    "cloudflare": "freechat.core.providers.cloudflare:CloudflareAdapter",
}


def adapter_class(name: str) -> type[HTTPAdapter]:
    target = ADAPTERS.get(name)
    if target is None:
        raise ConfigError(
            f"unknown adapter '{name}'", hint=f"use one of: {', '.join(sorted(ADAPTERS))}"
        )
    module_name, _, class_name = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError:
        raise ConfigError(f"adapter '{name}' is not available in this version") from None
    cls: type[HTTPAdapter] = getattr(module, class_name)
    return cls


def build_adapter(
    spec: ProviderSpec,
    *,
    base_url: str,
    key: Secret | None,
    client: httpx.AsyncClient,
    timeouts: Timeouts | None = None,
    clock: Clock = time.time,
    environ: Mapping[str, str] | None = None,
) -> HTTPAdapter:
    """`environ` supplies provider settings that are not keys (e.g. the Cloudflare account
    id); by default adapters read os.environ."""
    cls = adapter_class(spec.adapter)
    adapter = cls(spec, base_url=base_url, key=key, client=client, timeouts=timeouts,
                  clock=clock)
    if environ is not None and hasattr(adapter, "environ"):
        adapter.environ = environ
    return adapter
