"""The chat screen's modal dialogs: the conversation's system prompt, and "copy" — every
recent message, its code blocks and its earlier versions, previewed, one key to the clipboard.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from freechat.core.code_blocks import code_blocks
from freechat.core.conversation import StoredMessage

MAX_MESSAGES = 30  # the newest ones; older text is in the conversations screen's export
LABEL = 76  # one line in the dialog


@dataclass(frozen=True)
class Clip:
    label: str
    text: str

    def __post_init__(self) -> None:
        if len(self.label) > LABEL:  # one line each: a wrapped option reads as two
            object.__setattr__(self, "label", self.label[: LABEL - 1] + "…")


def _line(text: str, width: int = 60) -> str:
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "(empty)")
    return line if len(line) <= width else line[: width - 1] + "…"


def clips(messages: Iterable[StoredMessage], limit: int = MAX_MESSAGES) -> list[Clip]:
    """What can be copied, newest first: each message, then its code blocks, then the
    versions it replaced (a regenerated reply's predecessor stays one key away)."""
    found: list[Clip] = []
    for message in list(messages)[-limit:][::-1]:
        if not message.content and not message.alternatives:
            continue
        if message.role == "user":
            head = f"prompt · {_line(message.content)}"
        else:
            head = f"reply · {message.model or '?'} · {_line(message.content)}"
        found.append(Clip(head, message.content))
        for block in code_blocks(message.content) if message.role == "assistant" else []:
            found.append(Clip(f"   code {block.language or 'block'} · {_line(block.code, 50)}",
                              block.code))
        versions = len(message.alternatives)
        for n, old in enumerate(reversed(message.alternatives)):
            found.append(Clip(f"   earlier version {versions - n} · {old.model or 'you'} · "
                              f"{_line(old.content, 40)}", old.content))
    return found


class CopyDialog(ModalScreen[str | None]):
    """Dismissed with the text to copy, or None."""

    CSS_PATH = "chat_dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="copy-cancel"),
    ]

    def __init__(self, items: list[Clip]) -> None:
        super().__init__()
        self.items = items

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog copy-dialog"):
            yield Label("Copy to the clipboard", classes="dialog-title")
            yield OptionList(*(Option(c.label, id=str(i)) for i, c in enumerate(self.items)),
                             id="copy-list")
            with VerticalScroll(id="copy-preview"):
                yield Static("", id="copy-preview-text", markup=False)
            yield Label("↑↓ choose · enter copies · escape closes", classes="dialog-hint")

    def on_mount(self) -> None:
        options = self.query_one("#copy-list", OptionList)
        options.focus()
        if self.items:
            options.highlighted = 0

    @on(OptionList.OptionHighlighted, "#copy-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self.query_one("#copy-preview-text", Static).update(self.items[event.option_index].text)

    @on(OptionList.OptionSelected, "#copy-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.items[event.option_index].text)

    def action_cancel(self) -> None:
        self.dismiss(None)


class SystemPromptDialog(ModalScreen[str | None]):
    """Dismissed with the new system prompt ("" for none), or None if cancelled."""

    CSS_PATH = "chat_dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="system-save", priority=True),
        Binding("escape", "cancel", "Cancel", id="system-cancel"),
    ]

    def __init__(self, current: str | None) -> None:
        super().__init__()
        self.current = current or ""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog system-dialog"):
            yield Label("System prompt for this conversation", classes="dialog-title")
            yield TextArea(self.current, id="system-input", soft_wrap=True, compact=True,
                           show_line_numbers=False, tab_behavior="focus")
            yield Label("ctrl+s saves (empty: none) · escape cancels", classes="dialog-hint")

    def on_mount(self) -> None:
        field = self.query_one("#system-input", TextArea)
        if self.app.is_headless:
            field.cursor_blink = False
        field.move_cursor(field.document.end)
        field.focus()

    def action_save(self) -> None:
        self.dismiss(self.query_one("#system-input", TextArea).text.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)
