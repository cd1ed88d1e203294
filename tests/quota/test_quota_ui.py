"""The quota bar and the quota screen on a minimal App (Pilot behaviour + SVG snapshots)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from freechat.core.errors import AuthError
from freechat.core.events import RateWindow, Usage
from freechat.core.quota import ProviderQuota, QuotaBook
from freechat.core.quota_limits import LimitsTable
from freechat.core.throttle import Throttled
from freechat.ui.screens.quota import QuotaScreen
from freechat.ui.themes import variable_defaults
from freechat.ui.widgets.quota_bar import QuotaBar, bar_state
from tests.quota.conftest import T0, FakeClock

SIZE = (100, 12)


def sample_book(clock: FakeClock, used_free: int = 45) -> QuotaBook:
    """openrouter: `used_free` of 50 requests today; cerebras reported; cloudflare estimated."""
    book = QuotaBook(LimitsTable.default(), None, clock=clock)
    for _ in range(used_free):
        book.record_request("openrouter", "deepseek/deepseek-r1:free")
    clock.advance(120)  # out of the per-minute window
    book.observe_limits("cerebras", "gpt-oss-120b", [
        RateWindow("requests/day", "requests", 14400, 14100, clock.now + 33011),
        RateWindow("tokens/minute", "tokens", 60000, 12000, clock.now + 11)])
    entry = book.record_request("cloudflare", "@cf/meta/llama-3.1-8b-instruct")
    book.record_usage(entry, Usage(40000, 20000))
    book.observe_credit("vercel", 4.5)
    return book


class BarApp(App[None]):
    """Three bars: plenty left, getting low, and used up."""

    CSS = "QuotaBar { margin-bottom: 1; }"

    def __init__(self, clock: FakeClock) -> None:
        super().__init__()
        self.clock = clock

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return variable_defaults(self.current_theme)

    def compose(self) -> ComposeResult:
        for name in ("ok", "warn", "bad"):
            yield QuotaBar(id=name, clock=self.clock)

    def on_mount(self) -> None:
        for name, used in (("ok", 5), ("warn", 42), ("bad", 50)):
            book = sample_book(FakeClock(T0), used)
            active, others = bar_state(book, "openrouter", "deepseek/deepseek-r1:free",
                                       {"openrouter": "free"},
                                       ["openrouter", "cerebras", "cloudflare", "vercel"])
            bar = self.query_one(f"#{name}", QuotaBar)
            bar.snapshot, bar.others = active, others
        self.query_one("#bad", QuotaBar).waiting = Throttled(
            7, self.clock.now + 7, "openrouter: requests/day used up")


async def test_bar_shows_active_windows_markers_and_colours(clock: FakeClock) -> None:
    clock.now = T0 + 120
    app = BarApp(clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        ok, warn, bad = (app.query_one(f"#{n}", QuotaBar) for n in ("ok", "warn", "bad"))
        assert ok.has_class("-ok") and warn.has_class("-warn") and bad.has_class("-bad")
        text = ok.render().plain
        first, others = text.split("\n")
        assert first.startswith("openrouter ") and "req/day ≈45/50 ↻" in first
        assert "cerebras 12k/60k" in others  # the tightest window, reported (no marker)
        assert "cloudflare ~" in others and "vercel $4.50" in others  # ~ marks an estimate
        assert bad.has_class("-waiting") and bad.render().plain.startswith("⏳ 7s openrouter")
        clock.advance(8)  # the countdown runs out: the wait marker goes away on the next tick
        bad._tick()
        await pilot.pause()
        assert not bad.has_class("-waiting") and not bad.render().plain.startswith("⏳")


async def test_bar_without_a_model_and_unknown_variables() -> None:
    class Plain(App[None]):  # no $quota-* variables: falls back to $success/$warning/$error
        def compose(self) -> ComposeResult:
            yield QuotaBar(clock=lambda: T0)

    app = Plain()
    async with app.run_test(size=SIZE) as pilot:
        bar = app.query_one(QuotaBar)
        assert bar.render().plain == "quota: pick a model"
        book = sample_book(FakeClock(T0), 50)
        bar.snapshot = book.snapshot("openrouter", None, "free")
        await pilot.pause()
        assert bar.has_class("-bad") and "≈0/50" in bar.render().plain


class ScreenApp(App[None]):
    def __init__(self, book: QuotaBook, clock: FakeClock, errors=()) -> None:
        super().__init__()
        self.book, self.clock, self.errors = book, clock, list(errors)
        self.loads: list[bool] = []

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return variable_defaults(self.current_theme)

    async def load(self, refresh: bool) -> tuple[list[ProviderQuota], list]:
        self.loads.append(refresh)
        quotas = [self.book.snapshot(p, tier="free")
                  for p in ("openrouter", "cerebras", "cloudflare", "vercel")]
        return quotas, (self.errors if refresh else [])

    def on_mount(self) -> None:
        self.push_screen(QuotaScreen(self.load, clock=self.clock))


async def test_quota_screen_table_refresh_and_close(clock: FakeClock) -> None:
    book = sample_book(clock)
    error = AuthError("key rejected (bad)", provider="vercel", hint="check the key")
    app = ScreenApp(book, clock, [error])
    async with app.run_test(size=(110, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        rows = [[str(c) for c in table.get_row_at(r)] for r in range(table.row_count)]
        assert rows[0][:2] == ["openrouter (free)", "requests/minute"]
        assert rows[1][:5] == ["", "requests/day", "5", "50", "45"]
        assert any(r[1] == "neurons/day" and r[-1] == "~ estimated" for r in rows)
        assert any(r[1].startswith("tokens/minute · gpt-oss-120b") and r[-1] == "reported"
                   for r in rows)
        assert rows[-1][:3] == ["", "credit", "$4.50"]
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.loads == [False, True]
        status = str(app.screen.query_one("#quota-status").render())
        assert "vercel: key rejected" in status
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, QuotaScreen)


def test_snapshot_bar_in_three_colours(snap_compare) -> None:
    """Three quota bars: green (45 of 50 left), yellow (8 left), red (none left, with a
    '⏳ 7s' wait); each has openrouter's windows on top and the other providers below."""
    clock = FakeClock(T0 + 120)
    assert snap_compare(BarApp(clock), terminal_size=SIZE)


@pytest.fixture
def utc_local_time() -> Iterator[None]:
    """The screen shows reset times in local time; pin it so the snapshot is the same
    everywhere."""
    previous = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if previous is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = previous
    time.tzset()


def test_snapshot_quota_screen(snap_compare, utc_local_time) -> None:
    """The quota screen: one row per window with left/limit/used, reset countdown and the
    source of each figure; credit rows for Vercel."""
    clock = FakeClock(T0)
    app = ScreenApp(sample_book(clock), clock)

    async def settle(pilot) -> None:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(app, run_before=settle, terminal_size=(110, 20))
