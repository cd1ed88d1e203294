"""Find model servers running on this machine: Ollama, LM Studio, llama.cpp (fact sheet B §9).

All probes run concurrently, each bounded by a short timeout (0.3 s by default), and nothing
here ever raises: a server that is absent, slow or odd is simply not found. Callers run it in
the background so it never delays startup. Each server is probed at its provider's base URL
(`FREECHAT_OLLAMA_BASE_URL`, `FREECHAT_LMSTUDIO_BASE_URL`, `FREECHAT_LLAMACPP_BASE_URL`, or
config), so tests can point detection at a fake server. `FREECHAT_LOCAL_DETECT=0` turns it off.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from freechat.core.catalog import PROVIDERS, resolve_base_url
from freechat.core.config import Config
from freechat.core.models import TIER_LOCAL, ModelInfo, ModelRef

DEFAULT_TIMEOUT = 0.3
SAFETY_MARGIN = 1.5  # seconds on top of two request timeouts; see bounded()
DISABLE_ENV = "FREECHAT_LOCAL_DETECT"


@dataclass(frozen=True)
class LocalServer:
    provider: str  # the provider id to chat through: ollama | lmstudio | llamacpp
    base_url: str  # the OpenAI-compatible base (…/v1)
    models: tuple[ModelInfo, ...]
    version: str | None = None


def _root(base_url: str) -> str:
    return base_url.rstrip("/").removesuffix("/v1")


async def _get(client: httpx.AsyncClient, url: str, timeout: float) -> tuple[int, Any]:
    """(status, decoded JSON or None); (0, None) when unreachable or too slow."""
    try:
        response = await client.get(url, timeout=timeout, follow_redirects=False)
    except (httpx.HTTPError, OSError):
        return 0, None
    try:
        return response.status_code, response.json()
    except ValueError:
        return response.status_code, None


def _infos(provider: str, ids: list[str]) -> tuple[ModelInfo, ...]:
    unique = list(dict.fromkeys(i for i in ids if i))
    return tuple(ModelInfo(ModelRef(provider, i), name=i, tier=TIER_LOCAL) for i in unique)


def _openai_ids(payload: Any) -> list[str]:
    data = payload.get("data") if isinstance(payload, dict) else None
    return [str(m["id"]) for m in data or [] if isinstance(m, dict) and m.get("id")]


async def probe_ollama(client: httpx.AsyncClient, base_url: str,
                       timeout: float) -> LocalServer | None:
    root = _root(base_url)
    status, payload = await _get(client, f"{root}/api/version", timeout)
    if status != 200 or not isinstance(payload, dict) or "version" not in payload:
        return None
    _, tags = await _get(client, f"{root}/api/tags", timeout)
    entries = tags.get("models") if isinstance(tags, dict) else None
    ids = [str(m.get("model") or m.get("name") or "") for m in entries or []
           if isinstance(m, dict)]
    return LocalServer("ollama", base_url, _infos("ollama", ids), str(payload["version"]))


async def probe_lmstudio(client: httpx.AsyncClient, base_url: str,
                         timeout: float) -> LocalServer | None:
    root = _root(base_url)
    status, payload = await _get(client, f"{root}/api/v0/models", timeout)
    if status == 200 and isinstance(payload, dict) and isinstance(payload.get("data"), list):
        ids = [str(m.get("id") or "") for m in payload["data"]
               if isinstance(m, dict) and m.get("type", "llm") in ("llm", "vlm")]
        return LocalServer("lmstudio", base_url, _infos("lmstudio", ids))
    status, payload = await _get(client, f"{root}/v1/models", timeout)
    if status == 200 and isinstance(payload, dict) and isinstance(payload.get("data"), list):
        ids = [i for i in _openai_ids(payload) if "embed" not in i.lower()]
        return LocalServer("lmstudio", base_url, _infos("lmstudio", ids))
    return None


async def probe_llamacpp(client: httpx.AsyncClient, base_url: str,
                         timeout: float) -> LocalServer | None:
    root = _root(base_url)
    status, payload = await _get(client, f"{root}/health", timeout)
    loading = status == 503  # "Loading model": there, but not ready yet
    if not loading and (status != 200 or not isinstance(payload, dict)
                        or payload.get("status") != "ok"):
        return None
    _, models = await _get(client, f"{root}/v1/models", timeout)
    return LocalServer("llamacpp", base_url, _infos("llamacpp", _openai_ids(models)))


PROBES: dict[str, Callable[[httpx.AsyncClient, str, float], Awaitable[LocalServer | None]]] = {
    "ollama": probe_ollama,
    "lmstudio": probe_lmstudio,
    "llamacpp": probe_llamacpp,
}


async def detect_local_servers(
    client: httpx.AsyncClient,
    config: Config | None = None,
    environ: Mapping[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> list[LocalServer]:
    """Every local server that answered, in PROBES order; never raises."""
    env = os.environ if environ is None else environ
    if env.get(DISABLE_ENV, "").strip().lower() in ("0", "false", "no", "off"):
        return []
    urls: dict[str, str] = {}
    for pid in PROBES:
        conf = config.providers.get(pid) if config else None
        urls[pid] = resolve_base_url(PROVIDERS[pid], conf.base_url if conf else None, env)

    async def bounded(pid: str) -> LocalServer | None:
        try:
            # Each request has its own timeout; this bound is only a safety net. It is loose
            # on purpose: it runs on the app's event loop while the first frames render, and a
            # tight bound there once cancelled a live Ollama between its two answers.
            return await asyncio.wait_for(PROBES[pid](client, urls[pid], timeout),
                                          2 * timeout + SAFETY_MARGIN)
        except (TimeoutError, httpx.HTTPError, OSError):
            return None

    found = await asyncio.gather(*(bounded(pid) for pid in PROBES))
    servers: list[LocalServer] = []
    claimed: set[str] = set()
    for server in found:
        # One server answering at two configured URLs is reported once (first probe wins).
        if server is not None and _root(server.base_url) not in claimed:
            claimed.add(_root(server.base_url))
            servers.append(server)
    return servers


async def detect_local_models(
    client: httpx.AsyncClient,
    config: Config | None = None,
    environ: Mapping[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> list[ModelInfo]:
    servers = await detect_local_servers(client, config, environ, timeout)
    return [model for server in servers for model in server.models]
