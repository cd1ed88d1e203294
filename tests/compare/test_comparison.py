"""Comparison against the real fake server: columns run independently, fail alone, stop
together, keep their own histories, sit out when refused, vote blind and save as
conversations."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator

import pytest

from freechat.core.comparison import CHOICE_BAD, CHOICE_TIE, Comparison
from freechat.core.errors import QuotaExhausted, UsageError
from freechat.core.events import TextDelta
from freechat.core.leaderboard import OUTCOME_BAD, OUTCOME_TIE, OUTCOME_WIN
from freechat.core.models import ModelRef
from freechat.core.runtime import Runtime
from freechat.core.session import (
    STATUS_CANCELLED,
    STATUS_COMPLETE,
    STATUS_ERROR,
    STATUS_STREAMING,
)
from freechat.core.store import ConversationStore
from tests.compare.conftest import (
    BROKEN,
    FAST,
    FAST_TEXT,
    SLOW,
    SLOW_TEXT,
    THIRD,
    behaviours,
    model_requests,
    route_models,
)
from tests.fakes.openai_stream import openrouter_stream
from tests.fakes.server import FakeProviderServer, FakeResponse, Send, Sleep

STALL = "openrouter/stall/model:free"


def ref(text: str) -> ModelRef:
    return ModelRef.parse(text)


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[object]:
    async with runtime.make_client() as http:
        yield http


def make(runtime: Runtime, client: object, *refs: str, **kwargs: object) -> Comparison:
    return Comparison([ref(r) for r in refs], lambda r: runtime.adapter(r.provider, client),
                      **kwargs)  # type: ignore[arg-type]


def stall_after_first_token(server: FakeProviderServer) -> None:
    """STALL sends "Half an " and then goes quiet for longer than any test runs."""
    events = openrouter_stream(["Half an ", "answer."], model="stall/model:free")
    steps = [Send(e) for e in events[:4]] + [Sleep(30.0)] + [Send(e) for e in events[4:]]
    table = behaviours()
    table["stall/model:free"] = lambda r: FakeResponse(steps=steps)
    route_models(server, table)


async def test_a_stalled_model_never_holds_up_the_others(runtime, client, models_server):
    stall_after_first_token(models_server)
    comparison = make(runtime, client, FAST, STALL)
    stalled, fast_done = asyncio.Event(), asyncio.Event()
    finished: list[str] = []

    def on_event(column, event):
        if column.ref == ref(STALL) and isinstance(event, TextDelta):
            stalled.set()

    def on_done(column, reply):
        finished.append(str(column.ref))
        if column.ref == ref(FAST):
            fast_done.set()

    task = asyncio.create_task(comparison.send("hi", on_event=on_event, on_done=on_done))
    await asyncio.wait_for(asyncio.gather(stalled.wait(), fast_done.wait()), 10)
    fast, stall = comparison.columns
    assert fast.reply.status == STATUS_COMPLETE and fast.reply.text == "".join(FAST_TEXT)
    assert stall.reply.status == STATUS_STREAMING and stall.reply.text == "Half an "
    assert comparison.running

    comparison.cancel()  # Esc: stop every column
    replies = await asyncio.wait_for(task, 10)
    assert finished == [FAST, STALL]
    assert replies[1].status == STATUS_CANCELLED and replies[1].text == "Half an "
    assert replies[0].status == STATUS_COMPLETE  # a finished column is left alone
    assert not comparison.running


async def test_a_failing_model_fails_alone(runtime, client, models_server):
    comparison = make(runtime, client, FAST, BROKEN, SLOW)
    replies = await comparison.send("hi")
    assert [r.status for r in replies] == [STATUS_COMPLETE, STATUS_ERROR, STATUS_COMPLETE]
    assert replies[1].error.type_name == "ModelUnavailable"
    assert replies[2].text == "".join(SLOW_TEXT)
    assert sorted(model_requests(models_server)) == sorted(
        ref(r).model for r in (FAST, BROKEN, SLOW))


async def test_a_missing_key_fails_only_its_column(runtime, client, models_server, monkeypatch):
    monkeypatch.delenv("GROQ_API_KEY", raising=False)
    comparison = make(runtime, client, FAST, "groq/llama-3.3-70b-versatile")
    replies = await comparison.send("hi")
    assert replies[0].status == STATUS_COMPLETE
    assert replies[1].status == STATUS_ERROR and replies[1].error.type_name == "MissingKey"


async def test_follow_ups_continue_each_models_own_history(runtime, client, models_server):
    comparison = make(runtime, client, FAST, SLOW)
    await comparison.send("first")
    await comparison.send("second")
    bodies = {}
    for request in models_server.requests:
        body = request.json()
        bodies.setdefault(body["model"], []).append(body["messages"])
    assert bodies["fast/model:free"][1] == [
        {"role": "user", "content": "first"},
        {"role": "assistant", "content": "".join(FAST_TEXT)},
        {"role": "user", "content": "second"},
    ]
    assert bodies["slow/model:free"][1][1] == {"role": "assistant",
                                               "content": "".join(SLOW_TEXT)}
    assert [len(c.replies) for c in comparison.columns] == [2, 2]


async def test_outside_cancellation_propagates_and_keeps_partials(runtime, client,
                                                                  models_server):
    stall_after_first_token(models_server)
    comparison = make(runtime, client, STALL, FAST)
    stalled = asyncio.Event()
    done: list[str] = []

    def on_event(column, event):
        if isinstance(event, TextDelta) and column.index == 0:
            stalled.set()

    task = asyncio.create_task(comparison.send(
        "hi", on_event=on_event, on_done=lambda c, r: done.append(r.status)))
    await asyncio.wait_for(stalled.wait(), 10)
    task.cancel()  # e.g. the UI worker was cancelled
    with pytest.raises(asyncio.CancelledError):
        await task
    assert comparison.columns[0].reply.status == STATUS_CANCELLED
    assert comparison.columns[0].reply.text == "Half an "
    assert STATUS_CANCELLED in done


async def test_a_refused_column_sits_out_and_sends_nothing(runtime, client, models_server):
    comparison = make(runtime, client, FAST, SLOW)
    comparison.columns[1].refused = QuotaExhausted("requests/day quota used up",
                                                   provider="openrouter")
    replies = await comparison.send("hi")
    assert replies[0].status == STATUS_COMPLETE
    assert replies[1].status == STATUS_ERROR and replies[1].error.type_name == "QuotaExhausted"
    assert model_requests(models_server) == ["fast/model:free"]


async def test_blind_columns_hide_names_until_the_vote(runtime, client, models_server):
    comparison = make(runtime, client, FAST, SLOW, THIRD, blind=True, rng=random.Random(3))
    assert sorted(str(c.ref) for c in comparison.columns) == sorted([FAST, SLOW, THIRD])
    assert [c.label for c in comparison.columns] == ["A", "B", "C"]
    assert [comparison.name(c) for c in comparison.columns] == ["Model A", "Model B", "Model C"]
    assert not comparison.can_vote()  # nothing answered yet
    await comparison.send("hi")
    assert comparison.can_vote() and comparison.choices() == ["A", "B", "C", "tie", "bad"]
    with pytest.raises(UsageError):
        comparison.vote("Z")
    vote = comparison.vote("B", at=50.0)
    assert vote.outcome == OUTCOME_WIN and vote.winner == str(comparison.columns[1].ref)
    assert vote.models == tuple(str(c.ref) for c in comparison.columns) and vote.at == 50.0
    assert comparison.revealed and comparison.name(comparison.columns[0]) == str(
        comparison.columns[0].ref)
    assert not comparison.can_vote()  # one vote per blind comparison


@pytest.mark.parametrize(("choice", "outcome"), [(CHOICE_TIE, OUTCOME_TIE),
                                                 (CHOICE_BAD, OUTCOME_BAD)])
async def test_tie_and_both_bad_votes(runtime, client, models_server, choice, outcome):
    comparison = make(runtime, client, FAST, SLOW, blind=True)
    await comparison.send("hi")
    vote = comparison.vote(choice)
    assert vote.outcome == outcome and vote.winner is None


async def test_no_vote_when_a_column_failed(runtime, client, models_server):
    comparison = make(runtime, client, FAST, BROKEN, blind=True)
    await comparison.send("hi")
    assert not comparison.can_vote()


async def test_each_column_is_saved_as_its_own_conversation(runtime, client, models_server):
    store = ConversationStore.from_paths(runtime.paths)
    comparison = make(runtime, client, FAST, BROKEN, store=store)
    await comparison.send("compare this")
    await comparison.send("and this")
    fast, broken = comparison.columns
    saved = store.load(fast.conversation_id)
    assert saved.title == "compare: compare this"
    assert [m.content for m in saved.messages] == [
        "compare this", "".join(FAST_TEXT), "and this", "".join(FAST_TEXT)]
    assert saved.extra["comparison"]["id"] == comparison.id
    assert saved.extra["comparison"]["models"] == [FAST, BROKEN]
    failed = store.load(broken.conversation_id)
    assert failed.messages[1].status == STATUS_ERROR
    assert failed.messages[1].error.type == "ModelUnavailable"
    assert len(store.list()) == 2


def test_fewer_than_two_models_is_a_usage_error():
    with pytest.raises(UsageError):
        Comparison([ref(FAST)], lambda r: None)  # type: ignore[arg-type,return-value]
