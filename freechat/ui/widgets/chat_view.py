"""The conversation: an anchored scroll of messages, with a welcome note while it is empty."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widget import Widget

from freechat.core.models import ModelRef
from freechat.ui.widgets.message import AssistantMessage, UserMessage


class ChatView(VerticalScroll):
    def __init__(self, welcome: Widget, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="-empty")
        self._welcome = welcome

    def compose(self) -> ComposeResult:
        yield self._welcome

    @property
    def is_empty(self) -> bool:
        return not self.query(".message")

    async def add_user(self, text: str) -> UserMessage:
        self.remove_class("-empty")
        message = UserMessage(text)
        await self.mount(message)
        return message

    async def add_assistant(self, model: ModelRef) -> AssistantMessage:
        message = AssistantMessage(model)
        await self.mount(message)
        # Anchored: the streaming reply stays in view until the user scrolls up.
        self.anchor()
        return message

    async def clear(self) -> None:
        await self.query(".message").remove()
        self.add_class("-empty")
