"""Which models each provider offers: a cache that fills the picker before any network call.

`cached(provider)` NEVER touches the network: it reads the cache file under
`<state>/cache/models/` or, when there is none, the offline catalog bundled with freechat
(`core/data/model_catalog.json`, dated). `refresh(provider, client)` asks the provider,
applies its free filter (providers/model_lists.py) and rewrites the cache atomically.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import httpx

from freechat.core.fsutil import atomic_write
from freechat.core.models import ModelInfo, ModelRef
from freechat.core.runtime import Runtime

SCHEMA = 1
SOURCE_CACHE = "cache"
SOURCE_CATALOG = "catalog"
SOURCE_NONE = "none"
SOURCE_LIVE = "live"


@dataclass(frozen=True)
class Listing:
    """Models of one provider and where they came from (`live`, `cache`, `catalog`, `none`)."""

    provider: str
    models: list[ModelInfo]
    source: str
    fetched_at: str | None = None  # ISO time of the fetch, or the catalog's date


def model_from_json(provider: str, data: Any) -> ModelInfo | None:
    """One cached/bundled entry back into a ModelInfo; None for anything malformed."""
    if not isinstance(data, dict):
        return None
    model = data.get("model")
    if not isinstance(model, str) or not model:
        return None
    context = data.get("context_length")
    return ModelInfo(
        ref=ModelRef(provider, model),
        name=str(data.get("name") or model),
        tier=str(data.get("tier") or "free"),
        context_length=context if isinstance(context, int) and not isinstance(context, bool)
        else None,
        reasoning=data.get("reasoning") is True,
    )


def _parse_models(provider: str, entries: Any) -> list[ModelInfo]:
    if not isinstance(entries, list):
        return []
    models = (model_from_json(provider, entry) for entry in entries)
    return [m for m in models if m is not None]


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds").replace(
        "+00:00", "Z")


@cache
def bundled_catalog() -> dict[str, Any]:
    """The offline catalog shipped inside the package (read once)."""
    try:
        raw = resources.files("freechat.core").joinpath("data/model_catalog.json").read_bytes()
        data = json.loads(raw)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def catalog_models(provider: str) -> list[ModelInfo]:
    providers = bundled_catalog().get("providers")
    entries = providers.get(provider) if isinstance(providers, dict) else None
    return _parse_models(provider, entries)


def catalog_date() -> str | None:
    generated = bundled_catalog().get("generated")
    return generated if isinstance(generated, str) else None


class ModelDirectory:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    @property
    def cache_dir(self) -> Path:
        return self.runtime.paths.cache_dir / "models"

    def cache_file(self, provider_id: str) -> Path:
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", provider_id) or "_"
        return self.cache_dir / f"{safe}.json"

    def _read_cache(self, provider_id: str) -> Listing | None:
        try:
            data = json.loads(self.cache_file(provider_id).read_bytes())
        except (OSError, ValueError):
            return None  # missing or unreadable: the catalog takes over
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            return None
        fetched = data.get("fetched_at")
        return Listing(provider_id, _parse_models(provider_id, data.get("models")),
                       SOURCE_CACHE, fetched if isinstance(fetched, str) else None)

    def listing(self, provider_id: str) -> Listing:
        """What `cached` returns, with its source. No network."""
        found = self._read_cache(provider_id)
        if found is not None:
            return found
        models = catalog_models(provider_id)
        if models:
            return Listing(provider_id, models, SOURCE_CATALOG, catalog_date())
        return Listing(provider_id, [], SOURCE_NONE)

    def cached(self, provider_id: str) -> list[ModelInfo]:
        return self.listing(provider_id).models

    def store(self, provider_id: str, models: list[ModelInfo], now: float | None = None) -> str:
        fetched_at = _iso(time.time() if now is None else now)
        payload = {
            "schema": SCHEMA,
            "provider": provider_id,
            "fetched_at": fetched_at,
            "models": [
                {"model": m.ref.model, "name": m.name, "tier": m.tier,
                 "context_length": m.context_length, "reasoning": m.reasoning}
                for m in models
            ],
        }
        text = json.dumps(payload, ensure_ascii=False, indent=1) + "\n"
        atomic_write(self.cache_file(provider_id), text.encode("utf-8"))
        return fetched_at

    async def refresh(self, provider_id: str, client: httpx.AsyncClient) -> list[ModelInfo]:
        """Ask the provider (with its key when there is one), filter, cache, return."""
        adapter = self.runtime.adapter(provider_id, client, require_key=False)
        models = await adapter.list_models()
        self.store(provider_id, models)
        return models
