"""The main screen's calls into the core that must not block the event loop.

Key lookups can block on a locked keyring (RELIABILITY §0.2), so they run in a thread with a
timeout; the adapter is built in a thread for the same reason (it looks the key up). Local
server detection loads httpx (and makes the app's lazy client) in a thread too.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
from typing import TYPE_CHECKING, Any

from freechat.core.catalog import LOCAL_PROVIDERS
from freechat.core.errors import AuthError, FreechatError, MissingKey
from freechat.core.model_directory import ModelDirectory
from freechat.core.models import ModelInfo
from freechat.core.runtime import Runtime
from freechat.ui.widgets.model_picker import ProviderEntry

if TYPE_CHECKING:
    from freechat.core.keys import KeyLookup

KEY_LOOKUP_TIMEOUT = 10.0  # seconds; a locked keyring must not hang the UI


def shown_providers(runtime: Runtime, initial_model: str | None) -> list[ProviderEntry]:
    """The picker's providers at start: local servers appear once detected (or when
    configured, or asked for by -m)."""
    config = runtime.config
    wanted = (initial_model or "").partition("/")[0]
    entries = []
    for pid in config.all_provider_ids():
        if pid in LOCAL_PROVIDERS and pid not in config.providers and pid != wanted:
            continue
        spec = runtime.spec(pid)
        entries.append(ProviderEntry(pid, spec.name, spec.tier))
    return entries


async def lookup_key(runtime: Runtime, provider_id: str) -> KeyLookup | None:
    """Where the provider's key comes from; None when the keyring does not answer."""
    spec = runtime.spec(provider_id)
    try:
        return await asyncio.wait_for(
            asyncio.to_thread(runtime.keys.lookup, spec), KEY_LOOKUP_TIMEOUT
        )
    except (FreechatError, TimeoutError):
        return None


async def load_models(
    runtime: Runtime, client: Any, directory: ModelDirectory, provider_id: str
) -> list[ModelInfo]:
    """The provider's live model list (cached for next time). A 401 without any key is
    reported as MissingKey: "no key" says what to do, "key rejected" would mislead."""
    spec = runtime.spec(provider_id)
    found = await lookup_key(runtime, provider_id)
    adapter = await asyncio.to_thread(runtime.adapter, provider_id, client, require_key=False)
    try:
        models = await adapter.list_models()
    except AuthError:
        if found is not None and not found.found and spec.needs_key:
            raise MissingKey("no API key", provider=provider_id) from None
        raise
    with contextlib.suppress(OSError):  # the cache is a convenience, not a must
        await asyncio.to_thread(directory.store, provider_id, models)
    return models


async def detect_local(runtime: Runtime, client: Any) -> list[Any]:
    """Local model servers that answer (core/local_detect.py); never raises."""
    if client is None:
        return []
    module = await asyncio.to_thread(importlib.import_module, "freechat.core.local_detect")
    warm = getattr(client, "warm", None)  # the app's client is made on first use
    if callable(warm):
        await asyncio.to_thread(warm)
    servers: list[Any] = await module.detect_local_servers(client, runtime.config,
                                                           runtime.environ)
    return servers
