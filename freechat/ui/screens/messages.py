"""Recent messages in full: a notification too long for a toast shows a brief version and
points here (DESIGN §8: notifications brief and actionable, details on demand)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from freechat.ui.notices import Notice


class MessagesScreen(ModalScreen[None]):
    CSS_PATH = "messages.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close", id="messages-close"),
    ]

    def __init__(self, notices: Sequence[Notice]) -> None:
        super().__init__()
        self.notices = list(notices)

    def compose(self) -> ComposeResult:
        with Vertical(id="messages-panel"):
            yield Static("Messages · newest first", id="messages-title", markup=False)
            with VerticalScroll(id="messages-body"):
                if not self.notices:
                    yield Static("Nothing yet.", classes="notice-text", markup=False)
                for notice in reversed(self.notices):
                    yield Static(notice.title or notice.severity,
                                 classes=f"notice-title -{notice.severity}", markup=False)
                    yield Static(notice.text, classes="notice-text", markup=False)
            yield Static("Esc closes", id="messages-hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#messages-body").focus()

    def action_close(self) -> None:
        self.dismiss(None)
