"""Comparison: one prompt to 2–4 models at once, each column with its own ChatSession.

Each column keeps its own history, so follow-up prompts continue every model's own
conversation (multi-turn compare). Columns run as separate tasks: a slow or failing model
never holds up the others, and its error is recorded on its own `Reply`. `cancel()` stops
every column; the partial replies are kept, marked cancelled.

Blind mode shuffles the models into columns labelled A, B, ... and hides which is which
until the user votes (`vote()` returns the `leaderboard.Vote` to save, and reveals).
With a `ConversationStore`, every column is saved as its own conversation (DESIGN §7),
journaled while it streams, tagged with the comparison it belongs to.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import random
import secrets
import string
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from freechat.core.errors import Cancelled, FreechatError, ProtocolError, UsageError
from freechat.core.leaderboard import OUTCOME_BAD, OUTCOME_TIE, OUTCOME_WIN, Vote
from freechat.core.models import ModelRef
from freechat.core.session import STATUS_COMPLETE, STATUS_STREAMING, ChatSession, Reply

if TYPE_CHECKING:
    from freechat.core.providers.base import HTTPAdapter
    from freechat.core.retry import QuotaGuard
    from freechat.core.store import ConversationStore
    from freechat.core.turns import Turn

MIN_MODELS = 2
CHOICE_TIE = "tie"
CHOICE_BAD = "bad"

AdapterFor = Callable[[ModelRef], "HTTPAdapter"]
# Called for every event of a column's stream, and once when the column ends.
OnEvent = Callable[["Column", Any], Awaitable[None] | None]
OnDone = Callable[["Column", Reply], Awaitable[None] | None]


@dataclass
class Column:
    index: int
    label: str  # "A", "B", ...
    ref: ModelRef
    session: ChatSession | None = None  # made on the first prompt (building it reads keys)
    refused: FreechatError | None = None  # set before a prompt: this column sits it out
    replies: list[Reply] = field(default_factory=list)
    conversation_id: str | None = None

    @property
    def reply(self) -> Reply | None:
        return self.replies[-1] if self.replies else None

    @property
    def running(self) -> bool:
        reply = self.reply
        return reply is not None and reply.status == STATUS_STREAMING


class Comparison:
    def __init__(
        self, refs: Sequence[ModelRef], adapter_for: AdapterFor, *, blind: bool = False,
        system: str | None = None, guard: QuotaGuard | None = None,
        store: ConversationStore | None = None, rng: random.Random | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if len(refs) < MIN_MODELS:
            raise UsageError("compare needs at least two models",
                             hint="pass -m provider/model at least twice")
        order = list(refs)
        if blind:
            (rng or random.SystemRandom()).shuffle(order)
        self.columns = [Column(i, _label(i), ref) for i, ref in enumerate(order)]
        self.id = "cmp-" + secrets.token_hex(4)
        self.blind = blind
        self.revealed = not blind
        self.voted: Vote | None = None
        self.system = system
        self.guard = guard
        self.store = store
        self._adapter_for = adapter_for
        self._clock = clock
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False

    @property
    def running(self) -> bool:
        return any(not task.done() for task in self._tasks)

    def name(self, column: Column) -> str:
        """What to show as the column's title: the label until the names are revealed."""
        return str(column.ref) if self.revealed else f"Model {column.label}"

    # --- running ---------------------------------------------------------------------------
    async def send(self, prompt: str, *, on_event: OnEvent | None = None,
                   on_done: OnDone | None = None) -> list[Reply]:
        """Send `prompt` to every column that is not refused; returns this turn's replies
        (refused columns get a reply carrying their refusal). Errors never escape."""
        if self.running:
            raise UsageError("the comparison is still answering", hint="stop it first (Esc)")
        self._stopping = False
        started = self._clock()
        replies = []
        for column in self.columns:
            reply = Reply(column.ref, started)
            column.replies.append(reply)
            replies.append(reply)
            if column.refused is not None:
                reply.fail(column.refused, started)
        self._tasks = [
            asyncio.create_task(self._run(column, prompt, reply, on_event, on_done))
            for column, reply in zip(self.columns, replies, strict=True)
        ]
        try:
            results = await asyncio.gather(*self._tasks, return_exceptions=True)
        finally:
            self._tasks = []
        for column, reply, result in zip(self.columns, replies, results, strict=True):
            if isinstance(result, asyncio.CancelledError) and reply.status == STATUS_STREAMING:
                # Cancelled before its task ever ran: nothing was sent.
                reply.fail(Cancelled("stopped by user", provider=column.ref.provider),
                           self._clock())
                if on_done is not None:
                    await _maybe(on_done(column, reply))
        return replies

    def cancel(self) -> None:
        """Stop every column (its partial reply is kept, marked cancelled)."""
        self._stopping = True
        for task in self._tasks:
            task.cancel()

    async def _run(self, column: Column, prompt: str, reply: Reply,
                   on_event: OnEvent | None, on_done: OnDone | None) -> None:
        turn: Turn | None = None
        try:
            if reply.status == STATUS_STREAMING:
                session = await self._session(column)
                turn = await self._begin_turn(column, prompt)
                stream = session.send(prompt, reply)
                async with contextlib.aclosing(stream):
                    async for event in stream:
                        if turn is not None:
                            turn.record(event)
                        if on_event is not None:
                            await _maybe(on_event(column, event))
        except FreechatError as error:
            if reply.error is None:  # e.g. no key: failed before the stream began
                reply.fail(error, self._clock())
        except asyncio.CancelledError:
            if reply.status == STATUS_STREAMING:
                reply.fail(Cancelled("stopped by user", provider=column.ref.provider),
                           self._clock())
            if not self._stopping:  # cancelled from outside: let the caller see it
                await self._finish(turn, reply)
                if on_done is not None:
                    await _maybe(on_done(column, reply))
                raise
        except Exception as error:  # a bug (ours or the caller's): this column only
            if reply.status == STATUS_STREAMING or reply.error is None:
                reply.fail(ProtocolError(f"internal error ({type(error).__name__})",
                                         provider=column.ref.provider,
                                         hint="please report it"), self._clock())
        if reply.status == STATUS_STREAMING:  # the stream was closed without an end
            reply.fail(Cancelled("stopped", provider=column.ref.provider), self._clock())
        await self._finish(turn, reply)
        if on_done is not None:
            await _maybe(on_done(column, reply))

    async def _session(self, column: Column) -> ChatSession:
        if column.session is None:
            # Building an adapter looks up the key, and the keyring can block.
            adapter = await asyncio.to_thread(self._adapter_for, column.ref)
            # One guard for every column: the throttle then sees all of a provider's requests.
            extra = {} if self.guard is None else {"guard": self.guard}
            column.session = ChatSession(column.ref, adapter, system=self.system,
                                         clock=self._clock, **extra)
        return column.session

    async def _begin_turn(self, column: Column, prompt: str) -> Turn | None:
        if self.store is None:
            return None
        return await asyncio.to_thread(self._begin_turn_sync, column, prompt)

    def _begin_turn_sync(self, column: Column, prompt: str) -> Turn | None:
        from freechat.core.conversation import new_conversation, title_from_prompt
        from freechat.core.turns import Turn

        store = self.store
        assert store is not None
        try:
            if column.conversation_id is None:
                conv = new_conversation(f"compare: {title_from_prompt(prompt)}", self.system)
                conv.extra["comparison"] = {
                    "id": self.id, "label": column.label, "blind": self.blind,
                    "models": [str(c.ref) for c in self.columns],
                }
                column.conversation_id = store.create(conv).id
            return Turn.begin(store, column.conversation_id, model=column.ref, prompt=prompt)
        except (FreechatError, OSError):  # saving is best effort; the answer still streams
            return None

    @staticmethod
    async def _finish(turn: Turn | None, reply: Reply) -> None:
        if turn is None:
            return
        # A file write under the store's lock: off the event loop (the UI keeps drawing).
        with contextlib.suppress(FreechatError, OSError):  # if it fails, the journal has it
            await asyncio.to_thread(turn.finish, reply)

    # --- blind vote ------------------------------------------------------------------------
    def choices(self) -> list[str]:
        """What a vote may say: a column label (that one is better), tie, or both bad."""
        return [c.label for c in self.columns] + [CHOICE_TIE, CHOICE_BAD]

    def can_vote(self) -> bool:
        """Blind, not yet voted, not answering, and every column has answered something."""
        return (self.blind and self.voted is None and not self.running
                and bool(self.columns[0].replies)
                and all(c.reply is not None and c.reply.status == STATUS_COMPLETE
                        for c in self.columns))

    def vote(self, choice: str, at: float | None = None) -> Vote:
        """Record the user's choice and reveal the names. Save the vote with a VoteBook."""
        if not self.can_vote():
            raise UsageError("nothing to vote on", hint="votes are for finished blind compares")
        models = [str(c.ref) for c in self.columns]
        if choice == CHOICE_TIE:
            vote = Vote.cast(models, OUTCOME_TIE, at=at)
        elif choice == CHOICE_BAD:
            vote = Vote.cast(models, OUTCOME_BAD, at=at)
        else:
            winner = next((c for c in self.columns if c.label == choice), None)
            if winner is None:
                raise UsageError(f"no column {choice}", hint="choose " + ", ".join(self.choices()))
            vote = Vote.cast(models, OUTCOME_WIN, str(winner.ref), at=at)
        self.voted, self.revealed = vote, True
        return vote


def _label(index: int) -> str:
    return string.ascii_uppercase[index % 26] * (index // 26 + 1)


async def _maybe(result: Awaitable[None] | None) -> None:
    if inspect.isawaitable(result):
        await result
