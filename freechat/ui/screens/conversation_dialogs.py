"""Small modal dialogs of the conversations screen: rename, and confirm a delete."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label


class RenameDialog(ModalScreen[str | None]):
    """Dismissed with the new title, or None if cancelled."""

    CSS_PATH = "conversation_dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="rename-cancel"),
    ]

    def __init__(self, title: str) -> None:
        super().__init__()
        self.old_title = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Rename conversation", classes="dialog-title")
            yield Input(self.old_title, id="rename-input", select_on_focus=True)
            yield Label("enter to save · escape to cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        field = self.query_one("#rename-input", Input)
        if self.app.is_headless:
            field.cursor_blink = False
        field.focus()

    @on(Input.Submitted, "#rename-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        title = " ".join(event.value.split())
        self.dismiss(title or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmDelete(ModalScreen[bool]):
    """Dismissed with True only if the user confirms."""

    CSS_PATH = "conversation_dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Delete", id="delete-confirm"),
        Binding("n,escape", "answer(False)", "Keep", id="delete-cancel"),
    ]

    def __init__(self, title: str) -> None:
        super().__init__()
        self.conv_title = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Delete conversation?", classes="dialog-title")
            yield Label(self.conv_title, classes="dialog-body", markup=False)
            yield Label("This cannot be undone.", classes="dialog-hint")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Delete (y)", id="confirm-delete", variant="error")
                yield Button("Keep (n)", id="cancel-delete")

    def on_mount(self) -> None:
        self.query_one("#cancel-delete", Button).focus()  # the safe choice has focus

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm-delete")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
