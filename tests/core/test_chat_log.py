"""ChatLog: the chat screen's turns saved into one conversation (issue 6), failures retried."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from freechat.core.chat_log import ChatLog, reply_from_message
from freechat.core.conversation import MODE_EDIT, MODE_REGENERATE, StoredMessage
from freechat.core.errors import Cancelled, StreamInterrupted
from freechat.core.events import Finished, TextDelta, Usage
from freechat.core.models import ModelRef
from freechat.core.session import Reply
from freechat.core.store import ConversationStore, StoreWriteError
from freechat.core.turns import message_from_reply

REF = ModelRef("openrouter", "x:free")
OTHER = ModelRef("groq", "llama-3.1-8b-instant")


@pytest.fixture
def log(isolated_env: Path) -> ChatLog:
    store = ConversationStore(isolated_env / "conversations",
                              isolated_env / "state" / "journals", lock_timeout=5.0)
    return ChatLog(store)


def done(ref: ModelRef, text: str) -> Reply:
    reply = Reply(ref, 1.0)
    reply.record(TextDelta(text), 1.2)
    reply.record(Usage(3, 4), 1.3)
    reply.record(Finished("stop"), 1.4)
    reply.ended_at = 1.5
    return reply


def turn(log: ChatLog, ref: ModelRef, prompt: str, text: str, mode: str = "append") -> None:
    t = log.begin(ref, prompt, mode)
    t.record(TextDelta(text))
    log.finish(t, done(ref, text))


def test_first_turn_creates_a_titled_conversation_and_later_turns_append(log: ChatLog):
    turn(log, REF, "What is a monad?\nin short", "A monoid.")
    turn(log, OTHER, "and a functor?", "A map.")  # switched model mid-conversation
    conv = log.store.load(log.conversation_id)
    assert conv.title == "What is a monad?"
    assert [(m.role, m.content, m.model) for m in conv.messages] == [
        ("user", "What is a monad?\nin short", str(REF)), ("assistant", "A monoid.", str(REF)),
        ("user", "and a functor?", str(OTHER)), ("assistant", "A map.", str(OTHER))]
    assert conv.messages[1].usage == Usage(3, 4) and conv.messages[1].status == "complete"


def test_regenerate_and_edit_keep_the_earlier_versions(log: ChatLog):
    turn(log, REF, "hi", "first answer")
    turn(log, OTHER, "hi", "second answer", MODE_REGENERATE)
    conv = log.store.load(log.conversation_id)
    assert [m.content for m in conv.messages] == ["hi", "second answer"]
    assert [a.content for a in conv.messages[1].alternatives] == ["first answer"]
    turn(log, REF, "hello!", "third answer", MODE_EDIT)
    conv = log.store.load(log.conversation_id)
    assert [m.content for m in conv.messages] == ["hello!", "third answer"]
    assert [a.content for a in conv.messages[0].alternatives] == ["hi"]
    assert [a.content for a in conv.messages[1].alternatives] == [
        "first answer", "second answer"]


def test_system_prompt_before_and_after_the_conversation_exists(log: ChatLog):
    log.set_system("Answer in French.")
    turn(log, REF, "hi", "salut")
    assert log.store.load(log.conversation_id).system == "Answer in French."
    log.set_system("  ")
    assert log.store.load(log.conversation_id).system is None


def test_D5_a_failed_save_keeps_the_reply_and_is_retried(log: ChatLog, monkeypatch):
    turn(log, REF, "one", "first")
    t = log.begin(REF, "two", "append")
    t.record(TextDelta("kept"))
    real_replace = os.replace

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(StoreWriteError):
        log.finish(t, done(REF, "kept"))
    assert len(log.pending) == 1  # the journal still holds it
    assert log.conversation.messages[-1].content == "kept"  # and the chat still shows it
    monkeypatch.setattr(os, "replace", real_replace)
    turn(log, REF, "three", "third")  # the next turn saves the pending reply first
    assert log.pending == []
    conv = log.store.load(log.conversation_id)
    assert [m.content for m in conv.messages] == ["one", "first", "two", "kept", "three",
                                                  "third"]


def test_open_by_prefix_and_a_deleted_conversation_starts_a_new_one(log: ChatLog):
    turn(log, REF, "hi", "there")
    first = log.conversation_id
    log.reset()
    assert log.open(first[:12]).id == first and log.conversation_id == first
    log.store.delete(first)
    turn(log, REF, "still here?", "yes")
    assert log.conversation_id != first
    assert [m.content for m in log.store.load(log.conversation_id).messages] == [
        "still here?", "yes"]


def test_reply_from_message_round_trips_what_the_footer_shows():
    reply = done(REF, "text")
    back = reply_from_message(message_from_reply(reply, "m1", "2026-01-01T00:00:00Z"))
    assert (back.text, back.status, back.finish_reason, back.usage) == (
        "text", "complete", "stop", Usage(3, 4))
    assert (back.ttft_ms, back.total_ms) == (reply.ttft_ms, reply.total_ms)
    stopped = Reply(REF, 1.0, ["part"])
    stopped.fail(Cancelled("stopped by user"), 2.0)
    again = reply_from_message(message_from_reply(stopped, "m2", "2026-01-01T00:00:00Z"))
    assert again.status == "cancelled" and isinstance(again.error, Cancelled)
    recovered = StoredMessage("m3", "assistant", "half", "t", model=str(REF),
                              status="interrupted")
    assert isinstance(reply_from_message(recovered).error, StreamInterrupted)


def test_D5_a_turn_that_could_not_begin_is_written_with_the_next_save(log: ChatLog,
                                                                      monkeypatch):
    import freechat.core.store as store_module

    real = store_module.atomic_write

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(store_module, "atomic_write", read_only)
    with pytest.raises(StoreWriteError):
        log.begin(REF, "first prompt", "append")
    log.keep_unsaved("first prompt", done(REF, "first reply"))
    monkeypatch.setattr(store_module, "atomic_write", real)
    turn(log, REF, "second prompt", "second reply")
    conv = log.store.load(log.conversation_id)
    assert conv.title == "first prompt"
    assert [m.content for m in conv.messages] == [
        "first prompt", "first reply", "second prompt", "second reply"]
    assert log.unsaved == []
