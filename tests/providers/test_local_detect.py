"""Local server detection (Ollama, LM Studio, llama.cpp) against fake servers: each found by its
own probe, models labelled `local`, and nothing ever raised or waited on for long."""

from __future__ import annotations

import httpx

from freechat.core.local_detect import detect_local_models, detect_local_servers
from tests.fakes.server import FakeProviderServer, FakeResponse


def env_for(**servers: FakeProviderServer | str) -> dict[str, str]:
    env = {"FREECHAT_OLLAMA_BASE_URL": "http://127.0.0.1:9/v1",
           "FREECHAT_LMSTUDIO_BASE_URL": "http://127.0.0.1:9/v1",
           "FREECHAT_LLAMACPP_BASE_URL": "http://127.0.0.1:9/v1"}
    for pid, server in servers.items():
        url = server if isinstance(server, str) else server.url + "/v1"
        env[f"FREECHAT_{pid.upper()}_BASE_URL"] = url
    return env


def ollama(server: FakeProviderServer) -> None:
    server.route("GET", "/api/version", FakeResponse.json({"version": "0.12.3"}))
    server.route("GET", "/api/tags", FakeResponse.json({"models": [
        {"name": "llama3.2:latest", "model": "llama3.2:latest", "size": 2019393189,
         "details": {"family": "llama", "parameter_size": "3.2B"}},
        {"name": "qwen3:8b", "model": "qwen3:8b"}]}))


def lmstudio(server: FakeProviderServer) -> None:
    server.route("GET", "/api/v0/models", FakeResponse.json({"object": "list", "data": [
        {"id": "qwen2.5-7b-instruct", "object": "model", "type": "llm", "state": "loaded"},
        {"id": "text-embedding-nomic-embed-text-v1.5", "object": "model",
         "type": "embeddings"}]}))


def llamacpp(server: FakeProviderServer, status: int = 200) -> None:
    health = {"status": "ok"} if status == 200 else {
        "error": {"code": 503, "message": "Loading model", "type": "unavailable_error"}}
    server.route("GET", "/health", FakeResponse.json(health, status))
    server.route("GET", "/v1/models", FakeResponse.json(
        {"object": "list", "data": [{"id": "gpt-oss-20b", "object": "model"}]}))


async def test_all_three_servers_are_found_with_their_models():
    with FakeProviderServer() as a, FakeProviderServer() as b, FakeProviderServer() as c:
        ollama(a)
        lmstudio(b)
        llamacpp(c)
        async with httpx.AsyncClient() as client:
            servers = await detect_local_servers(client, environ=env_for(
                ollama=a, lmstudio=b, llamacpp=c))
            models = await detect_local_models(client, environ=env_for(
                ollama=a, lmstudio=b, llamacpp=c))
    assert [s.provider for s in servers] == ["ollama", "lmstudio", "llamacpp"]
    assert servers[0].version == "0.12.3"
    assert {str(m.ref) for m in models} == {
        "ollama/llama3.2:latest", "ollama/qwen3:8b", "lmstudio/qwen2.5-7b-instruct",
        "llamacpp/gpt-oss-20b"}
    assert all(m.tier == "local" and m.is_free for m in models)


async def test_a_loading_llamacpp_server_is_still_found(fake_server):
    llamacpp(fake_server, status=503)
    async with httpx.AsyncClient() as client:
        servers = await detect_local_servers(client, environ=env_for(llamacpp=fake_server))
    assert [s.provider for s in servers] == ["llamacpp"]


async def test_nothing_running_finds_nothing_and_raises_nothing():
    async with httpx.AsyncClient() as client:
        assert await detect_local_servers(client, environ=env_for()) == []


async def test_a_server_that_never_answers_is_given_up_on(fake_server):
    fake_server.route("GET", "/api/version", FakeResponse(hang_before_headers=5))
    async with httpx.AsyncClient() as client:
        found = await detect_local_servers(client, environ=env_for(ollama=fake_server),
                                           timeout=0.1)
    assert found == []


async def test_an_unrelated_server_is_not_mistaken_for_one(fake_server):
    fake_server.route("GET", "/api/version", FakeResponse.text("<html>hi</html>", 200))
    async with httpx.AsyncClient() as client:
        found = await detect_local_servers(client, environ=env_for(
            ollama=fake_server, lmstudio=fake_server, llamacpp=fake_server))
    assert found == []


async def test_detection_can_be_turned_off(fake_server):
    ollama(fake_server)
    async with httpx.AsyncClient() as client:
        env = env_for(ollama=fake_server) | {"FREECHAT_LOCAL_DETECT": "0"}
        assert await detect_local_servers(client, environ=env) == []
    assert fake_server.requests == []
