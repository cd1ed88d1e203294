"""The setup screen: every provider, its free tier, where its key comes from; enter, check,
save and delete keys.

Keyring calls run in threads (`asyncio.to_thread`; the keyring layer adds its own timeout)
and key checks in async workers, so a locked or absent keyring never freezes the screen. A key
the keyring cannot keep stays usable for the session, and the user is told so.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from freechat.core.catalog import ProviderSpec, resolve_account_id
from freechat.core.key_check import REJECTED, VALID, check_key
from freechat.core.keys import SOURCE_FILE, SOURCE_SESSION, KeyLookup
from freechat.core.runtime import Runtime
from freechat.core.secret import Secret
from freechat.ui.widgets.setup_key_panel import (
    CHECK,
    DELETE,
    SAVE_FILE,
    KeyPanel,
    source_label,
)

COLUMNS = ("Provider", "Tier", "Key", "Free tier")


class SetupScreen(Screen[bool]):
    """Dismissed with True when a key was saved or deleted (so the app can rebuild)."""

    CSS_PATH = "setup.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="setup-close"),
        Binding("ctrl+r", "retry_keyring", "Retry keyring", id="setup-retry-keyring"),
    ]

    @dataclass
    class KeyChanged(Message):
        """A provider's key was saved or deleted; `source` is where it lives now."""

        provider_id: str
        source: str

    def __init__(self, runtime: Runtime, *, provider_id: str | None = None) -> None:
        super().__init__()
        self.runtime = runtime
        self.specs: list[ProviderSpec] = [
            runtime.spec(pid) for pid in runtime.config.all_provider_ids()
        ]
        self.found: dict[str, KeyLookup] = {}
        self.selected = provider_id or (self.specs[0].id if self.specs else "")
        self.changed = False

    def compose(self) -> ComposeResult:
        yield Static("Providers and keys", id="setup-title")
        yield Static("", id="keyring-banner", markup=False)
        with Horizontal(id="setup-body"):
            yield DataTable(id="providers", cursor_type="row", zebra_stripes=True)
            yield KeyPanel(id="key-panel")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#providers", DataTable)
        for name in COLUMNS:
            table.add_column(name, key=name.lower())
        for spec in self.specs:
            table.add_row(spec.name, spec.tier, source_label(None), spec.free_tier, key=spec.id)
        index = next((i for i, s in enumerate(self.specs) if s.id == self.selected), 0)
        table.move_cursor(row=index)
        self._show_selected()
        self.refresh_sources()

    # --- state -> widgets ------------------------------------------------------------------
    def spec(self, provider_id: str) -> ProviderSpec:
        return next(s for s in self.specs if s.id == provider_id)

    def _show_selected(self) -> None:
        if self.selected:
            spec = self.spec(self.selected)
            account = resolve_account_id(spec, self.runtime.environ)
            self.query_one(KeyPanel).show(spec, self.found.get(spec.id), account_id=account)

    def _show_row(self, spec: ProviderSpec) -> None:
        table = self.query_one("#providers", DataTable)
        table.update_cell(
            spec.id, "key", source_label(self.found.get(spec.id)), update_width=True
        )

    def _show_banner(self, notice: str | None) -> None:
        banner = self.query_one("#keyring-banner", Static)
        banner.update(notice or "")
        banner.set_class(not notice, "-hidden")

    @work(exclusive=True, group="setup-sources")
    async def refresh_sources(self) -> None:
        await self._refresh_all()

    async def _refresh_all(self) -> None:
        keys = self.runtime.keys
        entries = await asyncio.to_thread(keys.entries, self.specs)
        notice = await asyncio.to_thread(keys.notice)
        for spec, found in entries:
            self.found[spec.id] = found
            self._show_row(spec)
        self._show_banner(notice)
        self._show_selected()

    # --- user actions ----------------------------------------------------------------------
    @on(DataTable.RowHighlighted, "#providers")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        if event.row_key.value:
            self.selected = str(event.row_key.value)
            self._show_selected()

    @on(DataTable.RowSelected, "#providers")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.query_one(KeyPanel).focus_key()

    @on(KeyPanel.ActionRequested)
    def _action(self, event: KeyPanel.ActionRequested) -> None:
        event.stop()
        spec = self.spec(event.provider_id)
        if event.action == DELETE:
            self.delete_key(spec)
        else:
            self.check_and_save(spec, event.secret, event.action)

    def action_close(self) -> None:
        self.dismiss(self.changed)

    def action_retry_keyring(self) -> None:
        self.retry_keyring()

    # --- workers ---------------------------------------------------------------------------
    @work(exclusive=True, group="setup-key", exit_on_error=False)
    async def check_and_save(self, spec: ProviderSpec, secret: Secret | None, action: str) -> None:
        panel = self.query_one(KeyPanel)
        if secret is None:
            return
        panel.report(f"Checking the key with {spec.name}…", "busy")
        result = await check_key(self.runtime, spec.id, secret)
        if result.status == REJECTED:
            panel.report(f"{result.message}. Nothing was saved.", "error")
            return
        if action == CHECK:
            panel.report(result.message, "ok" if result.status == VALID else "warn")
            return
        panel.report("Saving…", "busy")
        keys = self.runtime.keys
        saved = await asyncio.to_thread(keys.save, spec, secret, to_file=action == SAVE_FILE)
        panel.clear_key()
        checked = result.message if result.status != VALID else "Key accepted"
        if saved.source == SOURCE_SESSION:
            text, kind = (
                f"{checked}. Kept for this session only: {saved.note}. "
                "Use env vars, or 'To file (insecure)' to keep it.", "warn",
            )
        elif saved.source == SOURCE_FILE:
            text, kind = f"{checked}. Saved to a 0600 file: {saved.note}.", "warn"
        else:
            text, kind = f"{checked}. Saved in the OS keyring.", "ok"
        if saved.shadowed_by:
            text, kind = f"{text} But {saved.shadowed_by} in your environment wins.", "warn"
        panel.report(text, kind)
        self.changed = True
        self.post_message(self.KeyChanged(spec.id, saved.source))
        await self._reload(spec)

    @work(exclusive=True, group="setup-key", exit_on_error=False)
    async def delete_key(self, spec: ProviderSpec) -> None:
        panel = self.query_one(KeyPanel)
        result = await asyncio.to_thread(self.runtime.keys.delete, spec)
        if result.removed:
            panel.report(f"Key deleted from {', '.join(result.removed)}.", "ok")
            self.changed = True
            self.post_message(self.KeyChanged(spec.id, ""))
        elif result.problems:
            panel.report(result.problems[0], "error")
        else:
            panel.report("No key stored.", "warn")
        if result.env_name:
            panel.report(f"{result.env_name} is still set in your environment.", "warn")
        await self._reload(spec)

    @work(exclusive=True, group="setup-sources")
    async def retry_keyring(self) -> None:
        self._show_banner("Looking at the OS keyring again…")
        await asyncio.to_thread(self.runtime.keys.retry_keyring)
        await self._refresh_all()

    async def _reload(self, spec: ProviderSpec) -> None:
        self.found[spec.id] = await asyncio.to_thread(self.runtime.keys.lookup, spec)
        self._show_row(spec)
        self._show_selected()
        self._show_banner(await asyncio.to_thread(self.runtime.keys.notice))
