"""The compare screen with Pilot against the fake server: independent columns, Esc stops all,
a failing model fails alone, blind vote saved and revealed, narrow terminals flip, refusals."""

from __future__ import annotations

import random

from freechat.core.leaderboard import OUTCOME_TIE, OUTCOME_WIN, Vote, VoteBook
from freechat.core.quota import QuotaBook
from freechat.core.store import ConversationStore
from freechat.ui.screens.compare import CompareScreen
from freechat.ui.screens.leaderboard import LeaderboardScreen
from freechat.ui.widgets.compare_column import CompareColumn
from tests.compare.conftest import (
    BROKEN,
    FAST,
    FAST_TEXT,
    SLOW,
    SLOW_TEXT,
    THIRD,
    ScreenApp,
    behaviours,
    route_models,
    wait_for,
)
from tests.compare.test_comparison import STALL, stall_after_first_token
from tests.conftest import TEST_KEY
from tests.fakes.openai_stream import openrouter_stream
from tests.fakes.server import FakeResponse

SIZE = (120, 36)


def figures(column: CompareColumn) -> str:
    return str(column.figures.render())


def answer(column: CompareColumn) -> str:
    message = column.message
    return "" if message is None else message.answer.source


async def test_columns_stream_independently_and_esc_stops_all(compare_app, models_server):
    stall_after_first_token(models_server)
    app = compare_app(FAST, STALL)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        await pilot.press(*"hello", "enter")
        fast, stall = screen.columns
        await wait_for(pilot, lambda: "✓ stop" in figures(fast) and "Half an" in answer(stall))
        assert answer(fast) == "".join(FAST_TEXT)
        assert "TTFT" in figures(fast) and "tok/s" in figures(fast)
        assert stall.figures.has_class("-live") and "streaming" in figures(stall)
        assert screen.comparison.running

        await pilot.press("escape")  # stops every column
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "■ stopped" in figures(stall) and answer(stall) == "Half an "
        assert "✓ stop" in figures(fast)  # the finished column is left as it was
        assert not screen.comparison.running
        assert screen.prompt.has_focus  # ready for the next prompt


async def test_a_failing_model_shows_its_error_in_its_column_only(compare_app, models_server,
                                                                 runtime):
    app = compare_app(FAST, BROKEN, SLOW)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press(*"hi", "enter")
        await wait_for(pilot, lambda: not screen.comparison.running and all(
            c.reply is not None for c in screen.comparison.columns))
        await app.workers.wait_for_complete()
        await pilot.pause()
        fast, broken, slow = screen.columns
        assert "✗ error: openrouter: model is not a valid model ID" in figures(broken)
        assert broken.figures.has_class("-error") and "TTFT" not in figures(broken)
        assert answer(fast) == "".join(FAST_TEXT) and answer(slow) == "".join(SLOW_TEXT)
        assert "✓ stop" in figures(fast) and "✓ stop" in figures(slow)
        assert "quota: 1 request, 9 in/4 out tok" in figures(slow)

        await pilot.press(*"again", "enter")  # multi-turn: every column gets a second turn
        await wait_for(pilot, lambda: len(slow.messages) == 2 and not screen.comparison.running)
        await app.workers.wait_for_complete()
        assert [len(c.messages) for c in screen.columns] == [2, 2, 2]
        second = [r.json()["messages"] for r in models_server.requests][-3:]
        assert all(m[-1]["content"] == "again" for m in second)
        saved = ConversationStore.from_paths(runtime.paths).list()  # one per column
        assert sorted(c.title for c in saved) == ["compare: hi"] * 3


async def test_blind_vote_is_saved_and_reveals_the_names(compare_app, models_server,
                                                         runtime):
    app = compare_app(FAST, SLOW, blind=True, rng=random.Random(5))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        titles = [str(c.query_one(".column-title").render()) for c in screen.columns]
        assert titles == ["A · Model A", "B · Model B"]
        assert "names hidden" in str(screen.query_one("#compare-plan").render())
        await pilot.press(*"which is better?", "enter")
        await wait_for(pilot, lambda: screen.vote_bar.has_focus)
        assert "[a] A better" in str(screen.vote_bar.render())
        await pilot.press("b")
        await wait_for(pilot, lambda: screen.comparison.voted is not None
                       and screen.prompt.has_focus)
        votes = VoteBook.from_paths(runtime.paths).load()
        column_b = screen.comparison.columns[1]
        assert len(votes) == 1 and votes[0].winner == str(column_b.ref)
        assert votes[0].models == tuple(str(c.ref) for c in screen.comparison.columns)
        titles = [str(c.query_one(".column-title").render()) for c in screen.columns]
        assert titles == [f"{c.label} · {c.ref}" for c in screen.comparison.columns]
        assert not screen.vote_bar.has_class("-offered")

        await pilot.press("f8")  # the leaderboard now ranks B's model first
        await wait_for(pilot, lambda: isinstance(app.screen, LeaderboardScreen)
                       and app.screen.table.row_count == 2)
        first = app.screen.table.get_row_at(0)
        assert first[1] == str(column_b.ref) and first[4:] == ["1", "1", "0", "0"]


async def test_a_narrow_terminal_shows_one_column_and_flips(compare_app, models_server):
    app = compare_app(FAST, SLOW, THIRD)
    async with app.run_test(size=(70, 24)) as pilot:
        screen = app.screen
        await pilot.pause()
        shown = [c.index for c in screen.columns if c.display]
        assert screen.narrow and shown == [0]
        title = str(screen.columns[0].query_one(".column-title").render())
        assert title.endswith("(1/3 · F4 next)")
        await pilot.press("f4")
        await pilot.pause()
        assert [c.index for c in screen.columns if c.display] == [1]
        await pilot.resize_terminal(130, 30)
        await pilot.pause()
        assert not screen.narrow and all(c.display for c in screen.columns)


async def test_a_provider_out_of_quota_sits_out_with_the_reason(
        compare_app, models_server, isolated_env, monkeypatch):
    table = behaviours()
    table["llama-3.3-70b-versatile"] = lambda r: FakeResponse.sse(
        openrouter_stream(["Groq here."], model="llama-3.3-70b-versatile"))
    route_models(models_server, table)
    monkeypatch.setenv("FREECHAT_GROQ_BASE_URL", models_server.url)
    monkeypatch.setenv("GROQ_API_KEY", TEST_KEY)
    book = QuotaBook.for_state_dir(isolated_env / "state")
    for _ in range(50):
        book.record_request("openrouter", "fast/model:free")
    book.flush()
    app = compare_app(FAST, "groq/llama-3.3-70b-versatile")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        refused, groq = screen.columns
        await wait_for(pilot, lambda: "not sent" in figures(refused))
        assert "requests/day quota used up" in figures(refused)
        assert "0/50 requests/day left" in str(screen.query_one("#compare-plan").render())
        await pilot.press(*"hi", "enter")
        await wait_for(pilot, lambda: "✓ stop" in figures(groq))
        await app.workers.wait_for_complete()
        assert "quota: nothing sent" in figures(refused)
        assert [r.json()["model"] for r in models_server.requests] == ["llama-3.3-70b-versatile"]


async def test_leaderboard_time_filter(runtime, models_server):
    now = 1_800_000_000.0
    book = VoteBook.from_paths(runtime.paths)
    book.add(Vote.cast([FAST, SLOW], OUTCOME_WIN, FAST, at=now - 3600))
    book.add(Vote.cast([FAST, SLOW], OUTCOME_WIN, SLOW, at=now - 10 * 86400))
    book.add(Vote.cast([SLOW, THIRD], OUTCOME_TIE, at=now - 40 * 86400))
    app = ScreenApp(runtime, lambda client: LeaderboardScreen(book, clock=lambda: now))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: screen.table.row_count == 3)
        periods = []
        for _ in range(4):
            title = str(screen.query_one("#leaderboard-title").render())
            models = [screen.table.get_row_at(i)[1] for i in range(screen.table.row_count)]
            periods.append((title, sorted(models)))
            await pilot.press("f")
            await pilot.pause()
        assert periods == [
            ("Leaderboard · all time", sorted([FAST, SLOW, THIRD])),
            ("Leaderboard · last 30 days", sorted([FAST, SLOW])),
            ("Leaderboard · last 7 days", sorted([FAST, SLOW])),
            ("Leaderboard · last 24 hours", sorted([FAST, SLOW])),
        ]
        assert "all time" in str(screen.query_one("#leaderboard-title").render())  # cycled
        for _ in range(3):
            await pilot.press("f")
        await pilot.pause()
        first = screen.table.get_row_at(0)  # 24 h: only FAST's win counts
        assert first[1] == FAST and first[4:] == ["1", "1", "0", "0"]


async def test_leaderboard_without_votes_says_how_to_get_some(runtime, models_server):
    app = ScreenApp(runtime, lambda client: LeaderboardScreen(VoteBook.from_paths(
        runtime.paths)))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        note = str(app.screen.query_one("#leaderboard-note").render())
        assert "No votes yet" in note and app.screen.table.row_count == 0
