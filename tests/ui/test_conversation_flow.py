"""Pilot tests: conversations in the chat screen (issue 6) — saved turns, resume, new chat,
regenerate, edit and resend, model switch, system prompt, copy, store problems."""

from __future__ import annotations

import os

from textual.message import Message

from freechat.core.conversation import Conversation, StoredMessage
from freechat.core.runtime import Runtime
from freechat.core.store import ConversationStore
from freechat.ui.app import FreechatApp
from freechat.ui.screens.chat_dialogs import CopyDialog, SystemPromptDialog
from freechat.ui.widgets.message import AssistantMessage, UserMessage
from tests.fakes.openai_stream import openrouter_stream
from tests.fakes.server import FakeResponse
from tests.ui.conftest import R1, StepClock
from tests.ui.pilot import (
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
)

LLAMA = "openrouter/meta-llama/llama-3.3-70b-instruct:free"


def replies(server, *texts: str) -> None:
    server.route("POST", "/chat/completions",
                 *(FakeResponse.sse(openrouter_stream([t])) for t in texts))


def chat_bodies(server) -> list[dict]:
    return [r.json() for r in server.requests if r.path == "/chat/completions"]


def long_conversation(turns: int = 25) -> Conversation:
    messages = []
    for n in range(turns):
        messages.append(StoredMessage(f"u{n}", "user", f"question {n}", "2026-01-01T00:00:00Z",
                                      model=LLAMA))
        messages.append(StoredMessage(f"a{n}", "assistant", f"answer {n}",
                                      "2026-01-01T00:00:01Z", model=LLAMA,
                                      status="complete", finish_reason="stop"))
    return Conversation("20260101-000000-abcdef", "A long talk", "2026-01-01T00:00:00Z",
                        "2026-01-01T00:01:00Z", messages, system="Be terse.")


async def test_resume_shows_newest_first_older_on_scroll_and_continues(openrouter,
                                                                       isolated_env):
    store = ConversationStore.from_paths(Runtime.from_env().paths)
    store.create(long_conversation())
    replies(openrouter, "answer 25")
    app = FreechatApp(Runtime.from_env(), resume="20260101-000000", clock=StepClock())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        shown = screen.chat.query(".message")
        assert 0 < len(shown) < 50 and screen.chat.has_older  # the newest page only
        assert str(screen.model) == LLAMA  # the model the conversation used last
        assert answer_text(last_reply(app)) == "answer 24"
        for _ in range(5):  # scrolling up mounts the older pages
            screen.chat.scroll_home(animate=False)
            await settle(pilot)
        assert not screen.chat.has_older
        assert str(screen.chat.query(UserMessage).first().render()) == "question 0"
        await send(pilot, "question 25")
        await settle(pilot)
        body = chat_bodies(openrouter)[-1]
        assert body["messages"][0] == {"role": "system", "content": "Be terse."}
        assert len(body["messages"]) == 1 + 50 + 1  # system, the whole history, the prompt
        conv = saved(app)
        assert conv.id == "20260101-000000-abcdef" and len(conv.messages) == 52


async def test_new_chat_starts_a_new_conversation(make_app, openrouter):
    replies(openrouter, "one", "two")
    app = make_app(model=R1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await send(pilot, "first")
        await settle(pilot)
        first = saved(app).id
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert main(app).chat.is_empty
        await send(pilot, "second")
        await settle(pilot)
        assert saved(app).id != first
        assert chat_bodies(openrouter)[-1]["messages"] == [
            {"role": "user", "content": "second"}]  # nothing of the old chat is sent


async def test_open_conversation_public_api_and_new_chat_method(make_app, openrouter,
                                                                isolated_env):
    store = ConversationStore.from_paths(Runtime.from_env().paths)
    store.create(long_conversation(turns=2))
    app = make_app(model=R1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        screen.open_conversation("20260101-000000-abcdef")
        await settle(pilot)
        assert len(screen.chat.query(".message")) == 4
        screen.new_chat()
        await settle(pilot)
        assert screen.chat.is_empty and screen.chat_log.conversation_id is None
        screen.set_model(LLAMA)
        assert str(screen.model) == LLAMA


async def test_regenerate_keeps_the_previous_reply_reachable(make_app, openrouter):
    replies(openrouter, "first answer", "second answer")
    app = make_app(model=R1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await send(pilot, "hi")
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        screen = main(app)
        old, new = screen.query(AssistantMessage)
        assert old.has_class("-replaced") and answer_text(old) == "first answer"
        assert answer_text(new) == "second answer"
        assert "version 2 of 2" in str(last_reply(app).border_subtitle)
        assert chat_bodies(openrouter)[-1]["messages"] == [{"role": "user", "content": "hi"}]
        conv = saved(app)
        assert [m.content for m in conv.messages] == ["hi", "second answer"]
        assert [a.content for a in conv.messages[1].alternatives] == ["first answer"]
        await pilot.press("ctrl+t")  # the copy dialog reaches the earlier version
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, CopyDialog)
        assert any("earlier version 1" in c.label and c.text == "first answer"
                   for c in dialog.items)
        await pilot.press("escape")


async def test_edit_and_resend_the_last_prompt(make_app, openrouter):
    replies(openrouter, "about cats", "about dogs")
    app = make_app(model=R1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await send(pilot, "tell me about cats")
        await settle(pilot)
        await pilot.press("ctrl+g")
        screen = main(app)
        assert screen.prompt.text == "tell me about cats" and screen.editing
        for _ in "cats":
            await pilot.press("backspace")
        await send(pilot, "dogs")
        await settle(pilot)
        old, new = screen.query(UserMessage)
        assert old.has_class("-replaced") and str(new.render()) == "tell me about dogs"
        assert answer_text(last_reply(app)) == "about dogs"
        assert chat_bodies(openrouter)[-1]["messages"] == [
            {"role": "user", "content": "tell me about dogs"}]
        conv = saved(app)
        assert [m.content for m in conv.messages] == ["tell me about dogs", "about dogs"]
        assert conv.messages[0].alternatives[0].content == "tell me about cats"
        assert not screen.editing


async def test_switch_model_mid_conversation(make_app, openrouter):
    replies(openrouter, "from r1", "from llama")
    app = make_app(model=R1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await send(pilot, "one")
        await settle(pilot)
        main(app).set_model(LLAMA)
        await send(pilot, "two")
        await settle(pilot)
        titles = [m.border_title for m in main(app).query(AssistantMessage)]
        assert titles == [R1, LLAMA]
        body = chat_bodies(openrouter)[-1]
        assert body["model"] == "meta-llama/llama-3.3-70b-instruct:free"
        assert [m["content"] for m in body["messages"]] == ["one", "from r1", "two"]
        assert [m.model for m in saved(app).messages if m.role == "assistant"] == [R1, LLAMA]


async def test_system_prompt_per_conversation(make_app, openrouter):
    replies(openrouter, "ok")
    app = make_app(model=R1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SystemPromptDialog)
        await pilot.press(*"Answer in French.", "ctrl+s")
        await settle(pilot)
        await send(pilot, "hi")
        await settle(pilot)
        assert chat_bodies(openrouter)[-1]["messages"][0] == {
            "role": "system", "content": "Answer in French."}
        assert saved(app).system == "Answer in French."


async def test_copy_a_code_block_to_the_clipboard(make_app, openrouter):
    text = "Here:\n\n```python\nprint('hi')\n```\n"
    replies(openrouter, text)
    app = make_app(model=R1)
    seen: list[Message] = []
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await settle(pilot)
        await send(pilot, "code please")
        await settle(pilot)
        await pilot.press("ctrl+t")
        await pilot.pause()
        labels = [c.label for c in app.screen.items]
        assert labels[0].startswith("reply · " + R1)
        assert labels[1].strip().startswith("code python · print('hi')")
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.clipboard == "print('hi')"
        assert any("characters copied" in n for n in notes(seen))
        await pilot.press("ctrl+t")
        await pilot.pause()
        await pilot.press("enter")  # the whole reply
        await pilot.pause()
        assert app.clipboard == text.rstrip("\n") or app.clipboard == text


async def test_D4_a_corrupt_conversation_is_a_notice_and_the_app_goes_on(openrouter,
                                                                         isolated_env):
    conversations = Runtime.from_env().paths.conversations_dir
    conversations.mkdir(parents=True)
    (conversations / "20260101-000000-bad000.json").write_bytes(b'{"schema": 1, "id": ')
    replies(openrouter, "fine")
    app = FreechatApp(Runtime.from_env(), model=R1, resume="20260101-000000-bad000",
                      clock=StepClock())
    seen: list[Message] = []
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await settle(pilot)
        said = [n for n in notes(seen) if "moved to" in n]
        assert len(said) == 1  # once, naming where the file went
        assert list(conversations.glob("*.corrupt-*"))
        await send(pilot, "still works?")
        await settle(pilot)
        assert answer_text(last_reply(app)) == "fine"
        assert saved(app).messages[-1].content == "fine"


async def test_D5_a_failed_save_is_shown_and_nothing_is_lost(make_app, openrouter,
                                                             monkeypatch):
    import freechat.core.store as store_module

    real = store_module.atomic_write

    def full_disk(*args, **kwargs):
        raise OSError(28, os.strerror(28))

    replies(openrouter, "kept in memory", "and saved")
    app = make_app(model=R1)
    seen: list[Message] = []
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await settle(pilot)
        monkeypatch.setattr(store_module, "atomic_write", full_disk)
        await send(pilot, "first")
        await settle(pilot)
        assert answer_text(last_reply(app)) == "kept in memory"  # the reply still streamed
        assert any(n.startswith("Not saved:") and "No space left" in n for n in notes(seen))
        await responds(pilot)
        monkeypatch.setattr(store_module, "atomic_write", real)
        await send(pilot, "second")
        await settle(pilot)
        assert [m.content for m in saved(app).messages] == [
            "first", "kept in memory", "second", "and saved"]


async def test_F30_a_reply_cut_short_by_a_crash_shows_marked_after_resume(openrouter,
                                                                          isolated_env):
    from freechat.core.conversation import new_conversation
    from freechat.core.events import TextDelta
    from freechat.core.turns import Turn

    store = ConversationStore.from_paths(Runtime.from_env().paths)
    conv = store.create(new_conversation("crash"))
    turn = Turn.begin(store, conv.id, model=R1, prompt="tell me")
    turn.record(TextDelta("Half of"))
    turn.record(TextDelta(" it"))
    turn.close()  # freechat was killed here: the journal stays on disk, unlocked
    app = FreechatApp(Runtime.from_env(), resume=conv.id, clock=StepClock())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reply = last_reply(app)
        assert answer_text(reply) == "Half of it"
        assert footer_text(reply).startswith("⚠ incomplete: freechat stopped before the reply")
        assert saved(app).messages[-1].status == "interrupted"
        await responds(pilot)
