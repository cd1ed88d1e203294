"""Fixtures for compare tests: one fake server playing several models at different speeds.

`models_server` routes POST /chat/completions by the request body's `model`, so every column
of a comparison gets its own behaviour: FAST answers at once, SLOW drips its tokens, BROKEN
fails with a 502 (a provider error that is not retried... after the retries the guard allows).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.app import App
from textual.screen import Screen

from freechat.core.models import ModelRef
from freechat.core.runtime import Runtime
from freechat.ui.screens.compare import CompareScreen
from freechat.ui.themes import DEFAULT_THEME, bundled_theme_dirs, load_themes, variable_defaults
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


class ScreenApp(App[None]):
    """A minimal app around one screen, themed like freechat, owning an HTTP client."""

    def __init__(self, runtime: Runtime, make_screen: Callable[[Any], Screen[Any]]) -> None:
        super().__init__()
        self.runtime = runtime
        self._make_screen = make_screen
        self.client: Any = None
        for theme in load_themes(bundled_theme_dirs()).themes:
            self.register_theme(theme)
        self.theme = DEFAULT_THEME

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return variable_defaults(self.current_theme)

    def on_mount(self) -> None:
        self.client = self.runtime.make_client()
        self.push_screen(self._make_screen(self.client))

    async def on_unmount(self) -> None:
        if self.client is not None:
            await self.client.aclose()


@pytest.fixture
def compare_app(runtime: Runtime) -> Callable[..., ScreenApp]:
    """compare_app(FAST, SLOW, blind=True, ...) -> an app showing a CompareScreen."""

    def make(*models: str, **kwargs: Any) -> ScreenApp:
        refs = [ModelRef.parse(m) for m in models]
        return ScreenApp(runtime, lambda client: CompareScreen(runtime, client, refs, **kwargs))

    return make


async def wait_for(pilot: Any, condition: Callable[[], bool], rounds: int = 400) -> None:
    """Let the app run until `condition` holds (bounded: fails instead of hanging)."""
    for _ in range(rounds):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("condition never became true")
