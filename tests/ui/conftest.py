"""Fixtures for Pilot and snapshot tests: the app wired to the fake OpenRouter server."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from freechat.core.runtime import Runtime
from freechat.ui.app import FreechatApp
from tests.conftest import TEST_KEY
from tests.fakes.server import FakeProviderServer, FakeResponse

MODELS = {
    "data": [
        {"id": "deepseek/deepseek-r1:free", "name": "DeepSeek: R1 (free)",
         "pricing": {"prompt": "0", "completion": "0"}, "context_length": 163840,
         "supported_parameters": ["reasoning", "max_tokens"]},
        {"id": "meta-llama/llama-3.3-70b-instruct:free", "name": "Meta: Llama 3.3 70B (free)",
         "pricing": {"prompt": "0", "completion": "0"}, "context_length": 131072},
        {"id": "openai/gpt-4o", "name": "OpenAI: GPT-4o",
         "pricing": {"prompt": "0.0000025", "completion": "0.00001"}},
    ]
}
R1 = "openrouter/deepseek/deepseek-r1:free"


class StepClock:
    """A clock that moves 50 ms per reading: reply figures are the same on every run."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        self.now += 0.05
        return self.now


@pytest.fixture
def openrouter(fake_server: FakeProviderServer, monkeypatch: pytest.MonkeyPatch):
    """The fake server as OpenRouter, with a key in the environment."""
    fake_server.route("GET", "/models", FakeResponse.json(MODELS))
    monkeypatch.setenv("FREECHAT_OPENROUTER_BASE_URL", fake_server.url)
    monkeypatch.setenv("OPENROUTER_API_KEY", TEST_KEY)
    return fake_server


@pytest.fixture
def make_app(openrouter: FakeProviderServer) -> Callable[..., FreechatApp]:
    def make(model: str | None = None) -> FreechatApp:
        return FreechatApp(Runtime.from_env(), model=model, clock=StepClock())

    return make
