"""Pilot tests: sending a prompt and streaming the reply from the fake OpenRouter."""

from __future__ import annotations

from textual.message import Message
from textual.widgets import Markdown

from freechat.ui.widgets.message import AssistantMessage, UserMessage
from freechat.ui.widgets.prompt import PromptInput
from tests.conftest import TEST_KEY
from tests.fakes.openai_stream import KEEPALIVE, openrouter_stream
from tests.fakes.server import FakeResponse, Send, Sleep
from tests.ui.conftest import R1
from tests.ui.pilot import (
    FAST,
    SIZE,
    answer_text,
    footer_text,
    last_reply,
    main,
    notes,
    responds,
    saved,
    send,
    settle,
    state_text,
    until,
    write_config,
)


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
        conv = saved(app)  # saved once, complete, with the figures
        assert conv.title == "hello"
        user, answer = conv.messages
        assert (user.role, user.content) == ("user", "hello")
        assert (answer.content, answer.status, answer.model) == ("".join(text), "complete", R1)
        assert answer.usage is not None and answer.usage.output_tokens == 3


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
        stored = saved(app).messages[-1]  # kept and saved, marked stopped
        assert (stored.content, stored.status) == ("Partial answer", "cancelled")
        await responds(pilot)


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
        failed = saved(app).messages[-1]
        assert failed.status == "error" and failed.error is not None
        assert TEST_KEY not in failed.error.message
        home = main(app).runtime.paths.conversations_dir
        assert not any(TEST_KEY.encode() in p.read_bytes() for p in home.glob("*.json"))
        await send(pilot, "again")
        await settle(pilot)
        assert answer_text(last_reply(app)) == "Works now."
        assert [m.content for m in saved(app).messages] == ["hi", "", "again", "Works now."]


async def test_F2_keepalives_before_first_token_show_waiting_state(make_app, openrouter):
    # The provider queues: keep-alive comments only, until the user gives up.
    steps = [step for _ in range(200) for step in (Sleep(0.05), Send(KEEPALIVE))]
    openrouter.route("POST", "/chat/completions",
                     FakeResponse(200, {"content-type": "text/event-stream"}, steps))
    app = make_app(model=R1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await send(pilot, "hi")
        state = main(app).query_one("#status-state")
        await until(pilot, lambda: "provider busy" in str(state.render()), "keep-alives seen")
        assert str(state.render()).startswith("waiting for first token (")
        assert "Stop" in app.export_screenshot()  # the footer offers Esc meanwhile
        await pilot.press("escape")
        await settle(pilot)
        assert str(state.render()) == "ready"
        assert footer_text(last_reply(app)).startswith("■ stopped by user · nothing had arrived")
        assert [(m.content, m.status) for m in saved(app).messages] == [
            ("hi", None), ("", "cancelled")]
        await responds(pilot)


async def test_F23_rate_limit_shows_wait_hint(make_app, openrouter, isolated_env):
    write_config(isolated_env, FAST)  # no automatic retry: the wait is the user's to make
    body = {"error": {"message": "Rate limit exceeded: free-models-per-min", "code": 429}}
    openrouter.route("POST", "/chat/completions",
                     FakeResponse.json(body, status=429, headers={"retry-after": "7"}))
    app = make_app(model=R1)
    seen: list[Message] = []
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await settle(pilot)
        await send(pilot, "hi")
        await settle(pilot)
        footer = footer_text(last_reply(app))
        assert footer.startswith("✗ openrouter: Rate limit exceeded")
        assert "wait 7 s" in footer and "\n" not in footer
        assert any("Rate limited" in n and "wait 7 s" in n for n in notes(seen))
        assert len([r for r in openrouter.requests if r.path == "/chat/completions"]) == 1
        assert [(m.content, m.status) for m in saved(app).messages] == [
            ("hi", None), ("", "error")]
        await responds(pilot)


async def test_F23_retry_after_shows_a_countdown_then_retries(make_app, openrouter,
                                                               isolated_env):
    write_config(isolated_env, "[quota]\nretries = 1\n")
    body = {"error": {"message": "Rate limit exceeded: free-models-per-min", "code": 429}}
    openrouter.route("POST", "/chat/completions",
                     FakeResponse.json(body, status=429, headers={"retry-after": "1"}),
                     FakeResponse.sse(openrouter_stream(["After the wait."])))
    app = make_app(model=R1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await send(pilot, "hi")
        bar = main(app).quota_bar
        await until(pilot, lambda: bar.waiting is not None, "countdown shown")
        assert "⏳" in str(bar.render()) and "retrying" in state_text(app)
        await settle(pilot)
        assert answer_text(last_reply(app)) == "After the wait."
        assert bar.waiting is None and state_text(app) == "ready"
        first, second = [r for r in openrouter.requests if r.path == "/chat/completions"]
        assert second.received_at - first.received_at >= 0.9  # no request before Retry-After


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
        stored = saved(app).messages[-1]
        assert (stored.content, stored.status) == ("Half a reply", "incomplete")
        assert stored.error is not None and "ended early" in stored.error.message
        await responds(pilot)


async def test_missing_key_says_how_to_set_one(make_app, openrouter, monkeypatch):
    monkeypatch.delenv("OPENROUTER_API_KEY")
    monkeypatch.setenv("GROQ_API_KEY", "gsk_other")  # a usable provider: not a first run
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
        assert [(m.content, m.status) for m in saved(app).messages] == [
            ("hi", None), ("", "error")]  # the prompt is kept for when the key is there
