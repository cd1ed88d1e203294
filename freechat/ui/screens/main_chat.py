"""The main screen's chat turn: stream one reply into the chat view and save it.

Mixed into MainScreen. One turn: the prompt and a reply placeholder are saved first (in a
thread), the reply streams (each event journaled), and however it ends — finished, failed,
stopped — the footer says so and the reply is saved in its slot before the prompt is free
again. A save that fails is shown and retried later; the reply is never lost (core/chat_log).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from textual import work

from freechat.core.errors import Cancelled, FreechatError
from freechat.core.models import ModelRef
from freechat.core.secret import redact
from freechat.ui.widgets.status_bar import streaming_state

if TYPE_CHECKING:
    # The turn's machinery loads with the first prompt, not on the way to the first frame.
    from freechat.core.session import ChatSession, Reply
    from freechat.core.throttle import Throttled
    from freechat.core.turns import Turn
    from freechat.ui.widgets.message import AssistantMessage


def save_failed(screen: Any, error: FreechatError) -> None:
    screen.notify(redact(error.one_line()), title="Not saved", severity="error", timeout=10,
                  markup=False)


class _Saving:
    """One turn's way to disk: begun (prompt + placeholder) before the request, finished
    (the reply in its slot) after it. If it could not begin, the turn is kept in memory and
    written with the next save that works; a begin still running when the user stops the
    reply is waited for, so its placeholder is settled too."""

    def __init__(self, text: str, mode: str) -> None:
        self.text, self.mode = text, mode
        self.turn: Turn | None = None
        self._task: asyncio.Future[Turn] | None = None
        self.failed = False

    async def begin(self, screen: Any, ref: ModelRef) -> None:
        self._task = asyncio.ensure_future(screen.chat_log.abegin(ref, self.text, self.mode))
        try:
            self.turn = await asyncio.shield(self._task)
        except (FreechatError, OSError) as error:
            self.failed = True
            save_failed(screen, error if isinstance(error, FreechatError) else FreechatError(
                f"could not save: {error.strerror or error}"))

    async def finish(self, screen: Any, reply: Reply) -> None:
        if self.turn is None and self._task is not None and not self.failed:
            with contextlib.suppress(FreechatError, OSError, asyncio.CancelledError):
                self.turn = await asyncio.shield(self._task)  # stopped while it began
        if self.turn is None:
            if self._task is not None:
                screen.chat_log.keep_unsaved(self.text, reply, self.mode)
            return
        try:
            await screen.chat_log.afinish(self.turn, reply)
        except FreechatError as error:
            save_failed(screen, error)


def error_title(error: FreechatError) -> str:
    return f"{error.provider}: {error.title}" if error.provider else error.title


class ChatFlow:
    """Needs from the screen: runtime, client, chat_log, chat, status, quota_bar, notify."""

    session: ChatSession | None
    streaming: bool
    _clock: Any
    _reply: Reply | None
    _waiting: Throttled | None
    _started: float
    _keepalives: int

    # --- the turn ------------------------------------------------------------------------
    @work(exclusive=True, group="chat", exit_on_error=False)
    async def send(self, ref: ModelRef, text: str, mode: str | None = None) -> None:
        """Ask `ref`. MODE_REGENERATE answers the last prompt again, MODE_EDIT replaces it;
        the versions they replace stay in the conversation (and in the copy dialog). The
        default is MODE_APPEND."""
        from freechat.core.conversation import MODE_APPEND, MODE_REGENERATE
        from freechat.core.session import STATUS_STREAMING, Reply

        mode = mode or MODE_APPEND
        screen: Any = self
        screen.mark_replaced(mode)
        if mode != MODE_REGENERATE:
            await screen.chat.add_user(text)
        message = await screen.chat.add_assistant(ref)
        reply = Reply(ref, self._clock())
        self._begin(reply)
        saving = _Saving(text, mode)
        try:
            await saving.begin(screen, ref)
            adapter = await asyncio.to_thread(screen.runtime.adapter, ref.provider, screen.client)
            session = await self._session_for(ref, adapter)
            if mode != MODE_APPEND:
                session.retract_last_turn()
            stream = session.send(text, reply)
            show = self._event_shower(message)
            async with contextlib.aclosing(stream):
                async for event in stream:
                    if saving.turn is not None:
                        saving.turn.record(event)
                    await show(event)
        except FreechatError as error:
            self._report(reply, error)
        except asyncio.CancelledError:
            if reply.status == STATUS_STREAMING:  # cancelled outside the stream itself
                reply.fail(Cancelled("stopped by user", provider=ref.provider), self._clock())
            await self._end(message, reply, saving)
            raise
        except Exception as error:  # a bug on our side: one line, the partial reply kept
            self._report(reply, FreechatError(
                f"internal error ({type(error).__name__})", hint="please report it"))
        await self._end(message, reply, saving)
        screen.after_reply(ref, text, reply)

    async def _session_for(self, ref: ModelRef, adapter: Any) -> ChatSession:
        screen: Any = self
        guard = await screen.quota_guard()
        if self.session is None:
            from freechat.core.session import ChatSession

            self.session = ChatSession(ref, adapter, clock=self._clock, guard=guard)
            history = screen.pending_history
            self.session.load_history(history, screen.chat_log.system)
        else:
            self.session.switch_model(ref, adapter)
            self.session.guard = guard
        return self.session

    def _report(self, reply: Reply, error: FreechatError) -> None:
        screen: Any = self
        if reply.error is None:  # e.g. no key: failed before the stream began
            reply.fail(error, self._clock())
        again = screen.key_label("regenerate-reply", "ctrl+r")
        hint = error.hint or error.message
        screen.notify(f"{redact(hint)} ({again}: try again)", title=error_title(error),
                      severity="error", timeout=8, markup=False)

    def _event_shower(self, message: AssistantMessage) -> Callable[[object], Awaitable[None]]:
        """What shows one stream event in `message`: made once per turn, so that the event
        types load with the first prompt and the per-token path imports nothing."""
        from freechat.core.events import RateLimits, ReasoningDelta, TextDelta, Waiting
        from freechat.core.throttle import Throttled

        screen: Any = self

        async def show(event: object) -> None:
            if isinstance(event, TextDelta):
                await message.write_text(event.text)
            elif isinstance(event, ReasoningDelta):
                await message.write_reasoning(event.text)
            elif isinstance(event, Waiting):
                self._keepalives += 1
            elif isinstance(event, Throttled):
                self._waiting = event
                screen.show_waiting(event)
            elif isinstance(event, RateLimits):
                screen.refresh_quota()
                return
            else:
                return
            if not isinstance(event, Throttled) and self._waiting is not None:
                self._waiting = None
                screen.show_waiting(None)
            self._tick()

        return show

    # --- state ---------------------------------------------------------------------------
    def _begin(self, reply: Reply) -> None:
        self._reply, self._started, self._keepalives = reply, time.monotonic(), 0
        self._waiting = None
        self.streaming = True
        self._tick()

    async def _end(self, message: AssistantMessage, reply: Reply, saving: _Saving) -> None:
        screen: Any = self
        await message.finish(reply)
        if self._waiting is not None:
            self._waiting = None
            screen.show_waiting(None)
        await saving.finish(screen, reply)  # saved before the prompt is free again
        screen.show_versions(message)
        self._reply = None
        self.streaming = False
        screen.status.show_state("ready")
        screen.refresh_quota()

    def _tick(self) -> None:
        """Refresh the streaming state; wall time here (the injected clock is for figures)."""
        screen: Any = self
        reply = self._reply
        if reply is None:
            return
        seconds = int(time.monotonic() - self._started)
        waiting = self._waiting
        if waiting is not None and reply.first_token_at is None:
            left = max(0, round(waiting.until - screen.quota_now()))
            what = "retrying" if waiting.attempt else "queued"
            screen.status.show_state(f"{what}: sending in {left} s", busy=True)
            return
        screen.status.show_state(streaming_state(reply, seconds, self._keepalives), busy=True)


__all__ = ["ChatFlow", "error_title"]
