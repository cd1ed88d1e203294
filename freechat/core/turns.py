"""A turn: one prompt and the reply streamed for it, saved so that nothing is lost.

    turn = Turn.begin(store, conv_id, model=ref, prompt="hi")   # prompt + placeholder saved
    async for event in record_stream(turn, session.send("hi", reply)):
        ...                                                       # each event journaled
    # the reply replaced its placeholder when the stream ended, however it ended

`begin` saves the prompt and a `streaming` placeholder and starts the journal under the store
lock, so no other freechat can see the placeholder without its live journal. `finish` puts
the reply (text, status, usage, timing, rate limits, provenance) in the placeholder's slot
and only then deletes the journal; if that save fails, the journal stays for the next load.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING

from freechat.core.conversation import (
    MODE_APPEND,
    STATUS_STREAMING,
    Conversation,
    StoredError,
    StoredMessage,
    new_message_id,
    now_iso,
    open_turn,
    settle,
)
from freechat.core.events import (
    Finished,
    Meta,
    RateLimits,
    ReasoningDelta,
    StreamEvent,
    TextDelta,
    Usage,
)
from freechat.core.journal import Journal
from freechat.core.models import ModelRef
from freechat.core.secret import redact
from freechat.core.store import ConversationStore, StoreWriteError

if TYPE_CHECKING:  # the session pulls in httpx; the store must not
    from freechat.core.session import Reply


def message_from_reply(reply: Reply, message_id: str, created_at: str) -> StoredMessage:
    """The record of a reply: never a key, never a header (error text is redacted)."""
    error = reply.error
    windows = reply.rate_windows
    return StoredMessage(
        id=message_id, role="assistant", content=reply.text, created_at=created_at,
        model=str(reply.model), reasoning=reply.reasoning,
        upstream_provider=reply.meta.upstream_provider,
        generation_id=reply.meta.generation_id,
        status=reply.status, finish_reason=reply.finish_reason,
        error=None if error is None else StoredError(error.type_name, redact(error.one_line())),
        usage=reply.usage, ttft_ms=reply.ttft_ms, total_ms=reply.total_ms,
        rate_limits=tuple(windows),
    )


class Turn:
    def __init__(self, store: ConversationStore, conversation: Conversation, message_id: str,
                 created_at: str, journal: Journal, clock: Callable[[], float]) -> None:
        self.store = store
        self.conversation = conversation  # the latest saved state
        self.message_id = message_id
        self.created_at = created_at
        self.journal: Journal | None = journal
        self._clock = clock
        self._started = clock()
        self._first_token = False

    @classmethod
    def begin(cls, store: ConversationStore, conversation_id: str, *, model: ModelRef | str,
              prompt: str | None, mode: str = MODE_APPEND,
              clock: Callable[[], float] = time.monotonic, **journal_options: object) -> Turn:
        """Save the prompt (None to regenerate) and the reply's placeholder; start the journal.

        `mode` is MODE_APPEND, MODE_REGENERATE or MODE_EDIT (see conversation.open_turn).
        """
        created = now_iso()
        message_id = new_message_id()
        placeholder = StoredMessage(message_id, "assistant", "", created, model=str(model),
                                    status=STATUS_STREAMING)
        user = None if prompt is None else StoredMessage(
            new_message_id(), "user", prompt, created, model=str(model))
        started: list[Journal] = []

        def start_journal(conv: Conversation) -> None:
            header = {"conversation": conv.id, "message": message_id, "model": str(model),
                      "created_at": created, "mode": mode}
            try:
                started.append(Journal.start(store.journal_dir, header, **journal_options))
            except OSError as error:  # the placeholder is settled as interrupted next load
                raise StoreWriteError(f"could not start the journal: {error.strerror}",
                                      hint="check disk space and permissions") from None

        conv = store.update(conversation_id, lambda c: open_turn(c, placeholder, user, mode),
                            then=start_journal)
        return cls(store, conv, message_id, created, started[0], clock)

    def record(self, event: StreamEvent) -> None:
        journal = self.journal
        if journal is None:
            return
        if isinstance(event, TextDelta | ReasoningDelta):
            if not self._first_token:
                self._first_token = True
                journal.add({"k": "ttft", "ms": round((self._clock() - self._started) * 1000)})
            kind = "text" if isinstance(event, TextDelta) else "reasoning"
            journal.add({"k": kind, "d": event.text})
        elif isinstance(event, Usage):
            journal.add({"k": "usage", "input_tokens": event.input_tokens,
                         "output_tokens": event.output_tokens,
                         "reasoning_tokens": event.reasoning_tokens, "cost": event.cost})
        elif isinstance(event, Meta):
            journal.add({"k": "meta", "upstream_provider": event.upstream_provider,
                         "generation_id": event.generation_id})
        elif isinstance(event, RateLimits):
            journal.add({"k": "rate", "windows": [
                {"name": w.name, "unit": w.unit, "limit": w.limit, "remaining": w.remaining,
                 "resets_at": w.resets_at, "source": w.source} for w in event.windows]})
        elif isinstance(event, Finished):
            journal.add({"k": "finish", "reason": event.reason})

    def finish(self, reply: Reply) -> Conversation:
        """Save the reply in its slot. May be called again if the save failed (StoreWriteError)."""
        final = message_from_reply(reply, self.message_id, self.created_at)
        if self.journal is not None:
            with contextlib.suppress(OSError):  # if the save below fails, the journal has it
                self.journal.flush()
        self.conversation = self.store.update(self.conversation.id, lambda c: settle(c, final))
        self.close(delete=True)
        return self.conversation

    def close(self, *, delete: bool = False) -> None:
        """Stop journaling. Without `delete`, the next load recovers the reply from it."""
        if self.journal is not None:
            self.journal.close(delete=delete)
            self.journal = None


async def record_stream(turn: Turn, events: AsyncIterator[StreamEvent],
                        reply: Reply) -> AsyncIterator[StreamEvent]:
    """Journal each event of `events` (a `session.send(...)` stream for `reply`) and save the
    reply when the stream ends, whether it finished, failed or was cancelled."""
    try:
        async for event in events:
            turn.record(event)
            yield event
    finally:
        turn.finish(reply)
