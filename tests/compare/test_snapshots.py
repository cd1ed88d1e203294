"""Snapshots of the compare screen (2 and 3 columns) and of the leaderboard.

Timings are real in the app; here each reply's timestamps are set to fixed values once it has
finished, and the figures redrawn, so the SVGs are the same on every run.
"""

from __future__ import annotations

import random

from freechat.core.leaderboard import OUTCOME_TIE, OUTCOME_WIN, Vote, VoteBook
from freechat.ui.screens.leaderboard import LeaderboardScreen
from tests.compare.conftest import BROKEN, FAST, SLOW, THIRD, ScreenApp, wait_for

SIZE = (120, 30)
NOW = 1_800_000_000.0


def settle_figures(screen) -> None:
    """Fixed times per column: started 0 s, first token at 0.2·(i+1) s, done at 0.8·(i+1) s."""
    for column in screen.comparison.columns:
        reply = column.reply
        reply.started_at = 0.0
        if reply.first_token_at is not None:
            reply.first_token_at = 0.2 * (column.index + 1)
        reply.ended_at = 0.8 * (column.index + 1)
    screen.refresh_figures()


def run_prompt(prompt: str):
    async def run_before(pilot) -> None:
        screen = pilot.app.screen
        await wait_for(pilot, lambda: screen.comparison.guard is not None)
        await pilot.press(*prompt, "enter")
        await wait_for(pilot, lambda: bool(screen.comparison.columns[0].replies)
                       and not screen.comparison.running)
        await pilot.app.workers.wait_for_complete()
        settle_figures(screen)
        await pilot.pause()

    return run_before


def test_two_blind_columns_offer_the_vote(snap_compare, compare_app, models_server):
    """Two columns titled "A · Model A" and "B · Model B" (names hidden), each with the prompt,
    its answer and three lines of figures (TTFT 0.20/0.40 s, tok/s, tokens, total, ✓ stop,
    quota: 1 request); the plan line says names are hidden; the vote bar offers a/b/t/x."""
    app = compare_app(FAST, SLOW, blind=True, rng=random.Random(5), live_interval=None)
    assert snap_compare(app, run_before=run_prompt("Which is faster?"), terminal_size=SIZE)


def test_three_columns_one_failing(snap_compare, compare_app, models_server):
    """Three columns named by model: fast and slow answer (✓ stop, figures), the broken one
    shows "✗ error: openrouter: model is not a valid model ID" and no speed line; the plan
    line reads "will use openrouter: 3 requests (50/50 requests/day left, counted)"."""
    app = compare_app(FAST, BROKEN, THIRD, live_interval=None)
    assert snap_compare(app, run_before=run_prompt("Say something"), terminal_size=SIZE)


def test_leaderboard(snap_compare, runtime, models_server):
    """The leaderboard, all time: three models ranked by rating with ± intervals, vote counts
    and won/tied/lost columns, and the note explaining the Bradley–Terry rating."""
    book = VoteBook.from_paths(runtime.paths)
    pairs = [(FAST, SLOW, FAST)] * 3 + [(FAST, THIRD, THIRD), (SLOW, THIRD, THIRD)] * 2
    for i, (a, b, winner) in enumerate(pairs):
        book.add(Vote.cast([a, b], OUTCOME_WIN, winner, at=NOW - 3600 * (i + 1)))
    book.add(Vote.cast([SLOW, THIRD], OUTCOME_TIE, at=NOW - 40 * 86400))
    app = ScreenApp(runtime, lambda client: LeaderboardScreen(book, clock=lambda: NOW))
    assert snap_compare(app, terminal_size=SIZE)
