"""The chat screen's saved conversation: every turn goes into one conversation file.

    log = ChatLog(ConversationStore.from_paths(paths))
    turn = log.begin(ref, "hi")          # in a thread: creates the conversation on first use
    ... turn.record(event) for each event, on the loop (the journal) ...
    await log.afinish(turn, reply)       # the reply saved in its slot, off the event loop

A save that fails (full disk, read-only dir, a lock held too long) raises a FreechatError for
the UI to show; the reply is never lost: its journal stays on disk and the save is retried
before the next turn (and replayed by the store on the next start if freechat quits first).
The blocking methods (`open`, `begin`, `finish`, `set_system`) belong in a worker thread.
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
    title_from_prompt,
)
from freechat.core.errors import Cancelled, FreechatError, StreamInterrupted
from freechat.core.events import Meta
from freechat.core.models import ModelRef
from freechat.core.session import STATUS_CANCELLED, Reply
from freechat.core.store import ConversationStore
from freechat.core.turns import Turn

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
        self._clock = clock
        # Turns whose final save failed: retried before the next turn (their journals hold
        # the replies meanwhile).
        self.pending: list[tuple[Turn, Reply]] = []

    # --- blocking: call these in a thread ---------------------------------------------------
    def open(self, text: str) -> Conversation:
        """Continue the conversation `text` (an id or a unique prefix of one)."""
        conv = self.store.load(text)
        self.conversation_id, self.system = conv.id, conv.system
        return conv

    def reset(self) -> None:
        """A new chat: the next prompt starts a new conversation."""
        self.conversation_id, self.system = None, None

    def begin(self, ref: ModelRef, prompt: str, mode: str = MODE_APPEND) -> Turn:
        """Save `prompt` (the prompt being answered, also for MODE_REGENERATE) and the reply's
        placeholder; the conversation is created on the first turn, titled from the prompt."""
        self.retry_pending()
        if self.conversation_id is not None:
            try:
                return Turn.begin(self.store, self.conversation_id, model=ref, clock=self._clock,
                                  prompt=None if mode == MODE_REGENERATE else prompt, mode=mode)
            except ConversationNotFound:  # deleted meanwhile: keep talking in a new one
                self.conversation_id = None
        conv = self.store.create(new_conversation(title_from_prompt(prompt), system=self.system))
        self.conversation_id = conv.id
        return Turn.begin(self.store, conv.id, model=ref, prompt=prompt, mode=MODE_APPEND,
                          clock=self._clock)

    def finish(self, turn: Turn, reply: Reply) -> Conversation:
        try:
            return turn.finish(reply)
        except FreechatError:
            if not any(t is turn for t, _ in self.pending):
                self.pending.append((turn, reply))
            raise

    def retry_pending(self) -> None:
        """Save replies whose save failed before; the first error that remains is raised."""
        while self.pending:
            turn, reply = self.pending[0]
            turn.finish(reply)
            self.pending.pop(0)

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

