"""The quota bar: the active provider's windows as `remaining/limit` with reset countdowns, and
a compact line for the other configured providers, coloured by headroom.

Markers: none = reported by the provider, `≈` = counted by freechat, `~` = estimated.
Colours come from the theme variables `$quota-ok`, `$quota-warn` and `$quota-bad` (defaults in
`ui/themes.py` VARIABLE_DEFAULTS, overridable per theme); in an app that does not define them
the bar uses `$success` / `$warning` / `$error`. The parent sets `snapshot`, `others` and
`waiting`; the bar only renders them (and ticks its countdowns once a second).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from textual.app import RenderResult
from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

if TYPE_CHECKING:  # types only: the book's module loads with the book, after the first frame
    from freechat.core.quota import ProviderQuota, QuotaBook, QuotaWindow
    from freechat.core.throttle import Throttled

_FALLBACK = {"quota-ok": "success", "quota-warn": "warning", "quota-bad": "error"}
MARKERS = {"reported": "", "counted": "≈", "estimated": "~"}
WARN_BELOW, BAD_BELOW = 0.25, 0.10
_SHORT = {"second": "s", "10s": "10s", "minute": "min", "hour": "h", "day": "day",
          "month": "mo"}


def headroom_level(window: QuotaWindow) -> str | None:
    """ok / warn / bad for a window, or None when its limit is unknown."""
    room = window.headroom
    if room is None:
        return None
    if (window.remaining is not None and window.remaining <= 0) or room <= BAD_BELOW:
        return "bad"
    return "warn" if room <= WARN_BELOW else "ok"


def worst(windows: Iterable[QuotaWindow]) -> QuotaWindow | None:
    """The window with the least headroom (known limits only)."""
    known = [w for w in windows if w.headroom is not None]
    return min(known, key=lambda w: (w.headroom, -(w.resets_at or 0)), default=None)


def countdown(seconds: float) -> str:
    seconds = max(int(seconds + 0.999), 0)
    hours, rest = divmod(seconds, 3600)
    if hours >= 24:
        return f"{hours // 24}d{hours % 24}h"
    if hours:
        return f"{hours}h{rest // 60:02d}m"
    return f"{rest // 60}m{rest % 60:02d}s" if rest >= 60 else f"{rest}s"


def figure(value: float | None, unit: str) -> str:
    if value is None:
        return "?"
    if unit == "usd":
        return f"${value:.2f}"
    for threshold, size, suffix in ((1e9, 1e9, "G"), (1e6, 1e6, "M"), (1e4, 1e3, "k")):
        if abs(value) >= threshold:
            return f"{value / size:.3g}{suffix}"  # 14.1k, 60k, 1.5M
    return f"{value:.0f}" if float(value).is_integer() or value >= 100 else f"{value:.1f}"


def window_label(window: QuotaWindow) -> str:
    unit, _, period = window.name.partition("/")
    unit = {"requests": "req", "tokens": "tok", "neurons": "neurons", "usd": "$"}.get(unit, unit)
    return f"{unit}/{_SHORT.get(period, period)}"


def window_figure(window: QuotaWindow) -> str:
    marker = MARKERS.get(window.source, "")
    left = figure(window.remaining, window.unit)
    if window.limit is not None and window.remaining is not None:
        return f"{marker}{left}/{figure(window.limit, window.unit)}"
    if window.remaining is not None:
        return f"{marker}{left} left"
    return f"{marker}{figure(window.used, window.unit)} used"


class QuotaBar(Widget):
    DEFAULT_CSS = """
    QuotaBar {
        height: auto;
        min-height: 1;
        max-height: 2;
        padding: 0 1;
        background: $panel;
        color: $text-muted;
    }
    """

    snapshot: reactive[ProviderQuota | None] = reactive(None)
    others: reactive[tuple[ProviderQuota, ...]] = reactive(())
    waiting: reactive[Throttled | None] = reactive(None)

    def __init__(self, *, clock: Callable[[], float] = time.time, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._clock = clock

    def on_mount(self) -> None:
        self.set_interval(1.0, self._tick)

    def _tick(self) -> None:
        if self.waiting is not None and self.waiting.until <= self._clock():
            self.waiting = None
        self.refresh()

    def watch_snapshot(self, snapshot: ProviderQuota | None) -> None:
        level = None
        if snapshot is not None:
            tight = worst(snapshot.windows)
            level = headroom_level(tight) if tight is not None else None
        for name in ("ok", "warn", "bad"):
            self.set_class(level == name, f"-{name}")

    def watch_waiting(self, waiting: Throttled | None) -> None:
        self.set_class(waiting is not None, "-waiting")

    # --- rendering -----------------------------------------------------------------------
    def _style(self, level: str | None) -> str:
        if level is None:
            return ""
        name = f"quota-{level}"
        try:
            known = name in self.app.theme_variables
        except Exception:  # not mounted in an app yet
            known = False
        return f"${name}" if known else f"${_FALLBACK[name]}"

    def _window_parts(self, window: QuotaWindow, now: float) -> list[str | tuple[str, str]]:
        level = headroom_level(window)
        parts: list[str | tuple[str, str]] = [f"{window_label(window)} "]
        parts.append((window_figure(window), f"bold {self._style(level)}".strip()))
        if window.resets_at is not None and window.resets_at > now and (
                level in ("warn", "bad") or window.name.endswith("/day")):
            parts.append(f" ↻{countdown(window.resets_at - now)}")
        return parts

    def active_line(self, now: float) -> Content:
        parts: list[str | tuple[str, str]] = []
        waiting = self.waiting
        if waiting is not None and waiting.until > now:
            parts += [(f"⏳ {countdown(waiting.until - now)} ", f"bold {self._style('warn')}"),
                      (f"{waiting.reason}  ", "")]
        snap = self.snapshot
        if snap is None:
            parts.append("quota: pick a model")
            return Content.assemble(*parts)
        parts.append((f"{snap.provider} ", "bold"))
        shown = [w for w in snap.windows if w.limit is not None or w.name.endswith("/day")]
        for index, window in enumerate(shown):
            if index:
                parts.append(" · ")
            parts += self._window_parts(window, now)
        if snap.credit is not None:
            parts.append(" · " if shown else "")
            parts.append(f"credit {figure(snap.credit.remaining, snap.credit.unit)}")
        if not shown and snap.credit is None:
            parts.append("no quota figures yet")
        return Content.assemble(*parts)

    def others_line(self) -> Content:
        parts: list[str | tuple[str, str]] = []
        for quota in self.others:
            tight = worst(quota.windows)
            if parts:
                parts.append("  ")
            parts.append(f"{quota.provider} ")
            if tight is not None:
                parts.append((window_figure(tight), self._style(headroom_level(tight))))
            elif quota.credit is not None:
                parts.append(f"${quota.credit.remaining:.2f}")
            else:
                parts.append("–")
        return Content.assemble(*parts)

    def render(self) -> RenderResult:
        now = self._clock()
        line = self.active_line(now)
        if self.others:
            return Content.assemble(line, "\n", self.others_line())
        return line


def bar_state(book: QuotaBook, provider: str, model: str | None, tiers: dict[str, str],
              others: Iterable[str]) -> tuple[ProviderQuota, tuple[ProviderQuota, ...]]:
    """What a screen assigns to `snapshot` and `others` (book reads only; no network)."""
    active = book.snapshot(provider, model, tiers.get(provider, ""))
    rest = tuple(book.snapshot(p, tier=tiers.get(p, "")) for p in others if p != provider)
    return active, rest
