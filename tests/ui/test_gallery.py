"""The snapshot gallery: every bundled theme, the command palette, the help screen, and the
chat screen at 60, 100 and 160 columns. Each shows one short reply from the fake OpenRouter,
with pinned clocks and no local-server probing, so every run draws the same picture."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.command import CommandList
from textual.pilot import Pilot

from freechat.core.runtime import Runtime
from freechat.ui.app import FreechatApp
from freechat.ui.themes import bundled_theme_dirs, load_themes
from tests.fakes.openai_stream import openrouter_stream
from tests.fakes.server import FakeProviderServer, FakeResponse
from tests.ui.app_helpers import cache_models, open_palette
from tests.ui.conftest import R1, StepClock
from tests.ui.pilot import settle, until, write_config

THEMES = sorted(t.name for t in load_themes(bundled_theme_dirs()).themes)
WALL = 1_768_478_400.0  # 2026-01-15 12:00 UTC: quota windows and countdowns are pinned
REPLY = [
    "## Binary search\n\n",
    "Halve the range each step:\n\n",
    "- compare with the middle item\n",
    "- keep the half that can hold it\n\n",
    "```python\n",
    "def find(xs, x):\n",
    "    lo, hi = 0, len(xs)\n",
    "    while lo < hi:\n",
    "        mid = (lo + hi) // 2\n",
    "        lo, hi = (mid + 1, hi) if xs[mid] < x else (lo, mid)\n",
    "    return lo\n",
    "```\n",
]


@pytest.fixture
def gallery_app(openrouter: FakeProviderServer, monkeypatch: pytest.MonkeyPatch,
                isolated_env) -> Callable[..., FreechatApp]:
    monkeypatch.setenv("FREECHAT_LOCAL_DETECT", "0")
    monkeypatch.setenv("HOME", str(isolated_env.parent))  # help shows ~/freechat-home/…
    events = openrouter_stream(REPLY, reasoning=["Classic: ", "log n steps."])
    openrouter.route("POST", "/chat/completions", FakeResponse.sse(events))

    def make(theme: str | None = None) -> FreechatApp:
        if theme:
            write_config(isolated_env, f'theme = "{theme}"\n')
        return FreechatApp(Runtime.from_env(), model=R1, clock=StepClock(),
                           wall_clock=lambda: WALL)

    return make


async def _with_reply(pilot: Pilot) -> None:
    await settle(pilot)
    await pilot.press(*"binary search?", "enter")
    await settle(pilot)


@pytest.mark.parametrize("theme", THEMES)
def test_theme(snap_compare, gallery_app, theme: str):
    """The chat screen in this theme: tier badges in the picker, the user's message and the
    reply in their accent colours, a folded reasoning block, a highlighted code block, the
    quota bar and the status line (model, `free` badge, key from the env)."""
    assert snap_compare(gallery_app(theme), run_before=_with_reply, terminal_size=(120, 36))


@pytest.mark.parametrize("width", [60, 100, 160])
def test_width(snap_compare, gallery_app, width: int):
    """60: the picker collapsed (F2 opens it), the footer trimmed to keys that fit, nothing
    cut mid-word; 100: a slimmer picker beside the chat; 160: the full layout."""
    assert snap_compare(gallery_app(), run_before=_with_reply, terminal_size=(width, 34))


def test_command_palette(snap_compare, gallery_app):
    """Ctrl+P over the chat screen: namespaced commands, chat first, each with its key."""
    cache_models()

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await open_palette(pilot)
        await until(pilot, lambda: pilot.app.screen.query_one(CommandList).option_count > 8,
                    "the commands are listed")
        await pilot.pause()

    assert snap_compare(gallery_app(), run_before=run_before, terminal_size=(100, 30))


def test_help_screen(snap_compare, gallery_app):
    """F1: getting started in four steps, then every key as mapped, with its id for
    `[keymap]`, over the dimmed chat screen."""

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()

    assert snap_compare(gallery_app(), run_before=run_before, terminal_size=(100, 44))
