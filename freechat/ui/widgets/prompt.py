"""The prompt: a multi-line editor where Enter sends and Shift+Enter / Ctrl+J add a line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import TextArea


class PromptInput(TextArea):
    # priority=True because TextArea inserts a newline for Enter in its key handler, which
    # runs before ordinary bindings; these still have ids, so users can remap them.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "submit", "Send", id="send-message", priority=True),
        Binding("shift+enter,ctrl+j", "newline", "Newline", id="insert-newline",
                show=False, priority=True),
        Binding("up", "recall", "Last prompt", id="recall-prompt", show=False, priority=True),
    ]

    @dataclass
    class Submitted(Message):
        prompt_input: PromptInput
        text: str

        @property
        def control(self) -> PromptInput:
            return self.prompt_input

    def __init__(self, *, placeholder: str = "", id: str | None = None) -> None:
        super().__init__(
            "", id=id, placeholder=placeholder, soft_wrap=True, show_line_numbers=False,
            tab_behavior="focus", compact=True, highlight_cursor_line=False,
        )
        self._history: list[str] = []

    def on_mount(self) -> None:
        if self.app.is_headless:  # deterministic snapshots: no blinking cursor
            self.cursor_blink = False

    @property
    def last_prompt(self) -> str | None:
        return self._history[-1] if self._history else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "recall":
            # Only an empty prompt recalls; otherwise Up moves the cursor as usual.
            return not self.text and bool(self._history)
        return True

    # Priority bindings run as soon as the app reads the key, before this widget has handled
    # the keys typed just before it (a fast burst, a paste without bracketed-paste): queue
    # the work behind them with call_later, or Enter would send a half-typed prompt.
    def action_submit(self) -> None:
        self.call_later(self._submit)

    def _submit(self) -> None:
        text = self.text.strip()
        if text:
            self.post_message(self.Submitted(self, text))

    def remember(self, text: str) -> None:
        """The screen accepted `text`: keep it for Up and clear the editor."""
        if not self._history or self._history[-1] != text:
            self._history.append(text)
        self.clear()

    def action_newline(self) -> None:
        self.call_later(self.insert, "\n")

    def action_recall(self) -> None:
        if self._history:
            self.load_text(self._history[-1])
            self.move_cursor(self.document.end)
