"""Quota details: every configured provider's windows in one table, with where each figure comes
from and when it resets. `r` asks the providers' quota endpoints, Esc closes.

The screen never talks to the network itself: it is given `load(refresh) -> (quotas, errors)`
(the app passes `core.quota_sources.gather_quota` bound to its runtime, book and client).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from freechat.core.errors import FreechatError
from freechat.core.quota import ProviderQuota, QuotaWindow
from freechat.ui.widgets.quota_bar import countdown, figure, headroom_level

Loader = Callable[[bool], Awaitable[tuple[Sequence[ProviderQuota], Sequence[FreechatError]]]]
COLUMNS = ("Provider", "Window", "Left", "Limit", "Used", "Resets", "Source")
SOURCE_TEXT = {"reported": "reported", "counted": "≈ counted", "estimated": "~ estimated"}


class QuotaScreen(Screen[None]):
    CSS_PATH = "quota.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "refresh_quota", "Refresh from providers", id="quota-refresh"),
        Binding("escape", "close", "Close", id="quota-close"),
    ]

    def __init__(self, load: Loader, *, clock: Callable[[], float] = time.time,
                 quotas: Sequence[ProviderQuota] = ()) -> None:
        super().__init__()
        self._load = load
        self._clock = clock
        self.quotas: list[ProviderQuota] = list(quotas)

    def compose(self) -> ComposeResult:
        yield Static("Quota", id="quota-title")
        yield Static("", id="quota-status", markup=False)
        yield DataTable(id="quota-table", cursor_type="row", zebra_stripes=True)
        yield Static("≈ counted by freechat   ~ estimated   reported: said by the provider",
                     id="quota-legend", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*COLUMNS)
        if self.quotas:
            self.show(self.quotas)
        self.reload(refresh=False)

    def _cell(self, text: str, level: str | None) -> Content:
        if level is None:
            return Content(text)
        name = f"quota-{level}"
        fallback = {"quota-ok": "success", "quota-warn": "warning", "quota-bad": "error"}[name]
        var = name if name in self.app.theme_variables else fallback
        return Content.styled(text, f"${var}")

    def _resets(self, window: QuotaWindow, now: float) -> str:
        if window.resets_at is None:
            return ""
        when = datetime.fromtimestamp(window.resets_at).strftime("%H:%M")
        return f"in {countdown(window.resets_at - now)} ({when})"

    def show(self, quotas: Sequence[ProviderQuota]) -> None:
        self.quotas = list(quotas)
        table = self.query_one(DataTable)
        table.clear()
        now = self._clock()
        for quota in quotas:
            name = f"{quota.provider} ({quota.tier})" if quota.tier else quota.provider
            for window in quota.windows:
                label = window.name + (f" · {window.model}" if window.model else "")
                table.add_row(
                    name, label,
                    self._cell(figure(window.remaining, window.unit), headroom_level(window)),
                    figure(window.limit, window.unit), figure(window.used, window.unit),
                    self._resets(window, now), SOURCE_TEXT.get(window.source, window.source),
                )
                name = ""
            if quota.credit is not None:
                table.add_row(name, "credit", figure(quota.credit.remaining, quota.credit.unit),
                              "", "", "", SOURCE_TEXT.get(quota.credit.source, ""))
            elif not quota.windows:
                table.add_row(name, "no figures yet", "", "", "", "", "")
        if not quotas:
            self.set_status("No providers configured yet: add a key on the setup screen.")

    def set_status(self, text: str) -> None:
        self.query_one("#quota-status", Static).update(text)

    @work(exclusive=True, group="quota", exit_on_error=False)
    async def reload(self, refresh: bool) -> None:
        self.set_status("asking the providers…" if refresh else "")
        try:
            quotas, errors = await self._load(refresh)
        except FreechatError as error:
            self.set_status(error.one_line())
            return
        self.show(quotas)
        if errors:
            self.set_status("  ·  ".join(e.one_line() for e in errors))
        elif refresh:
            self.set_status("updated from the providers")

    def action_refresh_quota(self) -> None:
        self.reload(refresh=True)

    def action_close(self) -> None:
        self.dismiss(None)
