"""The leaderboard: models ranked by their Bradley–Terry rating from the user's blind votes.

Each row shows the rating with its 95 % interval, the number of votes and the wins, ties and
losses. A key cycles the time filter (all time, 30 days, 7 days, 24 hours). The votes are
read in a thread (a file); the ranking itself is core/leaderboard.py.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from freechat.core.leaderboard import Standing, Vote, VoteBook, leaderboard

# (label, seconds back; None = all time)
PERIODS: tuple[tuple[str, float | None], ...] = (
    ("all time", None), ("last 30 days", 30 * 86400.0), ("last 7 days", 7 * 86400.0),
    ("last 24 hours", 86400.0),
)
COLUMNS = ("#", "model", "rating", "±95%", "votes", "won", "tied", "lost")


class LeaderboardScreen(Screen[None]):
    CSS_PATH = "leaderboard.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f", "next_period", "Time filter", id="leaderboard-period"),
        Binding("escape", "close", "Back", id="leaderboard-close"),
    ]

    period: var[int] = var(0)

    def __init__(self, votes: VoteBook, *, clock: Callable[[], float] = time.time) -> None:
        super().__init__()
        self.book = votes
        self._clock = clock
        self._votes: list[Vote] = []

    def compose(self) -> ComposeResult:
        yield Static("Leaderboard", id="leaderboard-title", markup=False)
        yield DataTable(id="leaderboard-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="leaderboard-note", markup=False)
        yield Footer()

    @property
    def table(self) -> DataTable:
        return self.query_one(DataTable)

    async def on_mount(self) -> None:
        self.table.add_columns(*COLUMNS)
        self._votes = await asyncio.to_thread(self.book.load)
        for notice in self.book.notices:
            self.notify(notice, severity="warning")
        self.show()
        self.table.focus()

    def watch_period(self) -> None:
        if self.is_mounted:
            self.show()

    def standings(self) -> list[Standing]:
        back = PERIODS[self.period][1]
        since = None if back is None else self._clock() - back
        return leaderboard(self._votes, since=since)

    def show(self) -> None:
        label, _ = PERIODS[self.period]
        rows = self.standings()
        self.table.clear()
        for rank, row in enumerate(rows, start=1):
            self.table.add_row(
                str(rank), row.model, f"{row.rating:.0f}", f"±{row.interval:.0f}",
                str(row.votes), str(row.wins), str(row.ties), str(row.losses), key=row.model,
            )
        self.query_one("#leaderboard-title", Static).update(f"Leaderboard · {label}")
        counted = sum(1 for v in self._votes if self._in_period(v))
        if not rows:
            note = ("No votes yet. Run a blind comparison and vote with one key; the ranking "
                    "appears here." if not self._votes else f"No votes in the {label}.")
        else:
            note = (f"{counted} vote(s). Bradley–Terry rating (1000 = average); ± is a 95 % "
                    "interval, wide until a model has many votes. Ties and 'both bad' count "
                    "half a win each way.")
        self.query_one("#leaderboard-note", Static).update(note)

    def _in_period(self, vote: Vote) -> bool:
        back = PERIODS[self.period][1]
        return back is None or vote.at >= self._clock() - back

    def action_next_period(self) -> None:
        self.period = (self.period + 1) % len(PERIODS)

    def action_close(self) -> None:
        self.dismiss()
