"""The main screen's saved conversations: open one (`--resume`, the conversations screen, the
palette), show its newest messages first and older ones as the user scrolls up, start a new
chat; regenerate, edit and copy the last turn; the conversation's system prompt.

Mixed into MainScreen. The file work runs in threads (core/chat_log.py); the chat view shows
the newest page of a conversation and mounts older ones as the user scrolls up.
"""

from __future__ import annotations

import asyncio
import contextlib
from functools import cached_property
from typing import TYPE_CHECKING, Any

from textual import work
from textual.widget import Widget
from textual.worker import WorkerCancelled, WorkerFailed

from freechat.core.errors import FreechatError
from freechat.core.models import ChatMessage, ModelRef
from freechat.core.secret import redact

if TYPE_CHECKING:
    # Conversations load with the first one opened or saved, not on the way to the first
    # frame (the methods below import what they use).
    from freechat.core.chat_log import ChatLog
    from freechat.core.conversation import Conversation, StoredMessage


def versions_note(message: StoredMessage, copy_key: str) -> str:
    """"version 2 of 2 · Ctrl+T: earlier ones" for a slot that kept earlier versions."""
    count = len(message.alternatives)
    if not count:
        return ""
    return f"version {count + 1} of {count + 1} · {copy_key}: earlier ones"


class HistoryFlow:
    """Needs from the screen: runtime, _store, _clock, chat, prompt, session, model, notify,
    set_model."""

    pending_history: list[ChatMessage]
    runtime: Any
    _store: Any
    _clock: Any

    @cached_property
    def chat_log(self) -> ChatLog:
        """The saved conversation, opened on first use (a prompt, a resume, a history)."""
        from freechat.core.chat_log import ChatLog
        from freechat.core.store import ConversationStore

        store = self._store() if self._store else ConversationStore.from_paths(self.runtime.paths)
        return ChatLog(store, clock=self._clock)

    def on_unmount(self) -> None:
        if "chat_log" in self.__dict__:  # opened
            self.chat_log.close()  # unsaved replies stay in their journals for the next start

    # --- opening -------------------------------------------------------------------------
    def open_conversation(self, conversation_id: str) -> None:
        """Continue a saved conversation (an id or a unique prefix of one)."""
        self._open(conversation_id)

    @work(group="open-conversation", exclusive=True, exit_on_error=False)
    async def _open(self, conversation_id: str, *, keep_model: bool = False) -> None:
        screen: Any = self
        await self.stop_reply()
        try:
            conv = await asyncio.to_thread(screen.chat_log.open, conversation_id)
        except FreechatError as error:
            if not self.show_store_notices():  # a file set aside: its notice says it all
                screen.notify(redact(error.one_line()), title=error.title, severity="error",
                              timeout=8, markup=False)
            return
        self.show_store_notices()
        screen.session = None
        self.pending_history = conv.chat_messages()
        screen.fallback_offer = None
        await self.show_conversation(conv)
        last = next((m.model for m in reversed(conv.messages)
                     if m.role == "assistant" and m.model), None)
        if last and not keep_model:
            with contextlib.suppress(FreechatError):
                ref = ModelRef.parse(last)
                if screen.runtime.config.provider_spec(ref.provider) is not None:
                    screen.set_model(ref)
        system = " (with a system prompt)" if conv.system else ""
        screen.notify(f"{conv.title}: {len(conv.messages)} messages{system}",
                      title="Conversation opened", timeout=4, markup=False)
        screen.refresh_bindings()
        screen.prompt.focus()

    def show_store_notices(self) -> int:
        """Files set aside (corrupt) and the like: each said once. Returns how many."""
        screen: Any = self
        notices = screen.chat_log.store.take_notices()
        for notice in notices:
            screen.notify(notice, title="Conversations", severity="warning", timeout=10,
                          markup=False)
        return len(notices)

    async def stop_reply(self) -> None:
        """Stop a streaming reply and wait until it is saved."""
        screen: Any = self
        for worker in screen.workers.cancel_group(screen, "chat"):
            with contextlib.suppress(WorkerCancelled, WorkerFailed):
                await worker.wait()

    # --- showing -------------------------------------------------------------------------
    async def show_conversation(self, conv: Conversation) -> None:
        """The newest messages now; the chat view mounts older ones as the user scrolls up."""
        screen: Any = self
        copy_key = screen.key_label("copy-message", "ctrl+t")

        def decorate(widget: Widget, message: StoredMessage) -> None:
            if message.role == "assistant":
                widget.border_subtitle = versions_note(message, copy_key)
            elif message.alternatives:
                widget.border_subtitle = "edited"

        await screen.chat.show_history(conv.messages, decorate)

    # --- the last turn: regenerate, edit, copy ------------------------------------------------
    def last_prompt(self) -> str | None:
        """The prompt the last reply answers (saved, or in the session's memory)."""
        screen: Any = self
        conv = screen.chat_log.conversation
        messages: list[Any] = list(conv.messages) if conv is not None else []
        if not messages:
            messages = list(screen.session.history if screen.session else self.pending_history)
        return next((m.content for m in reversed(messages) if m.role == "user"), None)

    def action_regenerate(self) -> None:
        screen: Any = self
        prompt = self.last_prompt()
        if prompt is None or screen.model is None or screen.streaming:
            return
        from freechat.core.conversation import MODE_REGENERATE

        screen._tried, screen.fallback_offer = set(), None
        screen.send(screen.model, prompt, MODE_REGENERATE)

    def action_edit_prompt(self) -> None:
        screen: Any = self
        prompt = self.last_prompt()
        if prompt is None or screen.streaming:
            return
        screen.editing = True
        screen.prompt.load_text(prompt)
        screen.prompt.move_cursor(screen.prompt.document.end)
        screen.prompt.focus()

    def action_copy(self) -> None:
        """Pick a message, a code block or an earlier version; it goes to the clipboard."""
        from freechat.core.conversation import StoredMessage

        screen: Any = self
        conv = screen.chat_log.conversation
        messages = list(conv.messages) if conv is not None else [
            StoredMessage("", m.role, m.content, "")
            for m in (screen.session.history if screen.session else self.pending_history)]
        from freechat.ui.screens.chat_dialogs import CopyDialog, clips

        items = clips(messages)
        if not items:
            screen.notify("nothing to copy yet", title="Copy", timeout=3, markup=False)
            return

        def done(text: str | None) -> None:
            if text is not None:
                screen.app.copy_to_clipboard(text)
                screen.notify(f"{len(text)} characters copied", title="Copied", timeout=3,
                              markup=False)

        screen.app.push_screen(CopyDialog(items), done)

    def mark_replaced(self, mode: str) -> None:
        """Regenerate replaces the last reply, edit also its prompt: on screen the old ones
        stay, dimmed (the saved conversation keeps them as earlier versions)."""
        from freechat.core.conversation import MODE_APPEND, MODE_EDIT

        if mode == MODE_APPEND:
            return
        screen: Any = self
        targets = [".assistant-message"] + ([".user-message"] if mode == MODE_EDIT else [])
        for selector in targets:
            found = screen.chat.query(selector)
            if found:
                widget = found.last()
                widget.add_class("-replaced")
                widget.border_subtitle = "replaced below"

    def show_versions(self, widget: Widget) -> None:
        """After a save: say on the reply how many versions its slot holds."""
        screen: Any = self
        conv: Conversation | None = screen.chat_log.conversation
        if conv is None:
            return
        last = next((m for m in reversed(conv.messages) if m.role == "assistant"), None)
        if last is not None:
            widget.border_subtitle = versions_note(last, screen.key_label("copy-message",
                                                                          "ctrl+t"))

    # --- new chat, system prompt -----------------------------------------------------------
    async def start_new_chat(self) -> None:
        screen: Any = self
        await self.stop_reply()
        await screen.chat.clear()
        screen.chat_log.reset()
        screen.session = None
        self.pending_history = []
        screen.fallback_offer = None
        screen.editing = False
        screen.prompt.clear()
        screen.prompt.focus()
        screen.refresh_bindings()

    def action_system_prompt(self) -> None:
        screen: Any = self

        def done(text: str | None) -> None:
            if text is not None:
                self.set_system_prompt(text)

        from freechat.ui.screens.chat_dialogs import SystemPromptDialog

        screen.app.push_screen(SystemPromptDialog(screen.chat_log.system), done)

    @work(group="system-prompt", exclusive=True, exit_on_error=False)
    async def set_system_prompt(self, text: str) -> None:
        screen: Any = self
        try:
            await asyncio.to_thread(screen.chat_log.set_system, text)
        except FreechatError as error:
            screen.notify(redact(error.one_line()), title="Not saved", severity="error",
                          markup=False)
        if screen.session is not None:
            screen.session.system = screen.chat_log.system
        what = "set" if screen.chat_log.system else "removed"
        screen.notify(f"system prompt {what} for this conversation", title="System prompt",
                      timeout=4, markup=False)
