"""The layout adapts to the terminal: picker, chat and quota bar side by side when wide; the
picker collapsed behind a key when narrow; the footer never cut mid-word."""

from __future__ import annotations

from itertools import pairwise

import pytest
from textual.widgets import Footer

from freechat.ui.app import FreechatApp
from freechat.ui.screens.help import HelpScreen
from freechat.ui.screens.main import MainScreen
from freechat.ui.widgets.quota_bar import QuotaBar
from tests.fakes.openai_stream import openrouter_stream
from tests.fakes.server import FakeResponse
from tests.ui.conftest import R1
from tests.ui.pilot import main, send, settle, until, write_config


def _footer_fits(app: FreechatApp) -> None:
    footer = app.screen.query_one(Footer)
    keys = list(footer.children)
    assert keys
    right = max(key.region.right for key in keys)
    assert right <= app.size.width
    spans = sorted((key.region.x, key.region.right) for key in keys)
    for (_, end), (start, _) in pairwise(spans):
        assert end <= start, spans  # no key drawn over another


def _styles(node) -> tuple[str, ...]:  # type: ignore[no-untyped-def]
    parts = [node.styles.css]
    parts += [node.get_component_styles(name).css for name in sorted(node.COMPONENT_CLASSES)]
    return tuple(parts)


@pytest.mark.parametrize(("width", "theme"), [(120, None), (60, "freechat-light")])
async def test_the_first_frame_is_styled_as_a_full_restyle_would_style_it(
    make_app, isolated_env, monkeypatch, width: int, theme: str | None,
):
    """The main screen skips Textual's whole-screen restyle on its first showing (it cost
    ~5 ms of startup): every widget must already have the styles that restyle would give."""
    if theme:
        write_config(isolated_env, f'theme = "{theme}"\n')
    found: dict[str, list[str]] = {}
    shown = MainScreen._first_frame_shown

    def check_then_go_on(screen: MainScreen) -> None:
        nodes = [screen, *screen.walk_children()]
        before = [_styles(node) for node in nodes]
        screen.app.stylesheet.update_nodes(nodes, animate=False)
        found["stale"] = [repr(n) for n, b in zip(nodes, before, strict=True) if _styles(n) != b]
        found["count"] = [str(len(nodes))]
        shown(screen)

    monkeypatch.setattr(MainScreen, "_first_frame_shown", check_then_go_on)
    app = make_app(model=R1)
    async with app.run_test(size=(width, 30)) as pilot:
        await until(pilot, lambda: "stale" in found, "the first frame")
    assert found["stale"] == []
    assert int(found["count"][0]) > 10  # the whole screen was compared


async def test_wide_terminal_shows_picker_chat_and_quota_bar(make_app):
    app = make_app(model=R1)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        screen = main(app)
        assert screen.has_class("-wide")
        picker, chat = screen.picker.region, screen.chat.region
        assert picker.width >= 30 and chat.width > 100
        assert picker.right <= chat.x  # side by side
        bar = screen.query_one(QuotaBar).region
        assert bar.width >= chat.width and bar.y >= chat.bottom  # under the chat, not over it
        _footer_fits(app)


@pytest.mark.parametrize("width", [60, 80])
async def test_narrow_terminal_collapses_the_picker_behind_a_key(make_app, width: int):
    app = make_app(model=R1)
    async with app.run_test(size=(width, 30)) as pilot:
        await settle(pilot)
        screen = main(app)
        assert screen.has_class("-narrow")
        assert screen.picker.region.width == 0
        assert screen.chat.region.width >= width - 4
        _footer_fits(app)
        await pilot.press("f2")  # the picker's key opens it over the chat
        await pilot.pause()
        assert screen.picker.region.width == width
        await pilot.press("escape")  # and Esc hands the keyboard back to the prompt
        await pilot.pause()
        assert screen.prompt.has_focus
        assert screen.picker.region.width == 0


async def test_the_layout_follows_a_resize(make_app):
    app = make_app(model=R1)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await pilot.resize_terminal(70, 30)
        await pilot.pause()
        assert main(app).has_class("-narrow")
        assert main(app).picker.region.width == 0
        _footer_fits(app)
        await pilot.resize_terminal(130, 30)
        await pilot.pause()
        assert main(app).picker.region.width >= 30


@pytest.mark.parametrize("width", [60, 100])
async def test_footer_fits_once_a_reply_offers_more_keys(make_app, openrouter, width: int):
    events = openrouter_stream(["Short answer."])
    openrouter.route("POST", "/chat/completions", FakeResponse.sse(events))
    app = make_app(model=R1)
    async with app.run_test(size=(width, 30)) as pilot:
        await settle(pilot)
        await send(pilot, "hi")
        await settle(pilot)
        _footer_fits(app)
        await pilot.press("f1")  # every key is still listed in help
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
