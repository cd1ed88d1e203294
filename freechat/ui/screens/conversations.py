"""The conversations screen: every saved chat, searchable as you type; open, rename, delete
(after a confirmation) and export to Markdown or JSON.

All file work runs in threads (`asyncio.to_thread`) inside exclusive async workers, so a large
or slow store never freezes the screen. Opening posts `ConversationOpened` (it bubbles up to
the app) and dismisses the screen with the id.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from freechat.core.errors import FreechatError
from freechat.core.export import export_to_file
from freechat.core.store import ConversationStore, ConversationSummary
from freechat.ui.screens.conversation_dialogs import ConfirmDelete, RenameDialog

COLUMNS = (("Title", "title"), ("Models", "models"), ("Updated", "updated"),
           ("Msgs", "messages"), ("Size", "size"))


def local_time(iso: str) -> str:
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso[:16]
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def models_label(models: tuple[str, ...], width: int = 28) -> str:
    if not models:
        return "-"
    more = f" +{len(models) - 1}" if len(models) > 1 else ""
    first = models[0]
    room = width - len(more)
    if len(first) > room:
        first = first[: room - 1] + "…"
    return first + more


class ConversationsScreen(Screen[str | None]):
    CSS_PATH = "conversations.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="conversations-back"),
        Binding("slash", "search", "Search", id="conversations-search"),
        Binding("r", "rename", "Rename", id="conversations-rename"),
        Binding("d", "delete", "Delete", id="conversations-delete"),
        Binding("e", "export('md')", "Export .md", id="conversations-export-md"),
        Binding("j", "export('json')", "Export .json", id="conversations-export-json"),
        Binding("down", "focus_list", "Into the list", show=False, id="conversations-to-list"),
    ]

    @dataclass
    class ConversationOpened(Message):
        conversation_id: str

    @dataclass
    class ConversationRenamed(Message):
        conversation_id: str
        title: str

    @dataclass
    class ConversationDeleted(Message):
        conversation_id: str

    @dataclass
    class ConversationExported(Message):
        conversation_id: str
        path: Path

    def __init__(self, store: ConversationStore, *, export_dir: Path | None = None) -> None:
        super().__init__()
        self.store = store
        self.export_dir = export_dir or store.directory.parent / "exports"
        self.summaries: list[ConversationSummary] = []
        self.query_text = ""

    def compose(self) -> ComposeResult:
        yield Static("Conversations", id="conversations-title")
        yield Input(placeholder="Search titles and messages  ( / )", id="conversations-search")
        yield DataTable(id="conversations-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="conversations-empty", classes="-hidden", markup=False)
        yield Static("", id="conversations-status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        search = self.query_one("#conversations-search", Input)
        if self.app.is_headless:
            search.cursor_blink = False
        table = self.query_one("#conversations-table", DataTable)
        for label, key in COLUMNS:
            table.add_column(label, key=key)
        table.focus()
        self.reload()

    # --- state -> widgets ------------------------------------------------------------------
    @property
    def selected(self) -> ConversationSummary | None:
        table = self.query_one("#conversations-table", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((s for s in self.summaries if s.id == key), None)

    def _show(self, summaries: list[ConversationSummary], keep: str | None) -> None:
        self.summaries = summaries
        table = self.query_one("#conversations-table", DataTable)
        table.clear()
        for s in summaries:
            table.add_row(s.title, models_label(s.models), local_time(s.updated_at),
                          str(s.messages), human_size(s.size), key=s.id)
        index = next((i for i, s in enumerate(summaries) if s.id == keep), 0)
        if summaries:
            table.move_cursor(row=index)
        empty = self.query_one("#conversations-empty", Static)
        query = self.query_text.strip()
        empty.update(f"Nothing matches '{query}'." if query
                     else "No saved conversations yet. Chats are saved as you go.")
        empty.set_class(bool(summaries), "-hidden")
        count = f"{len(summaries)} conversation{'s' if len(summaries) != 1 else ''}"
        self.query_one("#conversations-status", Static).update(
            f"{count} matching '{query}'" if query else count)

    def _report(self, error: FreechatError) -> None:
        self.notify(error.one_line(), title=error.title, severity="error", timeout=8)

    # --- workers ---------------------------------------------------------------------------
    @work(exclusive=True, group="conversations-list", exit_on_error=False)
    async def reload(self, keep: str | None = None) -> None:
        keep = keep or (s.id if (s := self.selected) else None)
        try:
            found = await asyncio.to_thread(self.store.search, self.query_text)
        except FreechatError as error:
            self._report(error)
            return
        for notice in self.store.take_notices():
            self.notify(notice, title="Conversations", severity="warning", timeout=10)
        self._show(found, keep)

    @work(group="conversations-change", exit_on_error=False)
    async def rename(self, conv_id: str, title: str) -> None:
        try:
            await asyncio.to_thread(self.store.rename, conv_id, title)
        except FreechatError as error:
            self._report(error)
            return
        self.post_message(self.ConversationRenamed(conv_id, title))
        self.reload(keep=conv_id)

    @work(group="conversations-change", exit_on_error=False)
    async def delete(self, conv_id: str) -> None:
        try:
            await asyncio.to_thread(self.store.delete, conv_id)
        except FreechatError as error:
            self._report(error)
            return
        self.notify("Conversation deleted.", title="Conversations")
        self.post_message(self.ConversationDeleted(conv_id))
        self.reload()

    @work(group="conversations-change", exit_on_error=False)
    async def export(self, conv_id: str, fmt: str) -> None:
        try:
            conv = await asyncio.to_thread(self.store.load, conv_id)
            path = await asyncio.to_thread(export_to_file, conv, self.export_dir, fmt)
        except FreechatError as error:
            self._report(error)
            return
        except OSError as error:
            self.notify(f"could not write the export: {error.strerror}", severity="error")
            return
        self.notify(f"Exported to {path}", title="Conversations", timeout=8)
        self.post_message(self.ConversationExported(conv_id, path))

    # --- user actions ----------------------------------------------------------------------
    @on(Input.Changed, "#conversations-search")
    def _search_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.query_text = event.value
        self.reload()

    @on(Input.Submitted, "#conversations-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_open()

    @on(DataTable.RowSelected, "#conversations-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    @on(ConversationOpened)
    def _opened(self, event: ConversationOpened) -> None:
        # The message bubbles on to the app; the screen's part is to get out of the way.
        self.dismiss(event.conversation_id)

    def action_open(self) -> None:
        if (summary := self.selected) is not None:
            self.post_message(self.ConversationOpened(summary.id))

    def action_search(self) -> None:
        self.query_one("#conversations-search", Input).focus()

    def action_focus_list(self) -> None:
        self.query_one("#conversations-table", DataTable).focus()

    def action_back(self) -> None:
        if isinstance(self.focused, Input):
            self.action_focus_list()
        else:
            self.dismiss(None)

    def action_rename(self) -> None:
        if (summary := self.selected) is None:
            return
        conv_id = summary.id

        def done(title: str | None) -> None:
            if title and title != summary.title:
                self.rename(conv_id, title)

        self.app.push_screen(RenameDialog(summary.title), done)

    def action_delete(self) -> None:
        if (summary := self.selected) is None:
            return
        conv_id = summary.id

        def done(confirmed: bool | None) -> None:
            if confirmed:
                self.delete(conv_id)

        self.app.push_screen(ConfirmDelete(summary.title), done)

    def action_export(self, fmt: str) -> None:
        if (summary := self.selected) is not None:
            self.export(summary.id, fmt)
