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
from pathlib import Path
from typing import TYPE_CHECKING

from freechat.core.catalog import (  # re-exported: the catalog lives with the provider table
    bundled_catalog,
    catalog_date,
    catalog_models,
    model_from_json,
    parse_models,
)
from freechat.core.fsutil import atomic_write
from freechat.core.models import ModelInfo
from freechat.core.runtime import Runtime

if TYPE_CHECKING:  # the app's first frame must not wait for httpx
    import httpx

__all__ = ["ModelDirectory", "bundled_catalog", "catalog_date", "catalog_models",
           "model_from_json"]
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


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds").replace(
        "+00:00", "Z")


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
        return Listing(provider_id, parse_models(provider_id, data.get("models")),
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
