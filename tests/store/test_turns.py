"""Turns and journals: a reply is saved however its stream ends, and recovered after a kill."""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from freechat.core.conversation import (
    MODE_EDIT,
    MODE_REGENERATE,
    STATUS_INTERRUPTED,
    STATUS_STREAMING,
    new_conversation,
)
from freechat.core.errors import ProviderError
from freechat.core.events import Finished, Meta, RateLimits, RateWindow, TextDelta, Usage
from freechat.core.journal import Journal, parse_journal
from freechat.core.models import ChatMessage, ModelRef
from freechat.core.runtime import Runtime
from freechat.core.session import ChatSession, Reply
from freechat.core.store import ConversationStore, StoreWriteError
from freechat.core.turns import Turn, record_stream
from tests.conftest import TEST_KEY
from tests.fakes.openai_stream import openrouter_stream
from tests.fakes.server import FakeProviderServer, FakeResponse

REF = ModelRef("openrouter", "x:free")


def _begin(store: ConversationStore, prompt: str | None = "hello", **kw: object) -> Turn:
    conv_id = kw.pop("conv_id", None) or store.create(new_conversation("t")).id
    return Turn.begin(store, str(conv_id), model=REF, prompt=prompt, **kw)  # type: ignore[arg-type]


def _journals(store: ConversationStore) -> list[Path]:
    return sorted(store.journal_dir.glob("*.journal"))


def _other(store: ConversationStore) -> ConversationStore:
    """The same files seen by a second freechat process (its own lock fds)."""
    return ConversationStore(store.directory, store.journal_dir, lock_timeout=5)


def test_turn_saves_prompt_and_placeholder_before_streaming(store: ConversationStore) -> None:
    turn = _begin(store)
    saved = _other(store).load(turn.conversation.id)  # the journal is live: left alone
    user, placeholder = saved.messages
    assert (user.role, user.content) == ("user", "hello")
    assert (placeholder.id, placeholder.status) == (turn.message_id, STATUS_STREAMING)
    assert len(_journals(store)) == 1
    turn.close(delete=True)


def test_finished_turn_records_everything(store: ConversationStore) -> None:
    turn = _begin(store)
    reply = Reply(REF, started_at=100.0)
    events = [Meta(upstream_provider="Chutes", generation_id="gen-9"), TextDelta("Hi"),
              TextDelta(" there"), Usage(9, 2, None, 0.0),
              RateLimits((RateWindow("requests/minute", "requests", 20, 19, 1.7e9),)),
              Finished("stop")]
    for n, event in enumerate(events):
        reply.record(event, 100.0 + n / 10)
        turn.record(event)
    reply.ended_at = 101.0
    conv = turn.finish(reply)
    final = conv.messages[-1]
    assert (final.id, final.content, final.status, final.finish_reason) == (
        turn.message_id, "Hi there", "complete", "stop")
    assert (final.model, final.upstream_provider, final.generation_id) == (
        "openrouter/x:free", "Chutes", "gen-9")
    assert (final.ttft_ms, final.total_ms, final.usage) == (100, 1000, Usage(9, 2, None, 0.0))
    assert final.rate_limits[0].remaining == 19
    assert _journals(store) == []
    assert store.load(conv.id) == conv


def test_D3_killed_turn_is_replayed_marked_interrupted(store: ConversationStore) -> None:
    turn = _begin(store)
    for event in (Meta(upstream_provider="Chutes"), TextDelta("partial "), TextDelta("reply")):
        turn.record(event)
    assert turn.journal is not None
    turn.journal.flush()
    os.close(turn.journal._fd)  # what SIGKILL does: the fd (and its lock) just go away
    turn.journal._fd = None
    conv = _other(store).load(turn.conversation.id)
    recovered = conv.messages[-1]
    assert (recovered.content, recovered.status) == ("partial reply", STATUS_INTERRUPTED)
    assert recovered.upstream_provider == "Chutes"
    assert recovered.error is not None and "stopped before" in recovered.error.message
    assert _journals(store) == []
    assert store.load(conv.id) == conv  # replayed once, then it is just a conversation


def test_D3_placeholder_without_journal_is_settled(store: ConversationStore) -> None:
    turn = _begin(store)
    os.close(turn.journal._fd)  # type: ignore[union-attr]
    turn.journal._fd = None  # type: ignore[union-attr]
    turn.journal.path.unlink()  # type: ignore[union-attr]  # killed before the first flush
    conv = _other(store).load(turn.conversation.id)
    assert conv.messages[-1].status == STATUS_INTERRUPTED
    assert conv.messages[-1].content == ""


def test_live_journal_is_left_alone_and_listing_still_works(store: ConversationStore) -> None:
    turn = _begin(store)
    turn.record(TextDelta("streaming now"))
    turn.journal.flush()  # type: ignore[union-attr]
    other = _other(store)
    assert [s.messages for s in other.list()] == [2]
    assert other.load(turn.conversation.id).messages[-1].status == STATUS_STREAMING
    assert len(_journals(store)) == 1


def test_journal_torn_last_line_is_ignored(tmp_path: Path) -> None:
    journal = Journal.start(tmp_path, {"conversation": "c1", "message": "m1"})
    journal.text("kept")
    journal.flush()
    journal.close(delete=False)
    with open(journal.path, "ab") as handle:
        handle.write(b'{"k":"text","d":"lo')  # the write a kill cut short
    state = parse_journal(journal.path.read_bytes())
    assert state is not None and state.text == "kept"
    assert parse_journal(b'{"k":"text","d":"no header"}\n') is None
    assert parse_journal(b"") is None


def test_journal_writes_at_most_every_interval(tmp_path: Path) -> None:
    now = [0.0]
    journal = Journal.start(tmp_path, {"conversation": "c1", "message": "m1"},
                            interval=0.2, clock=lambda: now[0])
    size = journal.path.stat().st_size
    journal.text("a")
    journal.text("b")
    now[0] = 0.1
    journal.text("c")
    assert journal.path.stat().st_size == size  # nothing written within the interval
    now[0] = 0.2
    journal.text("d")
    lines = journal.path.read_bytes().splitlines()
    assert json.loads(lines[-1]) == {"k": "text", "d": "abcd"}  # coalesced, one write
    journal.close(delete=True)
    assert not journal.path.exists()


async def test_journal_timer_flushes_a_pausing_reply(tmp_path: Path) -> None:
    journal = Journal.start(tmp_path, {"conversation": "c1", "message": "m1"},
                            interval=0.05, clock=lambda: 0.0)
    journal.text("then silence")
    assert b"then silence" not in journal.path.read_bytes()
    await asyncio.sleep(0.3)  # the timer (0.05 s) fires within this
    assert b"then silence" in journal.path.read_bytes()
    journal.close(delete=True)


def test_failed_final_save_keeps_the_journal(store: ConversationStore,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    turn = _begin(store)
    reply = Reply(REF, time.monotonic())
    for event in (TextDelta("precious"), Finished("stop")):
        reply.record(event, time.monotonic())
        turn.record(event)
    real = os.replace
    monkeypatch.setattr(os, "replace", lambda *a: (_ for _ in ()).throw(OSError(28, "full")))
    with pytest.raises(StoreWriteError):
        turn.finish(reply)
    monkeypatch.setattr(os, "replace", real)
    assert len(_journals(store)) == 1
    turn.close()  # give up: the next start recovers it
    recovered = _other(store).load(turn.conversation.id).messages[-1]
    assert (recovered.content, recovered.status, recovered.finish_reason) == (
        "precious", "complete", "stop")


def test_regenerate_and_edit_keep_earlier_versions(store: ConversationStore) -> None:
    first = _begin(store, "What is 2+2?")
    conv_id = first.conversation.id
    reply = Reply(REF, 0.0)
    reply.record(TextDelta("5"), 0.1)
    reply.record(Finished("stop"), 0.2)
    first.finish(reply)

    again = Turn.begin(store, conv_id, model=REF, prompt=None, mode=MODE_REGENERATE)
    reply2 = Reply(REF, 0.0)
    reply2.record(TextDelta("4"), 0.1)
    conv = again.finish(reply2)
    assert [m.content for m in conv.messages] == ["What is 2+2?", "4"]
    assert [a.content for a in conv.messages[1].alternatives] == ["5"]

    edit = Turn.begin(store, conv_id, model=ModelRef("groq", "llama"), prompt="What is 3+3?",
                      mode=MODE_EDIT)
    reply3 = Reply(ModelRef("groq", "llama"), 0.0)
    reply3.record(TextDelta("6"), 0.1)
    conv = edit.finish(reply3)
    assert [m.content for m in conv.messages] == ["What is 3+3?", "6"]
    assert [a.content for a in conv.messages[0].alternatives] == ["What is 2+2?"]
    assert [a.content for a in conv.messages[1].alternatives] == ["5", "4"]
    assert conv.models == ["groq/llama"]
    assert conv.chat_messages() == [ChatMessage("user", "What is 3+3?"),
                                    ChatMessage("assistant", "6")]


def test_session_history_from_a_conversation_and_retract() -> None:
    session = ChatSession(REF, adapter=None)  # type: ignore[arg-type]
    session.load_history([ChatMessage("user", "a"), ChatMessage("assistant", "b")], "sys")
    assert session.request_for("c").messages[0] == ChatMessage("system", "sys")
    assert session.retract_last_turn() == "a"
    assert session.history == []
    assert session.retract_last_turn() is None


async def test_record_stream_saves_a_failed_stream_with_redacted_error(
        store: ConversationStore) -> None:
    turn = _begin(store)
    reply = Reply(REF, 0.0)

    async def events() -> AsyncIterator:
        for event in (TextDelta("half an "), TextDelta("answer")):
            reply.record(event, 0.1)
            yield event
        reply.fail(ProviderError(f"upstream said Bearer {TEST_KEY}", provider="openrouter"), 1)
        raise reply.error  # type: ignore[misc]

    with pytest.raises(ProviderError):
        async for _ in record_stream(turn, events(), reply):
            pass
    saved = store.load(turn.conversation.id).messages[-1]
    assert (saved.content, saved.status) == ("half an answer", "incomplete")
    assert saved.error is not None and saved.error.type == "ProviderError"
    assert TEST_KEY not in store.path(turn.conversation.id).read_text()


async def test_real_session_against_fake_server(store: ConversationStore,
                                                fake_server: FakeProviderServer,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    fake_server.route("POST", "/chat/completions",
                      FakeResponse.sse(openrouter_stream(["Hel", "lo"])))
    monkeypatch.setenv("FREECHAT_OPENROUTER_BASE_URL", fake_server.url)
    monkeypatch.setenv("OPENROUTER_API_KEY", TEST_KEY)
    runtime = Runtime.from_env()
    async with runtime.make_client() as client:
        session = ChatSession(REF, runtime.adapter("openrouter", client))
        turn = _begin(store, "hi")
        reply = Reply(REF, time.monotonic())
        async for _ in record_stream(turn, session.send("hi", reply), reply):
            pass
    saved = store.load(turn.conversation.id).messages[-1]
    assert (saved.content, saved.status, saved.finish_reason) == ("Hello", "complete", "stop")
    assert saved.upstream_provider == "Chutes" and saved.usage is not None
    assert saved.total_ms is not None and saved.ttft_ms is not None
    raw = store.path(turn.conversation.id).read_text()
    assert TEST_KEY not in raw and "Authorization" not in raw and "127.0.0.1" not in raw
