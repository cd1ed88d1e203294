"""The main screen's saved conversations: open one (`--resume`, the conversations screen, the
palette), show its newest messages first and older ones as the user scrolls up, start a new
chat, and set the conversation's system prompt.

Mixed into MainScreen. The file work runs in threads (core/chat_log.py); the screen shows at
most PAGE messages at first, and mounts the next older page when the view reaches its top.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from textual import work
from textual.widget import Widget
from textual.worker import WorkerCancelled, WorkerFailed

from freechat.core.chat_log import reply_from_message
from freechat.core.conversation import MODE_APPEND, MODE_EDIT, Conversation, StoredMessage
from freechat.core.errors import FreechatError
from freechat.core.models import ChatMessage, ModelRef
from freechat.core.secret import redact
from freechat.ui.widgets.message import AssistantMessage, UserMessage

PAGE = 40  # messages shown when a conversation opens; older ones come as the user scrolls


def versions_note(message: StoredMessage, copy_key: str) -> str:
    """"version 2 of 2 · Ctrl+T: earlier ones" for a slot that kept earlier versions."""
    count = len(message.alternatives)
    if not count:
        return ""
    return f"version {count + 1} of {count + 1} · {copy_key}: earlier ones"


class HistoryFlow:
    """Needs from the screen: runtime, chat_log, chat, prompt, session, model, notify, set_model."""

    pending_history: list[ChatMessage]
    _older: list[StoredMessage]  # not mounted yet, oldest first

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
        screen: Any = self
        await screen.chat.clear()
        self._older = list(conv.messages[:-PAGE]) if len(conv.messages) > PAGE else []
        for message in conv.messages[-PAGE:]:
            await self._mount_message(message)
        screen.chat.scroll_end(animate=False)

    async def _mount_message(self, message: StoredMessage, before: Widget | None = None) -> None:
        screen: Any = self
        chat = screen.chat
        if message.role == "user":
            widget: Widget = UserMessage(message.content)
            if message.alternatives:
                widget.border_subtitle = "edited"
        elif message.role == "assistant":
            reply = reply_from_message(message)
            widget = AssistantMessage(reply.model)
            widget.border_subtitle = versions_note(message, screen.key_label("copy-message",
                                                                             "ctrl+t"))
        else:
            return
        chat.remove_class("-empty")
        if before is None:
            await chat.mount(widget)
        else:
            await chat.mount(widget, before=before)
        if isinstance(widget, AssistantMessage):
            if reply.reasoning:
                await widget.write_reasoning(reply.reasoning)
            if reply.text:
                await widget.write_text(reply.text)
            await widget.finish(reply)

    async def show_older(self) -> None:
        """Mount the next older page above what is shown (the view reached its top)."""
        screen: Any = self
        if not self._older:
            return
        page, self._older = self._older[-PAGE:], self._older[:-PAGE]
        chat = screen.chat
        first = chat.query(".message").first()
        for message in page:
            await self._mount_message(message, before=first)

    def watch_chat_scroll(self, scroll_y: float) -> None:
        if scroll_y <= 0 and self._older:
            self.run_older()

    @work(group="older-messages", exclusive=True, exit_on_error=False)
    async def run_older(self) -> None:
        await self.show_older()

    # --- editing the last turn -------------------------------------------------------------
    async def drop_last_turn(self, mode: str) -> None:
        """Regenerate drops the last reply from view, edit also its prompt (the saved
        conversation keeps both as earlier versions)."""
        if mode == MODE_APPEND:
            return
        screen: Any = self
        replies = screen.chat.query(".assistant-message")
        if replies:
            await replies.last().remove()
        if mode == MODE_EDIT:
            prompts = screen.chat.query(".user-message")
            if prompts:
                await prompts.last().remove()

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
        self._older = []
        screen.fallback_offer = None
        screen.editing = False
        screen.prompt.clear()
        screen.prompt.focus()
        screen.refresh_bindings()

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
