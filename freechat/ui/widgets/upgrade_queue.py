"""App-wide schedules for LazyMarkdown: one flush clock and one upgrade queue per app.

The flush clock shows streamed text at most FLUSH_HZ times a second, every widget that was
written to in the same tick, so that concurrent streams (compare columns) share one layout.

The upgrade queue turns placeholders in view into Textual blocks.
Building Textual blocks is the dear part (a list or a table is tens of widgets), so it is
shared out: after each screen refresh, the placeholders in view across every LazyMarkdown
are upgraded lowest on screen first (the newest text), for about SLICE seconds, then the
loop gets a turn and the next refresh shows them. One queue, not one task per widget: a page
of twenty saved replies mounting at once would otherwise take twenty slices per frame.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from textual.app import App

if TYPE_CHECKING:
    from freechat.ui.widgets.lazy_markdown import LazyMarkdown

# 30 saturates the loop at 200 tok/s (PERFORMANCE.md). 25 against 20, interleaved runs of the
# paced benchmark (max lag, median of 5): 90 and 94 ms against 100 and 105, CPU 0.4 core.
FLUSH_HZ = 25
SHARED_HZ = 20  # the base rate while several replies stream at once (compare; see _run)
SLICE = 0.004  # seconds of building per frame; the layout and paint of the result come on top
# Upgrading is the dear part: while several replies stream (compare columns end a moment
# apart), it waits until all have been quiet this long, so that none loses its last frames.
QUIET = 0.2


class UpgradeQueue:
    def __init__(self) -> None:
        self._waiting: dict[LazyMarkdown, asyncio.Event] = {}
        self._task: asyncio.Task[None] | None = None

    def add(self, widget: LazyMarkdown) -> asyncio.Event:
        """Upgrade what of `widget` is in view; the event is set once none of it is left."""
        event = self._waiting.setdefault(widget, asyncio.Event())
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(widget))
        return event

    async def _run(self, anchor: LazyMarkdown) -> None:
        clock = flush_clock(anchor.app)
        while self._waiting:
            while clock.others_flushed_within(QUIET):
                await asyncio.sleep(QUIET / 2)
            # After a refresh: the text a reply's last flush showed is on screen first.
            refreshed = asyncio.Event()
            anchor.call_after_refresh(refreshed.set)
            if not anchor.is_attached:
                refreshed.set()
            await refreshed.wait()
            todo = []
            for widget, event in list(self._waiting.items()):
                visible = [p for p in widget.placeholders if widget.in_view(p)] if (
                    widget.is_attached) else []
                if not visible:
                    del self._waiting[widget]
                    event.set()
                todo += [(p.region.y, widget, p) for p in visible]
            if not todo:
                continue
            anchor = todo[0][1]
            deadline = time.monotonic() + SLICE
            with anchor.app.batch_update():
                for _, widget, placeholder in sorted(todo, key=lambda t: -t[0]):
                    if placeholder.is_attached:
                        await widget.upgrade(placeholder)
                    if time.monotonic() > deadline:
                        break


class FlushClock:
    def __init__(self) -> None:
        self._dirty: dict[LazyMarkdown, None] = {}  # insertion-ordered set
        self._flushed: WeakKeyDictionary[LazyMarkdown, float] = WeakKeyDictionary()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def others_flushed_within(self, seconds: float) -> bool:
        """With several replies written to in the last second (compare columns; a reply's
        reasoning and answer are one), whether any was flushed in the last `seconds`,
        finished or not (its last frame may still be due)."""
        now = time.monotonic()
        lately = [(widget, at) for widget, at in list(self._flushed.items()) if at > now - 1.0]
        replies = {id(_reply_of(widget)) for widget, _ in lately}
        return len(replies) > 1 and max(at for _, at in lately) > now - seconds

    def _streams(self, seconds: float) -> int:
        """Replies still streaming that were flushed in the last `seconds`."""
        recent = time.monotonic() - seconds
        return sum(at > recent and not widget.finished
                   for widget, at in list(self._flushed.items()))

    def flushed_now(self, widget: LazyMarkdown) -> None:
        """`widget` was flushed outside a tick (its final flush), if it streamed at all."""
        if widget in self._flushed:
            self._flushed[widget] = time.monotonic()

    def mark(self, widget: LazyMarkdown) -> None:
        """`widget` has text to show: flush it in the next tick."""
        self._dirty[widget] = None
        self._wake.set()
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            started = time.monotonic()
            self._wake.clear()
            dirty, self._dirty = self._dirty, {}
            if not dirty:
                continue
            # One layout and paint for the whole tick, once the placeholders it mounts are
            # in: never a frame where text has left the tail but not reached its placeholder.
            with next(iter(dirty)).app.batch_update():
                pending = [change for widget in dirty for change in widget.flush()]
                for widget in dirty:
                    self._flushed[widget] = started
                for change in pending:
                    with contextlib.suppress(Exception):  # e.g. the reply was closed meanwhile
                        await change
            # Several streams at once (compare) make each frame dearer: fewer frames, so the
            # loop keeps up. 3 streams at 200 tok/s, measured (max lag behind the streams,
            # median of 4 runs), a tick flushing all three every: 100 ms 220 ms, 83 ms 212 ms,
            # 75 ms 172-195 ms, 50 ms 249 ms (the loop saturates). A tick flushing fewer of
            # them comes sooner; a fixed 75 ms whatever a tick flushed measured 333-365 ms.
            base = 1 / (FLUSH_HZ if self._streams(1.0) <= 1 else SHARED_HZ)
            pause = base * (1 + (len(dirty) - 1) / 4)
            await asyncio.sleep(max(0.0, pause - (time.monotonic() - started)))


def _reply_of(widget: LazyMarkdown) -> object:
    """The chat message a text belongs to (its answer and its reasoning are one reply)."""
    return next((node for node in widget.ancestors_with_self if node.has_class("message")),
                widget)


_QUEUES: WeakKeyDictionary[App, UpgradeQueue] = WeakKeyDictionary()
_CLOCKS: WeakKeyDictionary[App, FlushClock] = WeakKeyDictionary()


def flush_clock(app: App) -> FlushClock:
    clock = _CLOCKS.get(app)
    if clock is None:
        clock = _CLOCKS[app] = FlushClock()
    return clock


def upgrades(app: App) -> UpgradeQueue:
    queue = _QUEUES.get(app)
    if queue is None:
        queue = _QUEUES[app] = UpgradeQueue()
    return queue
