"""The conversation: an anchored scroll of messages, with a welcome note while it is empty."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.geometry import Size
from textual.widget import Widget

from freechat.core.models import ModelRef

if TYPE_CHECKING:  # messages (and the reply machinery they show) load with the first one
    from freechat.core.conversation import StoredMessage
    from freechat.ui.widgets.message import AssistantMessage, UserMessage

PAGE = 20  # saved messages mounted at a time: a few screens' worth
CHUNK = 4  # messages mounted per frame
MOST = 40  # saved messages mounted at once; those far out of view are unmounted
WARM_UP_DELAY = 0.5  # seconds after mounting before Markdown and Pygments are warmed

Decorate = Callable[[Widget, "StoredMessage"], None]


class ChatView(VerticalScroll):
    """The chat pane. The screen talks to it only through these methods:

    - `add_user(text)`, `add_assistant(model)`: a new turn at the bottom (the reply streams
      into the returned `AssistantMessage`); the view stays anchored to the bottom.
    - `show_history(messages, decorate=None)`: show a saved conversation (its current
      `StoredMessage`s, oldest first) instead of what is shown. Only the newest PAGE are
      mounted; older pages are mounted as the view nears the top, keeping what the user sees
      in place, and at most MOST saved messages are mounted at a time (those far below or
      above the view are unmounted, and mounted again when the view comes near).
      `decorate(widget, message)` lets the screen add to each widget (a subtitle).
    - `has_older`, `show_older()`: whether older saved messages are not mounted, and mount
      the next page of them now.
    - `clear()`, `is_empty`.

    Saved replies start as cheap placeholders and become real Markdown blocks as they scroll
    into view (lazy_markdown.py), so only what is near the viewport costs widgets.
    """

    def __init__(self, welcome: Widget, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="-empty")
        self._welcome = welcome
        self._saved: list[StoredMessage] = []
        self._lo = self._hi = 0  # _saved[_lo:_hi] are mounted, as _mounted
        self._mounted: list[Widget] = []
        self._decorate: Decorate | None = None
        self._loading: asyncio.Task[None] | None = None
        self._keep: tuple[Widget, float] | None = None  # a widget and its offset in view

    def compose(self) -> ComposeResult:
        yield self._welcome

    def on_mount(self) -> None:
        self.set_timer(WARM_UP_DELAY, self._warm_up)

    async def _warm_up(self) -> None:
        from freechat.ui.widgets.rich_lines import warm_up

        await warm_up(self)

    @property
    def is_empty(self) -> bool:
        return not self.query(".message")

    @property
    def has_older(self) -> bool:
        return self._lo > 0

    async def add_user(self, text: str) -> UserMessage:
        self.remove_class("-empty")
        if self._hi < len(self._saved):  # scrolled far back: the newest saved come back first
            await self._show_newest()
        from freechat.ui.widgets.message import UserMessage

        message = UserMessage(text)
        await self.mount(message)
        return message

    async def add_assistant(self, model: ModelRef) -> AssistantMessage:
        from freechat.ui.widgets.message import AssistantMessage

        message = AssistantMessage(model)
        await self.mount(message)
        # Anchored: the streaming reply stays in view until the user scrolls up.
        self.anchor()
        return message

    async def clear(self) -> None:
        self._saved, self._mounted, self._lo, self._hi = [], [], 0, 0
        await self.query(".message").remove()
        self.add_class("-empty")

    # --- saved conversations ---------------------------------------------------------------
    async def show_history(self, messages: Sequence[StoredMessage],
                           decorate: Decorate | None = None) -> None:
        """Show a saved conversation, newest messages first (see the class docstring)."""
        await self.clear()
        self._decorate = decorate
        self._saved = [m for m in messages if m.role in ("user", "assistant")]
        await self._show_newest()
        if self._saved:
            self.remove_class("-empty")
        self.anchor()

    async def _show_newest(self) -> None:
        before = self._first_live()
        await self.remove_children(self._mounted)
        self._hi = len(self._saved)
        self._lo = max(0, self._hi - PAGE)
        self._mounted = [self._widget_for(m) for m in self._saved[self._lo:self._hi]]
        if self._mounted:
            await self.mount_all(self._mounted, before=before)

    async def show_older(self) -> None:
        """Mount the next older page above the first message, keeping the view in place.

        A few messages per frame: mounting is about a millisecond per widget."""
        lo = max(0, self._lo - PAGE)
        while self._lo > lo:
            start = max(lo, self._lo - CHUNK)
            widgets = [self._widget_for(m) for m in self._saved[start:self._lo]]
            first = self._mounted[0]
            self._hold(first)
            await self.mount_all(widgets, before=first)
            self._mounted[:0], self._lo = widgets, start
            await self._next_refresh()
        # Far below the view now: unmounted (mounted again when the view comes near).
        while self._hi - self._lo > MOST and self._far(self._mounted[-1]):
            await self._mounted.pop().remove()
            self._hi -= 1

    async def _show_newer(self) -> None:
        hi = min(len(self._saved), self._hi + PAGE)
        while self._hi < hi:
            end = min(hi, self._hi + CHUNK)
            widgets = [self._widget_for(m) for m in self._saved[self._hi:end]]
            await self.mount_all(widgets, after=self._mounted[-1])
            self._mounted.extend(widgets)
            self._hi = end
            await self._next_refresh()
        drop = []
        while self._hi - self._lo > MOST and self._far(self._mounted[0]):
            drop.append(self._mounted.pop(0))
            self._lo += 1
        if drop:
            self._hold(self._mounted[0])
            await self.remove_children(drop)

    def _hold(self, widget: Widget) -> None:
        """Keep `widget` where it is on screen across the next layout (watch_virtual_size)."""
        self._keep = (widget, widget.virtual_region.y - self.scroll_y)

    def watch_virtual_size(self, size: Size) -> None:
        if self._keep is None:
            return
        widget, offset = self._keep
        y = widget.virtual_region.y - offset
        if y != self.scroll_y and widget.is_attached:
            self._keep = None
            self.scroll_to(y=y, animate=False, immediate=True)

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if self._saved and (self._loading is None or self._loading.done()):
            self._loading = asyncio.create_task(self._fill())

    async def _fill(self) -> None:
        """Pages until the view is a screen away from either end of what is mounted."""
        while self.is_attached and self._mounted:
            view = self.scrollable_content_region.height
            if self._lo and self.scroll_y < max(4, view):
                await self.show_older()
            elif self._hi < len(self._saved) and (
                    self._mounted[-1].virtual_region.bottom < self.scroll_y + 2 * view):
                await self._show_newer()
            else:
                return
            await self._next_refresh()  # one layout between pages

    async def _next_refresh(self) -> None:
        refreshed = asyncio.Event()
        self.call_after_refresh(refreshed.set)
        await refreshed.wait()

    def _far(self, widget: Widget) -> bool:
        """More than a screen away from the view (in either direction)."""
        view, region = self.scrollable_content_region.height, widget.virtual_region
        return region.y > self.scroll_y + 2 * view or region.bottom < self.scroll_y - view

    def _first_live(self) -> Widget | None:
        """The first message of this session (after every saved one), if any."""
        last = self._mounted[-1] if self._mounted else None
        messages = list(self.query(".message"))
        if last is None:
            return messages[0] if messages else None
        index = messages.index(last) if last in messages else len(messages) - 1
        return messages[index + 1] if index + 1 < len(messages) else None

    def _widget_for(self, message: StoredMessage) -> Widget:
        from freechat.ui.widgets.message import AssistantMessage, UserMessage

        widget: Widget = (UserMessage(message.content) if message.role == "user"
                          else AssistantMessage.from_stored(message))
        if self._decorate is not None:
            self._decorate(widget, message)
        return widget
