"""Every screen opens from its key and from the command palette, and closes back to the chat;
a first run (no key, no local server) opens the setup screen."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.screen import Screen

from freechat.core.models import ModelRef
from freechat.ui.screens.compare import CompareScreen
from freechat.ui.screens.compare_setup import CompareSetupScreen
from freechat.ui.screens.conversations import ConversationsScreen
from freechat.ui.screens.help import HelpScreen
from freechat.ui.screens.leaderboard import LeaderboardScreen
from freechat.ui.screens.main import MainScreen
from freechat.ui.screens.messages import MessagesScreen
from freechat.ui.screens.quota import QuotaScreen
from freechat.ui.screens.setup import SetupScreen
from tests.ui.app_helpers import cache_models, on_screen, open_palette, palette_titles, run_command
from tests.ui.conftest import R1
from tests.ui.pilot import SIZE, main, notes, settle, until

LLAMA = "openrouter/meta-llama/llama-3.3-70b-instruct:free"

SCREENS: list[tuple[str, str, type[Screen]]] = [  # (key, palette command, screen)
    ("f3", "keys: set up providers", SetupScreen),
    ("ctrl+o", "chat: open …", ConversationsScreen),
    ("f5", "quota: show", QuotaScreen),
    ("f4", "compare: choose models …", CompareSetupScreen),
    ("f8", "leaderboard: show", LeaderboardScreen),
    ("f1", "help: keys", HelpScreen),
]


async def _back_to_chat(pilot: Pilot) -> None:
    await pilot.press("escape")
    await on_screen(pilot, MainScreen, "back on the chat screen")


@pytest.mark.parametrize(("key", "command", "kind"), SCREENS, ids=[s[2].__name__ for s in SCREENS])
async def test_screen_opens_from_its_key_and_from_the_palette(
    make_app, key: str, command: str, kind: type[Screen]
):
    app = make_app(model=R1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(key)
        await on_screen(pilot, kind)
        await _back_to_chat(pilot)
        await run_command(pilot, command)
        await on_screen(pilot, kind)
        await _back_to_chat(pilot)


async def test_question_mark_opens_help_only_outside_the_prompt(make_app):
    app = make_app(model=R1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        assert screen.prompt.has_focus
        await pilot.press("?")
        await pilot.pause()
        assert screen.prompt.text == "?" and app.screen is screen  # typed, not help
        screen.prompt.clear()
        screen.chat.focus()
        await pilot.press("?")
        help_screen = await on_screen(pilot, HelpScreen)
        assert help_screen.query_one("#help-start")  # the getting-started steps


async def test_side_screens_do_not_stack(make_app):
    """Screen keys work from the chat screen only: F5 on the setup screen does nothing."""
    app = make_app(model=R1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f3")
        await on_screen(pilot, SetupScreen)
        await pilot.press("f5")
        await pilot.pause()
        assert isinstance(app.screen, SetupScreen)
        assert len(app.screen_stack) == 2  # chat (the bottom one), setup


async def test_model_and_chat_commands_drive_the_chat_screen(make_app):
    cache_models()
    app = make_app(model=R1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await run_command(pilot, f"model: {LLAMA}")
        assert main(app).model == ModelRef.parse(LLAMA)
        await run_command(pilot, "chat: new")
        assert main(app).prompt.has_focus


async def test_compare_from_the_palette_pairs_the_current_model_and_esc_closes_it(make_app):
    cache_models()
    app = make_app(model=R1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await run_command(pilot, f"compare blind: {R1} vs {LLAMA}")
        screen = await on_screen(pilot, CompareScreen)
        assert isinstance(screen, CompareScreen)
        assert screen.comparison.blind
        assert {str(c.ref) for c in screen.comparison.columns} == {R1, LLAMA}
        assert screen.comparison.guard is app.quota_guard is not None  # the shared guard
        await _back_to_chat(pilot)


async def test_compare_chooser_starts_an_open_comparison(make_app):
    cache_models()
    app = make_app(model=R1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f4")
        chooser = await on_screen(pilot, CompareSetupScreen)
        assert [str(r) for r in chooser.selected] == [R1]  # the current model, ticked
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, CompareSetupScreen)  # one model is not a comparison
        assert "Tick 2 to 4" in str(chooser.query_one("#compare-setup-status").render())
        await pilot.press("down", "space", "ctrl+s")
        screen = await on_screen(pilot, CompareScreen)
        assert not screen.comparison.blind
        assert [str(c.ref) for c in screen.comparison.columns] == [R1, LLAMA]


async def test_palette_offers_only_what_fits_the_screen(make_app):
    app = make_app(model=R1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_palette(pilot)
        await until(pilot, lambda: "chat: new" in palette_titles(pilot), "chat commands")
        await pilot.press("escape")
        await pilot.press("f3")
        await on_screen(pilot, SetupScreen)
        await open_palette(pilot)
        await until(pilot, lambda: "help: keys" in palette_titles(pilot), "help offered")
        titles = palette_titles(pilot)
        assert not [t for t in titles if t.startswith(("chat:", "model:", "compare"))]
        assert "theme: freechat-light" in titles


async def test_first_run_opens_setup(make_app, openrouter, monkeypatch):
    monkeypatch.delenv("OPENROUTER_API_KEY")
    monkeypatch.setenv("FREECHAT_LOCAL_DETECT", "0")  # no local server either
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await on_screen(pilot, SetupScreen, "the setup screen on a first run")
        await _back_to_chat(pilot)


async def test_a_key_means_no_setup_screen(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.key_sources["openrouter"].found


async def test_long_notification_is_brief_with_the_rest_in_messages(make_app):
    app = make_app(model=R1)
    seen: list = []
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await settle(pilot)
        long = "The provider said something long. " + "More detail follows here. " * 12
        app.notify(long, title="Provider", severity="error", markup=False)
        await pilot.pause()
        shown = [n for n in notes(seen) if n.startswith("Provider:")]
        assert shown == ["Provider: The provider said something long. (F9: all of it)"]
        await pilot.press("f9")
        screen = await on_screen(pilot, MessagesScreen)
        texts = [str(s.render()) for s in screen.query(".notice-text")]
        assert long.strip() in [t.strip() for t in texts]
