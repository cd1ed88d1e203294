"""ChatSession: one conversation with one model, driven by the app and by `freechat ask`.

It owns the message history and turns an adapter's events into a `Reply` record: text,
reasoning, usage, provenance, finish reason or how it was interrupted, timing and the rate
limits seen. The partial reply is kept whatever happens, including cancellation.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from freechat.core.errors import Cancelled, FreechatError, ProtocolError, StreamInterrupted
from freechat.core.events import (
    Finished,
    Meta,
    RateLimits,
    RateWindow,
    ReasoningDelta,
    StreamEvent,
    TextDelta,
    Usage,
)
from freechat.core.models import ChatMessage, ModelRef
from freechat.core.text import DeltaCleaner, clean_surrogates

if TYPE_CHECKING:
    # The adapters pull in httpx: the app's first frame must not wait for it.
    from freechat.core.providers.base import ChatRequest, HTTPAdapter
    from freechat.core.retry import QuotaGuard
    from freechat.core.throttle import Throttled

# How a reply ended (RELIABILITY §3.4).
STATUS_STREAMING = "streaming"
STATUS_COMPLETE = "complete"
STATUS_ERROR = "error"
STATUS_INCOMPLETE = "incomplete"
STATUS_CANCELLED = "cancelled"


@dataclass
class Reply:
    model: ModelRef
    started_at: float
    text_parts: list[str] = field(default_factory=list)
    reasoning_parts: list[str] = field(default_factory=list)
    usage: Usage | None = None
    meta: Meta = field(default_factory=Meta)
    finish_reason: str | None = None
    status: str = STATUS_STREAMING
    error: FreechatError | None = None
    first_token_at: float | None = None
    ended_at: float | None = None
    rate_windows: tuple[RateWindow, ...] = ()

    @property
    def text(self) -> str:
        return "".join(self.text_parts)

    @property
    def reasoning(self) -> str:
        return "".join(self.reasoning_parts)

    @property
    def ttft_ms(self) -> int | None:
        if self.first_token_at is None:
            return None
        return round((self.first_token_at - self.started_at) * 1000)

    @property
    def total_ms(self) -> int | None:
        if self.ended_at is None:
            return None
        return round((self.ended_at - self.started_at) * 1000)

    def record(self, event: StreamEvent, now: float) -> None:
        if isinstance(event, TextDelta | ReasoningDelta) and self.first_token_at is None:
            self.first_token_at = now
        if isinstance(event, TextDelta):
            self.text_parts.append(event.text)
        elif isinstance(event, ReasoningDelta):
            self.reasoning_parts.append(event.text)
        elif isinstance(event, Usage):
            self.usage = event
        elif isinstance(event, Meta):
            self.meta = event
        elif isinstance(event, RateLimits):
            self.rate_windows = event.windows
        elif isinstance(event, Finished):
            self.finish_reason = event.reason
            self.status = STATUS_COMPLETE

    def fail(self, error: FreechatError, now: float) -> None:
        self.error = error
        if isinstance(error, Cancelled):
            self.status = STATUS_CANCELLED
        elif self.text_parts or self.reasoning_parts:
            self.status = STATUS_INCOMPLETE
        else:
            self.status = STATUS_ERROR
        self.ended_at = now


AdapterFactory = Callable[[str], "HTTPAdapter"]


class ChatSession:
    def __init__(
        self,
        model: ModelRef,
        adapter: HTTPAdapter,
        *,
        system: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        guard: QuotaGuard | None = None,
    ) -> None:
        self.model = model
        self.adapter = adapter
        self.system = system
        self.guard = guard  # throttle, retries before a reply starts, quota ledger
        self.history: list[ChatMessage] = []
        self._clock = clock

    def switch_model(self, model: ModelRef, adapter: HTTPAdapter) -> None:
        self.model, self.adapter = model, adapter

    def load_history(self, messages: list[ChatMessage], system: str | None = None) -> None:
        """Continue a saved conversation (`Conversation.chat_messages()`, `.system`)."""
        self.history = list(messages)
        self.system = system

    def retract_last_turn(self) -> str | None:
        """Take the last prompt and its reply out of the history and return the prompt.

        For regenerate (send it again) and edit-and-resend (send an edited one); the saved
        conversation keeps the old versions (see core/turns.py).
        """
        while self.history and self.history[-1].role != "user":
            self.history.pop()
        return self.history.pop().content if self.history else None

    def request_for(self, prompt: str) -> ChatRequest:
        from freechat.core.providers.base import ChatRequest

        messages = []
        if self.system:
            messages.append(ChatMessage("system", self.system))
        messages.extend(self.history)
        messages.append(ChatMessage("user", prompt))
        # Whoever typed or loaded it, the request must encode: argv can carry lone surrogates.
        messages = [m if (text := clean_surrogates(m.content)) is m.content
                    else ChatMessage(m.role, text) for m in messages]
        return ChatRequest(model=self.model.model, messages=messages)

    async def send(self, prompt: str, reply: Reply | None = None) -> AsyncIterator[StreamEvent]:
        """Stream one reply. Events are recorded into `reply` (pass one in to watch it).

        Errors are recorded on the reply and re-raised; cancellation is recorded as
        `Cancelled` and re-raised as CancelledError so asyncio semantics hold.
        """
        reply = reply or Reply(self.model, self._clock())
        self.last_reply = reply
        prompt = clean_surrogates(prompt)
        request = self.request_for(prompt)
        self.history.append(ChatMessage("user", prompt))
        cleaner = DeltaCleaner()
        try:
            async for raw in self._stream(request):
                for event in cleaner.feed(raw):
                    reply.record(event, self._clock())
                    yield event
            if reply.status == STATUS_STREAMING:  # the adapter ended without `Finished`
                raise StreamInterrupted(
                    "the reply stream ended early, before the provider said it was finished",
                    provider=self.model.provider, hint="the partial reply was kept; try again",
                )
        except FreechatError as error:
            reply.fail(error, self._clock())
            self._keep(reply)
            raise
        except asyncio.CancelledError:
            reply.fail(Cancelled("stopped by user", provider=self.model.provider), self._clock())
            self._keep(reply)
            raise
        except Exception as error:  # a bug or an unexpected library error: still keep text
            wrapped = ProtocolError(
                f"unexpected {type(error).__name__} while reading the reply",
                provider=self.model.provider, hint="the partial reply was kept; try again",
            )
            reply.fail(wrapped, self._clock())
            self._keep(reply)
            raise wrapped from None
        reply.ended_at = self._clock()
        self._keep(reply)

    def _stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent | Throttled]:
        """The adapter's stream, through the quota guard when there is one (it may also yield
        `Throttled` while a request waits for the rate limit or a retry)."""
        if self.guard is None:
            return self.adapter.stream_chat(request)
        adapter = self.adapter
        return self.guard.stream(self.model, lambda: adapter.stream_chat(request))

    def _keep(self, reply: Reply) -> None:
        if reply.text:
            self.history.append(ChatMessage("assistant", reply.text))
