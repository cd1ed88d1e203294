"""The chat screen's saved conversation: every turn goes into one conversation file.

    log = ChatLog(ConversationStore.from_paths(paths))
    turn = log.begin(ref, "hi")          # in a thread: creates the conversation on first use
    ... turn.record(event) for each event, on the loop (the journal) ...
    await log.afinish(turn, reply)       # the reply saved in its slot, off the event loop

A save that fails (full disk, read-only dir, a lock held too long) raises a FreechatError for
the UI to show; the reply is never lost: its journal stays on disk and the save is retried
before the next turn (and replayed by the store on the next start if freechat quits first).
A turn that could not even begin on disk is kept in memory (`keep_unsaved`) and written with
the next save that works. The blocking methods (`open`, `begin`, `finish`, `set_system`)
belong in a worker thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable

from freechat.core.conversation import (
    MODE_APPEND,
    MODE_REGENERATE,
    STATUS_INTERRUPTED,
    Conversation,
    ConversationNotFound,
    StoredMessage,
    new_conversation,
    new_message_id,
    now_iso,
    open_turn,
    settle,
    title_from_prompt,
)
from freechat.core.errors import Cancelled, FreechatError, StreamInterrupted
from freechat.core.events import Meta
from freechat.core.models import ModelRef
from freechat.core.session import STATUS_CANCELLED, Reply
from freechat.core.store import ConversationStore
from freechat.core.turns import Turn, message_from_reply

_ERRORS: dict[str, type[FreechatError]] = {
    "Cancelled": Cancelled, "StreamInterrupted": StreamInterrupted,
    "Interrupted": StreamInterrupted,
}


class ChatLog:
    def __init__(self, store: ConversationStore, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        self.conversation_id: str | None = None
        self.system: str | None = None
        # The latest state of the conversation as this chat knows it: the saved one, plus
        # any reply whose save failed (so the UI still shows and copies it).
        self.conversation: Conversation | None = None
        self._clock = clock
        # Turns whose final save failed: retried before the next turn (their journals hold
        # the replies meanwhile).
        self.pending: list[tuple[Turn, Reply]] = []
        # Turns that could not even begin (no placeholder on disk): written by the next save
        # that works, in order: (prompt or None, reply, mode).
        self.unsaved: list[tuple[StoredMessage | None, StoredMessage, str]] = []

    # --- blocking: call these in a thread ---------------------------------------------------
    def open(self, text: str) -> Conversation:
        """Continue the conversation `text` (an id or a unique prefix of one)."""
        conv = self.store.load(text)
        self.conversation_id, self.system, self.conversation = conv.id, conv.system, conv
        return conv

    def reset(self) -> None:
        """A new chat: the next prompt starts a new conversation."""
        self.conversation_id, self.system, self.conversation = None, None, None

    def begin(self, ref: ModelRef, prompt: str, mode: str = MODE_APPEND) -> Turn:
        """Save `prompt` (the prompt being answered, also for MODE_REGENERATE) and the reply's
        placeholder; the conversation is created on the first turn, titled from the prompt."""
        self.retry_pending()
        turn: Turn | None = None
        if self.conversation_id is not None:
            try:
                self._write_unsaved()
                turn = Turn.begin(self.store, self.conversation_id, model=ref, clock=self._clock,
                                  prompt=None if mode == MODE_REGENERATE else prompt, mode=mode)
            except ConversationNotFound:  # deleted meanwhile: keep talking in a new one
                self.conversation_id = None
        if turn is None:
            first = next((u.content for u, _, _ in self.unsaved if u is not None), prompt)
            conv = self.store.create(new_conversation(title_from_prompt(first),
                                                      system=self.system))
            self.conversation_id = conv.id
            if not self._write_unsaved():  # a new conversation: this prompt starts it
                mode = MODE_APPEND
            turn = Turn.begin(self.store, conv.id, model=ref, clock=self._clock,
                              prompt=None if mode == MODE_REGENERATE else prompt, mode=mode)
        self.conversation = turn.conversation
        return turn

    def keep_unsaved(self, prompt: str, reply: Reply, mode: str = MODE_APPEND) -> None:
        """A turn that could not begin on disk: kept here, written with the next save."""
        created = now_iso()
        user = None if mode == MODE_REGENERATE else StoredMessage(
            new_message_id(), "user", prompt, created, model=str(reply.model))
        answer = message_from_reply(reply, new_message_id(), created)
        self.unsaved.append((user, answer, mode))
        if self.conversation is not None:
            open_turn(self.conversation, answer, user, mode)

    def _write_unsaved(self) -> bool:
        if not self.unsaved or self.conversation_id is None:
            return False
        turns = list(self.unsaved)

        def add(conv: Conversation) -> None:
            for user, answer, mode in turns:
                open_turn(conv, answer, user, mode)

        self.conversation = self.store.update(self.conversation_id, add)
        self.unsaved.clear()
        return True

    def finish(self, turn: Turn, reply: Reply) -> Conversation:
        try:
            self.conversation = turn.finish(reply)
            return self.conversation
        except FreechatError:
            if not any(t is turn for t, _ in self.pending):
                self.pending.append((turn, reply))
            if self.conversation is not None and self.conversation.id == turn.conversation.id:
                settle(self.conversation,
                       message_from_reply(reply, turn.message_id, turn.created_at))
            raise

    def retry_pending(self) -> None:
        """Save replies whose save failed before; the first error that remains is raised."""
        while self.pending:
            turn, reply = self.pending[0]
            saved = turn.finish(reply)
            self.pending.pop(0)
            if self.conversation is not None and saved.id == self.conversation.id:
                self.conversation = saved

    def set_system(self, text: str | None) -> None:
        self.system = text.strip() if text and text.strip() else None
        if self.conversation_id is not None:
            system = self.system
            self.store.update(self.conversation_id, lambda c: setattr(c, "system", system))

    def close(self) -> None:
        """Quitting: journals of unsaved replies stay on disk for the next start to replay."""
        for turn, _ in self.pending:
            turn.close(delete=False)
        self.pending.clear()

    # --- on the event loop -------------------------------------------------------------------
    async def abegin(self, ref: ModelRef, prompt: str, mode: str = MODE_APPEND) -> Turn:
        return await asyncio.to_thread(self.begin, ref, prompt, mode)

    async def afinish(self, turn: Turn, reply: Reply) -> Conversation:
        """Save the reply off the loop. Shielded: a second cancel cannot stop the save."""
        if turn.journal is not None:
            # Flush on the loop that owns the journal's timer, so the thread finds it idle.
            with contextlib.suppress(OSError):
                turn.journal.flush()
        return await asyncio.shield(asyncio.to_thread(self.finish, turn, reply))


def reply_from_message(message: StoredMessage) -> Reply:
    """A saved assistant message as a finished Reply (what the chat view shows for it)."""
    try:
        ref = ModelRef.parse(message.model or "")
    except FreechatError:
        ref = ModelRef("unknown", message.model or "unknown")
    reply = Reply(ref, 0.0, [message.content] if message.content else [],
                  [message.reasoning] if message.reasoning else [], usage=message.usage,
                  meta=Meta(message.upstream_provider, message.generation_id),
                  finish_reason=message.finish_reason, status=message.status or "complete",
                  rate_windows=tuple(message.rate_limits))
    if message.ttft_ms is not None:
        reply.first_token_at = message.ttft_ms / 1000
    if message.total_ms is not None:
        reply.ended_at = message.total_ms / 1000
    if message.error is not None:
        kind = _ERRORS.get(message.error.type, FreechatError)
        reply.error = kind(message.error.message)
    elif message.status == STATUS_INTERRUPTED:
        reply.error = StreamInterrupted("freechat stopped before the reply finished")
    elif message.status == STATUS_CANCELLED:
        reply.error = Cancelled("stopped by user")
    return reply

