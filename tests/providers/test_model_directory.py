"""ModelDirectory: `cached` never touches the network (cache file, else the bundled catalog);
`refresh` fetches, filters and rewrites the cache atomically. Plus the bundled catalog itself."""

from __future__ import annotations

import json
import stat

import httpx
import pytest

from freechat.core.catalog import DESIGN_PROVIDERS, LOCAL_PROVIDERS, PROVIDERS
from freechat.core.errors import ProviderError
from freechat.core.model_directory import (
    SOURCE_CACHE,
    SOURCE_CATALOG,
    ModelDirectory,
    bundled_catalog,
    catalog_models,
)
from freechat.core.runtime import Runtime
from freechat.core.secret import Secret
from tests.fakes.model_lists import FIREWORKS_ALL, FIREWORKS_CONTROL, LISTS
from tests.fakes.server import FakeResponse
from tests.providers.profiles import PROFILES
from tests.providers.test_contract import adapter_for


@pytest.fixture
def runtime(monkeypatch, fake_server) -> Runtime:
    for pid in ("openrouter", "groq"):
        monkeypatch.setenv(f"FREECHAT_{pid.upper()}_BASE_URL",
                           PROFILES[pid].base_url(fake_server))
    return Runtime.from_env()


def test_bundled_catalog_is_dated_and_honest():
    assert isinstance(bundled_catalog().get("generated"), str)
    for pid in DESIGN_PROVIDERS:
        models = catalog_models(pid)
        assert bool(models) == (pid not in LOCAL_PROVIDERS), pid
        spec = PROVIDERS[pid]
        if spec.tier in ("paid", "trial-credit"):  # never presented as free
            assert not any(m.is_free for m in models), pid
        assert all(m.tier in ("free", "trial-credit", "paid") for m in models)


def test_cached_without_a_cache_is_the_catalog_and_offline(runtime, fake_server):
    directory = ModelDirectory(runtime)
    listing = directory.listing("openrouter")
    assert listing.source == SOURCE_CATALOG and listing.fetched_at
    assert directory.cached("openrouter") == listing.models
    assert fake_server.requests == []


async def test_refresh_writes_a_private_cache_that_cached_then_reads(runtime, fake_server):
    _path, payload, everything, _ = LISTS["openrouter"]
    fake_server.route("GET", PROFILES["openrouter"].models_path(), FakeResponse.json(payload))
    directory = ModelDirectory(runtime)
    async with httpx.AsyncClient() as client:
        models = await directory.refresh("openrouter", client)
    assert {m.ref.model for m in models} == everything
    cache = directory.cache_file("openrouter")
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    assert json.loads(cache.read_text())["schema"] == 1
    listing = directory.listing("openrouter")
    assert listing.source == SOURCE_CACHE and listing.models == models
    assert [m.is_free for m in listing.models] == [m.is_free for m in models]


async def test_a_failed_refresh_keeps_the_old_cache(runtime, fake_server):
    directory = ModelDirectory(runtime)
    _, payload, everything, _ = LISTS["groq"]
    fake_server.route("GET", PROFILES["groq"].models_path(), FakeResponse.json(payload))
    runtime.keys.remember_for_session("groq", Secret("gsk_" + "x" * 52))
    async with httpx.AsyncClient() as client:
        await directory.refresh("groq", client)
        fake_server.route("GET", PROFILES["groq"].models_path(),
                          FakeResponse.text("<html>down</html>", 502))
        with pytest.raises(ProviderError):
            await directory.refresh("groq", client)
    assert {m.ref.model for m in directory.cached("groq")} == everything


def test_corrupt_cache_falls_back_to_the_catalog(runtime):
    directory = ModelDirectory(runtime)
    directory.cache_file("mistral").parent.mkdir(parents=True, exist_ok=True)
    directory.cache_file("mistral").write_text("{not json")
    assert directory.listing("mistral").source == SOURCE_CATALOG


async def test_fireworks_lists_serverless_models_from_the_control_plane(fake_server):
    profile = PROFILES["fireworks"]
    fake_server.route("GET", "/v1/accounts/fireworks/models", FakeResponse.json(FIREWORKS_CONTROL))
    async with httpx.AsyncClient() as client:
        models = await adapter_for(profile, fake_server, client).list_models()
    assert {m.ref.model for m in models} == FIREWORKS_ALL
    assert all(m.tier == "trial-credit" and not m.is_free for m in models)
    sent = fake_server.requests[-1]
    assert sent.query["filter"] == ["supports_serverless=true"]
    assert sent.headers["authorization"] == f"Bearer {profile.key}"


async def test_fireworks_without_a_control_plane_uses_the_plain_list(fake_server):
    profile = PROFILES["fireworks"]
    fake_server.route("GET", "/inference/v1/models", FakeResponse.json(
        {"data": [{"id": "accounts/fireworks/models/qwen3-8b"}]}))
    async with httpx.AsyncClient() as client:
        models = await adapter_for(profile, fake_server, client).list_models()
    assert [m.ref.model for m in models] == ["accounts/fireworks/models/qwen3-8b"]
    assert not models[0].is_free
