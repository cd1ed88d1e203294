"""Pilot tests: the main screen against the real fake provider server."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from textual.message import Message
from textual.notifications import Notify
from textual.pilot import Pilot
from textual.widgets import Markdown

from freechat.core.models import ModelInfo
from freechat.ui.app import FreechatApp
from freechat.ui.screens.main import MainScreen
from freechat.ui.widgets.message import AssistantMessage, UserMessage
from freechat.ui.widgets.model_picker import ModelPicker
from freechat.ui.widgets.prompt import PromptInput
from tests.conftest import TEST_KEY
from tests.fakes.openai_stream import openrouter_stream
from tests.fakes.server import FakeProviderServer, FakeResponse, Send, Sleep
from tests.ui.conftest import R1

SIZE = (120, 36)


async def settle(pilot: Pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def until(pilot: Pilot, predicate: Callable[[], bool], what: str) -> None:
    """Poll (bounded) for something the app does in the background."""
    for _ in range(400):
        if predicate():
            return
        await pilot.pause(0.025)
    raise AssertionError(f"never happened: {what}")


def main(app: FreechatApp) -> MainScreen:
    assert isinstance(app.screen, MainScreen)
    return app.screen


def last_reply(app: FreechatApp) -> AssistantMessage:
    return main(app).query(AssistantMessage).last()


def answer_text(message: AssistantMessage) -> str:
    return message.answer.source


def footer_text(message: AssistantMessage) -> str:
    return str(message.footer.render())


def notes(seen: list[Message]) -> list[str]:
    return [f"{m.notification.title}: {m.notification.message}" for m in seen
            if isinstance(m, Notify)]


def model_leaves(app: FreechatApp) -> list[str]:
    picker = main(app).query_one(ModelPicker)
    leaves = []
    for provider in picker.tree.root.children:
        leaves += [str(n.data.ref) for n in provider.children if isinstance(n.data, ModelInfo)]
    return leaves


async def send(pilot: Pilot, text: str) -> None:
    await pilot.press(*text, "enter")


async def test_picker_lists_models_lazily_and_filter_picks_one(make_app, openrouter):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert model_leaves(app) == []  # nothing fetched before a provider is opened
        assert not [r for r in openrouter.requests if r.path == "/models"]
        await pilot.press("f2", "down", "enter")  # filter → tree → open OpenRouter
        await settle(pilot)
        assert model_leaves(app) == [
            R1, "openrouter/meta-llama/llama-3.3-70b-instruct:free", "openrouter/openai/gpt-4o",
        ]
        await pilot.press("f2", *"llama")
        await pilot.pause()
        assert model_leaves(app) == ["openrouter/meta-llama/llama-3.3-70b-instruct:free"]
        await pilot.press("enter")  # Enter in the filter picks the first match
        await pilot.pause()
        screen = main(app)
        assert str(screen.model) == "openrouter/meta-llama/llama-3.3-70b-instruct:free"
        assert isinstance(app.focused, PromptInput)
        await settle(pilot)
        assert "key: env OPENROUTER_API_KEY" in str(screen.query_one("#status-key").render())
        assert TEST_KEY not in app.export_screenshot()


async def test_F1_send_streams_markdown_reply(make_app, openrouter):
    text = ["# Title\n\n", "Some **bold** text.\n\n", "- a\n- b\n"]
    openrouter.route("POST", "/chat/completions", FakeResponse.sse(openrouter_stream(text)))
    app = make_app(model=R1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await send(pilot, "hello")
        await settle(pilot)
        screen = main(app)
        assert [str(m.render()) for m in screen.query(UserMessage)] == ["hello"]
        reply = last_reply(app)
        assert answer_text(reply) == "".join(text)
        assert footer_text(reply).startswith("✓ stop · 9 in · 3 out")
        assert not screen.streaming
        body = openrouter.requests[-1].json()
        assert body["model"] == "deepseek/deepseek-r1:free"
        assert body["messages"][-1] == {"role": "user", "content": "hello"}
        assert isinstance(app.focused, PromptInput) and app.focused.text == ""


async def test_reasoning_shows_in_its_collapsible(make_app, openrouter):
    events = openrouter_stream(["The answer."], reasoning=["Let me ", "think."])
    openrouter.route("POST", "/chat/completions", FakeResponse.sse(events))
    app = make_app(model=R1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await send(pilot, "why?")
        await settle(pilot)
        reply = last_reply(app)
        assert reply.reasoning.display
        assert reply.reasoning.query_one(".reasoning-body", Markdown).source == "Let me think."
        assert reply.reasoning.collapsed  # folded once the answer came
        assert answer_text(reply) == "The answer."


async def test_no_reasoning_block_without_reasoning(make_app, openrouter):
    openrouter.route("POST", "/chat/completions", FakeResponse.sse(openrouter_stream(["Hi."])))
    app = make_app(model=R1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await send(pilot, "hi")
        await settle(pilot)
        assert not last_reply(app).reasoning.display


async def test_F29_escape_stops_drip_stream_and_keeps_partial(make_app, openrouter):
    events = openrouter_stream(["Partial ", "answer", " never finished"])
    drip = [step for _ in range(100) for byte in b": drip\n\n"
            for step in (Sleep(0.05), Send(bytes([byte])))]  # 1 byte per 50 ms
    steps = [Send(e) for e in events[:5]] + drip + [Send(e) for e in events[5:]]
    openrouter.route("POST", "/chat/completions",
                     FakeResponse(200, {"content-type": "text/event-stream"}, steps))
    app = make_app(model=R1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await send(pilot, "go")
        await until(pilot, lambda: bool(main(app).query(AssistantMessage))
                    and answer_text(last_reply(app)) == "Partial answer", "partial text shown")
        screen = main(app)
        assert screen.streaming
        await pilot.press(*"next")  # the prompt stays responsive while streaming
        assert screen.prompt.text == "next"
        await pilot.press("escape")
        await settle(pilot)
        reply = last_reply(app)
        assert answer_text(reply) == "Partial answer"
        assert footer_text(reply).startswith("■ stopped by user")
        assert reply.has_class("-stopped")
        assert not screen.streaming
        await until(pilot, lambda: openrouter.disconnects >= 1, "server sees the disconnect")


async def test_F25_401_shows_key_message_and_prompt_still_works(make_app, openrouter):
    echoed = {"error": {"message": f"Invalid key Bearer {TEST_KEY}", "code": 401}}
    openrouter.route("POST", "/chat/completions",
                     FakeResponse.json(echoed, status=401),
                     FakeResponse.sse(openrouter_stream(["Works now."])))
    app = make_app(model=R1)
    seen: list[Message] = []
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await settle(pilot)
        await send(pilot, "hi")
        await settle(pilot)
        reply = last_reply(app)
        footer = footer_text(reply)
        assert footer.startswith("✗ openrouter: key rejected")
        assert "freechat keys set openrouter" in footer
        assert TEST_KEY not in footer and TEST_KEY not in app.export_screenshot()
        assert reply.has_class("-error")
        assert any("Key problem" in n and "keys set openrouter" in n for n in notes(seen))
        await send(pilot, "again")
        await settle(pilot)
        assert answer_text(last_reply(app)) == "Works now."


async def test_F15_truncated_stream_is_marked_incomplete(make_app, openrouter):
    events = openrouter_stream(["Half ", "a reply"])
    cut = [e for e in events if b"finish_reason\":\"stop" not in e and b"usage" not in e
           and b"[DONE]" not in e]
    openrouter.route("POST", "/chat/completions", FakeResponse.sse(cut))
    app = make_app(model=R1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await send(pilot, "hi")
        await settle(pilot)
        reply = last_reply(app)
        assert answer_text(reply) == "Half a reply"
        assert footer_text(reply).startswith("⚠ incomplete: openrouter: the reply stream ended")
        assert reply.has_class("-incomplete")


async def test_missing_key_says_how_to_set_one(make_app, openrouter, monkeypatch):
    monkeypatch.delenv("OPENROUTER_API_KEY")
    app = make_app(model=R1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "no key (set OPENROUTER_API_KEY)" in str(
            main(app).query_one("#status-key").render())
        await send(pilot, "hi")
        await settle(pilot)
        footer = footer_text(last_reply(app))
        assert footer.startswith("✗ openrouter: no API key — set OPENROUTER_API_KEY")
        assert not [r for r in openrouter.requests if r.path == "/chat/completions"]


async def test_enter_without_a_model_asks_to_pick_one(make_app, openrouter):
    app = make_app()
    seen: list[Message] = []
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await settle(pilot)
        await send(pilot, "hi")
        await pilot.pause()
        assert any("Pick a model first" in n for n in notes(seen))
        assert app.focused is not None and app.focused.id == "picker-filter"
        assert main(app).prompt.text == "hi"  # nothing typed is lost
        assert not main(app).query(AssistantMessage)


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


async def test_model_list_errors_show_in_the_tree(
    make_app, openrouter: FakeProviderServer, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("FREECHAT_CEREBRAS_BASE_URL", "http://127.0.0.1:9")  # refused
    monkeypatch.setenv("FREECHAT_GROQ_BASE_URL", openrouter.url + "/groq")
    openrouter.route("GET", "/groq/models",
                     FakeResponse.json({"error": {"message": "no auth"}}, status=401))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        picker = main(app).query_one(ModelPicker)
        picker.load("cerebras")
        picker.load("groq")
        await settle(pilot)
        assert picker.provider("cerebras").problem == "offline"
        assert picker.provider("groq").problem == "no key"
        labels = [str(child.label) for node in picker.tree.root.children
                  for child in node.children]
        assert "⚠ offline" in labels and "⚠ no key" in labels
        await pilot.press("a")  # still responsive; the prompt has focus
        assert main(app).prompt.text == "a"


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


async def test_unknown_model_ref_is_a_notice_not_a_crash(make_app, openrouter):
    app = make_app(model="nosuchprovider/x")
    seen: list[Message] = []
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await settle(pilot)
        assert main(app).model is None
        assert any("does not start with a provider id" in n for n in notes(seen))


async def test_http_client_is_closed_on_exit(make_app, openrouter):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        client = app.http_client
        assert client is not None and not client.is_closed
    await asyncio.sleep(0)
    assert client.is_closed
