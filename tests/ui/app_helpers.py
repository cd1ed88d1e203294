"""Helpers for the app-level Pilot tests: run palette commands, wait for screens."""

from __future__ import annotations

from textual.command import CommandInput, CommandList, CommandPalette
from textual.pilot import Pilot
from textual.screen import Screen

from freechat.core.model_directory import ModelDirectory
from freechat.core.models import ModelInfo, ModelRef
from freechat.core.runtime import Runtime
from tests.ui.pilot import until

FREE_MODELS = [
    ModelInfo(ModelRef("openrouter", "deepseek/deepseek-r1:free"), "DeepSeek: R1 (free)"),
    ModelInfo(ModelRef("openrouter", "meta-llama/llama-3.3-70b-instruct:free"),
              "Meta: Llama 3.3 70B (free)"),
]


def cache_models() -> None:
    """Give the model directory a known list (the palette and compare chooser read it)."""
    ModelDirectory(Runtime.from_env()).store("openrouter", FREE_MODELS, now=1_700_000_000)


async def on_screen(pilot: Pilot, kind: type[Screen], what: str = "") -> Screen:
    await until(pilot, lambda: isinstance(pilot.app.screen, kind), what or kind.__name__)
    await pilot.pause()
    return pilot.app.screen


def palette_titles(pilot: Pilot) -> list[str]:
    commands = pilot.app.screen.query_one(CommandList)
    return [str(commands.get_option_at_index(i).hit.text) for i in range(commands.option_count)]


async def open_palette(pilot: Pilot, key: str = "ctrl+p") -> None:
    await pilot.press(key)
    await until(pilot, lambda: CommandPalette.is_open(pilot.app), "the palette opens")


async def run_command(pilot: Pilot, title: str) -> None:
    """Open the palette, type `title`, and run the hit whose text is exactly that."""
    await open_palette(pilot)
    # Typed in one go (one search), as a paste would: key by key is slow for long titles.
    pilot.app.screen.query_one(CommandInput).value = title
    await until(pilot, lambda: title in palette_titles(pilot), f"a hit '{title}'")
    commands = pilot.app.screen.query_one(CommandList)
    commands.highlighted = palette_titles(pilot).index(title)
    await pilot.press("enter")
    await until(pilot, lambda: not CommandPalette.is_open(pilot.app), "the palette closes")
    await pilot.pause()  # not settle(): a chooser's worker waits for its screen to close
    await pilot.pause()
