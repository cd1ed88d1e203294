"""Fixtures for compare tests: one fake server playing several models at different speeds.

`models_server` routes POST /chat/completions by the request body's `model`, so every column
of a comparison gets its own behaviour: FAST answers at once, SLOW drips its tokens, BROKEN
fails with a 502 (a provider error that is not retried... after the retries the guard allows).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from freechat.core.runtime import Runtime
from tests.conftest import TEST_KEY
from tests.fakes.openai_stream import openrouter_stream
from tests.fakes.server import FakeProviderServer, FakeResponse, RecordedRequest

FAST = "openrouter/fast/model:free"
SLOW = "openrouter/slow/model:free"
BROKEN = "openrouter/broken/model:free"
THIRD = "openrouter/third/model:free"

FAST_TEXT = ["Fast ", "answer."]
SLOW_TEXT = ["Slow ", "and ", "steady ", "answer."]
THIRD_TEXT = ["A ", "third ", "view."]
BROKEN_BODY = {"error": {"message": "model is not a valid model ID", "code": 400}}


def behaviours(slow_delay: float = 0.05) -> dict[str, Callable[[RecordedRequest], FakeResponse]]:
    return {
        "fast/model:free": lambda r: FakeResponse.sse(
            openrouter_stream(FAST_TEXT, model="fast/model:free", completion_tokens=2)),
        "slow/model:free": lambda r: FakeResponse.sse(
            openrouter_stream(SLOW_TEXT, model="slow/model:free", completion_tokens=4),
            delay=slow_delay),
        "third/model:free": lambda r: FakeResponse.sse(
            openrouter_stream(THIRD_TEXT, model="third/model:free", completion_tokens=3)),
        "broken/model:free": lambda r: FakeResponse.json(BROKEN_BODY, 400),
    }


def route_models(server: FakeProviderServer, table: dict[str, Callable[..., FakeResponse]]):
    def handler(request: RecordedRequest) -> FakeResponse:
        body = request.json() or {}
        chosen = table.get(body.get("model", ""))
        if chosen is None:
            return FakeResponse.json({"error": {"message": "no such model", "code": 404}}, 404)
        return chosen(request)

    server.route("POST", "/chat/completions", handler)


@pytest.fixture
def models_server(fake_server: FakeProviderServer, monkeypatch: pytest.MonkeyPatch):
    """The fake server as OpenRouter with FAST, SLOW, THIRD and BROKEN models; key set."""
    route_models(fake_server, behaviours())
    monkeypatch.setenv("FREECHAT_OPENROUTER_BASE_URL", fake_server.url)
    monkeypatch.setenv("OPENROUTER_API_KEY", TEST_KEY)
    return fake_server


@pytest.fixture
def runtime(models_server: FakeProviderServer) -> Runtime:
    return Runtime.from_env()


def cli_env(server: FakeProviderServer) -> dict[str, str]:
    return {"FREECHAT_OPENROUTER_BASE_URL": server.url, "OPENROUTER_API_KEY": TEST_KEY}


def model_requests(server: FakeProviderServer) -> list[str]:
    return [r.json()["model"] for r in server.requests if r.path == "/chat/completions"]
