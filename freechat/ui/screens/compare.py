"""The compare screen: one prompt to 2–4 models, one column each, streaming side by side.

Each column streams on its own (a slow or failing model never holds up the others), with its
figures live under it. Esc stops every column. Follow-up prompts continue each model's own
history. In a blind comparison the columns are "Model A", "Model B", ... until the user votes
with one key; the vote is saved and the names revealed. Before each prompt the quota plan says
what it will cost each provider, and columns whose provider is out of quota sit it out. When
the terminal is too narrow for the columns side by side, one shows at a time and a key flips.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.events import Resize
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import Footer, Static

from freechat.core.compare_figures import measure
from freechat.core.compare_quota import open_guard, plan_quota
from freechat.core.comparison import Column, Comparison
from freechat.core.errors import FreechatError
from freechat.core.events import ReasoningDelta, TextDelta
from freechat.core.leaderboard import VoteBook
from freechat.core.models import ModelRef
from freechat.core.runtime import Runtime
from freechat.core.session import Reply
from freechat.core.throttle import Throttled
from freechat.ui.widgets.compare_column import CompareColumn, VoteBar
from freechat.ui.widgets.prompt import PromptInput

MAX_MODELS = 4
MIN_COLUMN_WIDTH = 34  # below this per column, show one column at a time
LIVE_INTERVAL = 0.25  # seconds between live figure refreshes while streaming


class CompareScreen(Screen[None]):
    CSS_PATH = "compare.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "stop", "Stop all", id="compare-stop"),
        # Esc again, once nothing streams: back to the chat (the app pushed this screen).
        Binding("escape", "close", "Back", id="compare-close"),
        Binding("f4", "flip", "Next column", id="compare-next-column"),
        Binding("f8", "leaderboard", "Leaderboard", id="open-leaderboard"),
    ]

    narrow: var[bool] = var(False)
    current: var[int] = var(0)

    def __init__(
        self, runtime: Runtime, client: Any, models: Sequence[ModelRef], *,
        blind: bool = False, system: str | None = None, save: bool = True, store: Any = None,
        guard: Any = None, votes: VoteBook | None = None, rng: random.Random | None = None,
        clock: Callable[[], float] = time.monotonic, live_interval: float | None = LIVE_INTERVAL,
    ) -> None:
        super().__init__()
        if len(models) > MAX_MODELS:
            raise ValueError(f"compare shows at most {MAX_MODELS} models")
        self.runtime = runtime
        self.client = client  # the app's HTTP client, opaque here
        if save and store is None:  # each column is saved as its own conversation
            from freechat.core.store import ConversationStore

            store = ConversationStore.from_paths(runtime.paths)
        self.comparison = Comparison(
            list(models), self._adapter_for, blind=blind, system=system, store=store,
            rng=rng, clock=clock,
        )
        self.votes = votes or VoteBook.from_paths(runtime.paths)
        self._guard = guard
        self._clock = clock
        self._live_interval = live_interval
        self._notes: dict[int, str] = {}
        self._answering: set[int] = set()  # columns whose first token has arrived
        self._columns: list[CompareColumn] | None = None

    def _adapter_for(self, ref: ModelRef) -> Any:
        return self.runtime.adapter(ref.provider, self.client)

    # --- layout --------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static("", id="compare-plan", markup=False)
        with Horizontal(id="compare-columns"):
            for column in self.comparison.columns:
                yield CompareColumn(column.index, self._title(column), id=f"column-{column.index}")
        yield VoteBar(id="vote-bar")
        yield PromptInput(placeholder="Ask every model…", id="compare-prompt")
        yield Footer()

    @property
    def columns(self) -> list[CompareColumn]:
        # Asked per streamed token: a DOM query each time was most of this screen's CPU
        # (three columns at 200 tok/s fell 0.8 s behind). The columns never change.
        if self._columns is None or len(self._columns) != len(self.comparison.columns):
            self._columns = list(self.query(CompareColumn))
        return self._columns

    @property
    def prompt(self) -> PromptInput:
        return self.query_one(PromptInput)

    @property
    def vote_bar(self) -> VoteBar:
        return self.query_one(VoteBar)

    def _title(self, column: Column) -> str:
        title = f"{column.label} · {self.comparison.name(column)}"
        if self.narrow:
            keys = self.runtime.config.keymap.get("compare-next-column", "f4")
            key = keys.split(",")[0].strip().upper()
            title += f"   ({column.index + 1}/{len(self.comparison.columns)} · {key} next)"
        return title

    def _retitle(self) -> None:
        for column, widget in zip(self.comparison.columns, self.columns, strict=True):
            widget.set_title(self._title(column))

    async def on_mount(self) -> None:
        self._show_current()
        self.prompt.focus()
        if self._guard is None:
            self._guard = await asyncio.to_thread(open_guard, self.runtime)
        self.comparison.guard = self._guard
        await self._plan()

    def on_resize(self, event: Resize) -> None:
        count = len(self.comparison.columns)
        self.narrow = event.size.width < count * MIN_COLUMN_WIDTH

    def watch_narrow(self) -> None:
        self._show_current()
        if self.is_mounted:
            self._retitle()
            self.refresh_bindings()

    def watch_current(self) -> None:
        self._show_current()

    def _show_current(self) -> None:
        # Classes on the columns themselves (not an ancestor selector), so that each column
        # restyles itself when the terminal grows or shrinks.
        for widget in self.query(CompareColumn):
            widget.set_class(widget.index == 0, "-first")
            widget.set_class(self.narrow and widget.index != self.current, "-hidden")
            widget.set_class(self.narrow and widget.index == self.current, "-solo")

    # --- quota plan ----------------------------------------------------------------------
    async def _plan(self) -> None:
        refs = [c.ref for c in self.comparison.columns]
        tiers = {r.provider: self.runtime.spec(r.provider).tier for r in refs}
        book = self._guard.book if self._guard is not None else None
        plan = await asyncio.to_thread(plan_quota, book, refs, tiers)
        text = plan.summary() if self.comparison.revealed else (
            f"will use {sum(c.requests for c in plan.costs)} requests"
            f" across {len(plan.costs)} provider(s) (names hidden until you vote)")
        self.query_one("#compare-plan", Static).update(text)
        for column, widget in zip(self.comparison.columns, self.columns, strict=True):
            column.refused = plan.refused.get(column.index)
            if column.refused is not None:
                widget.show_note(f"✗ not sent: {column.refused.one_line()}")

    # --- sending -------------------------------------------------------------------------
    @on(PromptInput.Submitted, "#compare-prompt")
    async def _submitted(self, event: PromptInput.Submitted) -> None:
        event.stop()
        if self.comparison.running:
            self.notify("Still answering — Esc stops every column.", severity="warning")
            return
        self.prompt.remember(event.text)
        self.vote_bar.remove_class("-offered")
        await self._plan()
        self.send(event.text)

    @work(exclusive=True, group="compare", exit_on_error=False)
    async def send(self, text: str) -> None:
        for column, widget in zip(self.comparison.columns, self.columns, strict=True):
            await widget.start_turn(text, column.ref)
        self._answering.clear()
        self.call_after_refresh(self.refresh_figures)  # "waiting for the first token"
        self.set_class(True, "-streaming")
        ticker = None
        self.call_after_refresh(self.refresh_bindings)  # Esc now stops
        if self._live_interval:
            ticker = self.set_interval(self._live_interval, self.refresh_figures)
        try:
            await self.comparison.send(text, on_event=self._on_event, on_done=self._on_done)
        finally:
            if ticker is not None:
                ticker.stop()
            self.set_class(False, "-streaming")
            self.refresh_bindings()
            self.refresh_figures()
        self._offer_vote()

    async def _on_event(self, column: Column, event: object) -> None:
        message = self.columns[column.index].message
        if message is None:
            return
        if isinstance(event, TextDelta | ReasoningDelta):
            if column.index not in self._answering:  # the first token: say so at once
                self._answering.add(column.index)
                self._notes.pop(column.index, None)
                self._show_figures(column)
            if isinstance(event, TextDelta):
                await message.write_text(event.text)
            else:
                await message.write_reasoning(event.text)
        elif isinstance(event, Throttled):
            self._notes[column.index] = f"⏳ held back {event.seconds:.0f} s: {event.reason}"
            self._show_figures(column)

    async def _on_done(self, column: Column, reply: Reply) -> None:
        self._notes.pop(column.index, None)
        message = self.columns[column.index].message
        if message is not None:
            await message.finish(reply)
        self._show_figures(column)  # an error shows there, in its column: no toast

    def refresh_figures(self) -> None:
        for column in self.comparison.columns:
            self._show_figures(column)

    def _show_figures(self, column: Column) -> None:
        reply = column.reply
        if reply is None:
            return
        figures = measure(reply, self._clock(), sent=column.refused is None)
        self.columns[column.index].show_figures(figures, self._notes.get(column.index, ""))

    # --- vote ----------------------------------------------------------------------------
    def _offer_vote(self) -> None:
        if not self.comparison.can_vote():
            return
        self.vote_bar.offer([c.label for c in self.comparison.columns])
        self.vote_bar.add_class("-offered")
        self.call_after_refresh(self.vote_bar.focus)  # focusable once it is displayed

    @on(VoteBar.Voted)
    async def _voted(self, event: VoteBar.Voted) -> None:
        event.stop()
        try:
            vote = self.comparison.vote(event.choice)
        except FreechatError as error:
            self.notify(error.one_line(), severity="warning")
            return
        self.vote_bar.remove_class("-offered")
        self._retitle()
        await self._plan()
        reveal = ", ".join(f"{c.label} = {c.ref}" for c in self.comparison.columns)
        try:
            await asyncio.to_thread(self.votes.add, vote)
        except OSError as error:
            self.notify(f"could not save the vote ({error.strerror})", severity="error")
        except FreechatError as error:  # another freechat holds the votes file
            self.notify(f"could not save the vote: {error.one_line()}", severity="error")
        else:
            self.notify(reveal, title="Vote saved", timeout=8)
        self.prompt.focus()

    # --- actions -------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop":
            return self.comparison.running
        if action == "close":
            return not self.comparison.running
        if action == "flip":
            return self.narrow
        return True

    def action_stop(self) -> None:
        self.comparison.cancel()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_flip(self) -> None:
        self.current = (self.current + 1) % len(self.comparison.columns)

    def action_leaderboard(self) -> None:
        from freechat.ui.screens.leaderboard import LeaderboardScreen

        self.app.push_screen(LeaderboardScreen(self.votes))
