"""Pilot tests: the prompt's keys, new chat, the keymap, the app's lifetime."""

from __future__ import annotations

import asyncio

from textual import events

from freechat.ui.widgets.message import AssistantMessage, UserMessage
from tests.fakes.openai_stream import openrouter_stream
from tests.fakes.server import FakeResponse
from tests.ui.conftest import R1
from tests.ui.pilot import (
    SIZE,
    main,
    send,
    settle,
)


async def test_prompt_newline_keys_and_up_recalls_last_prompt(make_app, openrouter):
    openrouter.route("POST", "/chat/completions", FakeResponse.sse(openrouter_stream(["ok"])))
    app = make_app(model=R1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        prompt = main(app).prompt
        await pilot.press("a", "shift+enter", "b", "ctrl+j", "c")
        assert prompt.text == "a\nb\nc"
        await pilot.press("enter")
        await settle(pilot)
        assert prompt.text == ""
        await pilot.press("up")
        assert prompt.text == "a\nb\nc"
        await pilot.press("up")  # a non-empty prompt: Up moves the cursor, nothing replaced
        assert prompt.text == "a\nb\nc"


async def test_enter_in_a_fast_burst_sends_everything_typed_before_it(make_app, openrouter):
    """A terminal delivers a fast burst in one read; priority bindings see Enter before the
    prompt has inserted the keys ahead of it."""
    openrouter.route("POST", "/chat/completions", FakeResponse.sse(openrouter_stream(["ok"])))
    app = make_app(model=R1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key, char in [("f", "f"), ("a", "a"), ("ctrl+j", "\n"), ("s", "s"), ("t", "t"),
                          ("enter", "\r")]:
            app.post_message(events.Key(key, char))
        await settle(pilot)
        assert [str(m.render()) for m in main(app).query(UserMessage)] == ["fa\nst"]


async def test_ctrl_n_starts_a_new_chat(make_app, openrouter):
    openrouter.route("POST", "/chat/completions", FakeResponse.sse(openrouter_stream(["ok"])))
    app = make_app(model=R1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await send(pilot, "one")
        await settle(pilot)
        assert main(app).query(AssistantMessage)
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert not main(app).query(".message")
        assert main(app).chat.has_class("-empty")
        await send(pilot, "two")
        await settle(pilot)
        assert openrouter.requests[-1].json()["messages"] == [{"role": "user", "content": "two"}]


async def test_keymap_from_config_remaps_bindings(make_app, openrouter, isolated_env):
    isolated_env.mkdir(parents=True, exist_ok=True)
    (isolated_env / "config.toml").write_text('[keymap]\n"new-chat" = "ctrl+r"\n')
    openrouter.route("POST", "/chat/completions", FakeResponse.sse(openrouter_stream(["ok"])))
    app = make_app(model=R1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await send(pilot, "one")
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert not main(app).query(".message")


async def test_http_client_is_closed_on_exit(make_app, openrouter):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        client = app.http_client
        assert client is not None and not client.is_closed
    await asyncio.sleep(0)
    assert client.is_closed
