"""Bindings have ids; `[keymap]` in config.toml remaps them, and the help screen lists the keys
as they are mapped now."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

from textual.binding import Binding

import freechat.ui
from freechat.ui.app import FreechatApp
from freechat.ui.screens.help import HelpScreen, KeyRow, key_label, rows_for
from freechat.ui.screens.main import MainScreen
from freechat.ui.screens.quota import QuotaScreen
from freechat.ui.screens.setup import SetupScreen
from tests.ui.app_helpers import on_screen, open_palette
from tests.ui.conftest import R1
from tests.ui.pilot import SIZE, main, notes, settle, write_config


def _help_rows(app: FreechatApp) -> dict[str, KeyRow]:
    screen = app.screen
    assert isinstance(screen, HelpScreen)
    from freechat.ui.screens.help import sections

    return {row.binding_id: row for _, rows in sections(app, screen._over) for row in rows}


def test_key_labels_read_the_way_people_write_them():
    assert [key_label(k) for k in ("ctrl+n", "f1", "question_mark", "escape", "shift+enter",
                                   "ctrl+shift+k", "enter")] == [
        "Ctrl+N", "F1", "?", "Esc", "Shift+Enter", "Ctrl+Shift+K", "Enter"]


def test_every_binding_in_the_ui_has_an_id_and_a_description():
    """So that every key can be remapped in `[keymap]` and is listed on the help screen."""
    missing = []
    for info in pkgutil.walk_packages(freechat.ui.__path__, prefix="freechat.ui."):
        module = importlib.import_module(info.name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            for binding in cls.__dict__.get("BINDINGS", []) if cls.__module__ == info.name else ():
                if not (isinstance(binding, Binding) and binding.id and binding.description):
                    missing.append(f"{info.name}.{name}: {binding}")
    assert missing == []


async def test_remapped_keys_work_and_the_old_ones_do_not(make_app, isolated_env: Path):
    write_config(isolated_env, '[keymap]\nopen-setup = "f7"\nopen-quota = "f10,ctrl+b"\n'
                 'command-palette = "f12"\n')
    app = make_app(model=R1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        main(app).chat.focus()  # F7 in the prompt selects all (TextArea); elsewhere it is ours
        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)  # F3 is no longer the setup key
        await pilot.press("f7")
        await on_screen(pilot, SetupScreen)
        await pilot.press("escape")
        await on_screen(pilot, MainScreen)
        await pilot.press("ctrl+b")
        await on_screen(pilot, QuotaScreen)
        await pilot.press("escape")
        await on_screen(pilot, MainScreen)
        await open_palette(pilot, "f12")


async def test_help_lists_keys_as_mapped_now(make_app, isolated_env: Path):
    write_config(isolated_env, '[keymap]\nopen-setup = "f7"\nnew-chat = "ctrl+b"\n')
    app = make_app(model=R1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await on_screen(pilot, HelpScreen)
        rows = _help_rows(app)
        assert rows["open-setup"].display == "F7"
        assert rows["new-chat"].display == "Ctrl+B"
        assert rows["help"].display == "F1 / ?"
        assert rows["send-message"].display == "Enter"  # the prompt's keys are listed too
        text = str(app.screen.query_one("#help-start").render())
        assert "F7" in text and "add a free API key" in text  # getting started follows it
        await pilot.press("escape")
        await on_screen(pilot, MainScreen)


def test_rows_merge_keys_of_one_id_and_skip_undescribed_bindings():
    class Node:
        def __init__(self, bindings: list[Binding]) -> None:
            from textual.binding import BindingsMap

            self._bindings = BindingsMap(bindings)

    node = Node([Binding("f2,ctrl+l", "focus", "Models", id="focus-picker"),
                 Binding("down", "next", show=False, id="quiet"),
                 Binding("x", "y", "No id")])
    rows = rows_for([node], {"focus-picker": "f4"})  # type: ignore[list-item]
    assert rows == [KeyRow(("f4",), "Models", "focus-picker")]


async def test_an_unknown_keymap_id_is_reported_once(make_app, isolated_env: Path):
    write_config(isolated_env, '[keymap]\nnew_chat = "ctrl+b"\nhelp = "f10"\n')
    seen: list = []
    app = make_app(model=R1)
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await settle(pilot)
        about = [n for n in notes(seen) if "[keymap]" in n]
        assert about == ["Config: [keymap] has no binding called new_chat; the help screen "
                         "(F10) lists every id"]
