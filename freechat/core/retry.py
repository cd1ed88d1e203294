"""Retries and the guard around one provider request (RELIABILITY §5, R2/R3/R6).

Retry only before any byte of a reply arrived (a retry after that would duplicate or splice
answers), only for connection failures, 408/409/425/429 per-minute limits and 5xx; never for a
daily quota, a rejected key (401/403), a bad request (400), a missing model (404) or credit.
`Retry-After` (seconds, HTTP-date or ms, parsed by the adapter) is honoured up to `max_wait`; a
longer wait is not a retry but the error. Otherwise: exponential backoff with full jitter,
at most `max_retries`, and a process-wide retry budget (≈10 % of requests) so sustained failure
never multiplies the load.

`QuotaGuard.stream` wraps an adapter stream: throttle first, count the request, feed rate-limit
events, usage and errors into the QuotaBook, retry when allowed, persist the ledger at the end.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import aclosing
from dataclasses import dataclass, field

from freechat.core.errors import (
    AuthError,
    ContextTooLong,
    FreechatError,
    ModelUnavailable,
    NetworkError,
    OutOfCredit,
    ProviderError,
    QuotaExhausted,
    RateLimited,
    ResponseTimeout,
)
from freechat.core.events import RateLimits, StreamEvent, Usage
from freechat.core.models import ModelRef
from freechat.core.quota import QuotaBook
from freechat.core.throttle import DEFAULT_HEADROOM, Throttle, Throttled

NEVER_STATUS = frozenset({400, 401, 403, 404, 405, 410, 412, 413, 422})
RETRY_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})


class RetryBudget:
    """A token bucket of retries: each request adds `ratio`, each retry takes one."""

    def __init__(self, ratio: float = 0.1, initial: float = 2.0, maximum: float = 10.0) -> None:
        self.ratio, self.maximum = ratio, maximum
        self.tokens = initial

    def deposit(self) -> None:
        self.tokens = min(self.tokens + self.ratio, self.maximum)

    def withdraw(self) -> bool:
        if self.tokens < 1.0:
            return False
        self.tokens -= 1.0
        return True


def retryable(error: FreechatError) -> bool:
    if isinstance(error, AuthError | OutOfCredit | QuotaExhausted | ModelUnavailable
                  | ContextTooLong | ResponseTimeout):
        return False
    status = getattr(error, "status", None)
    if status in NEVER_STATUS:  # e.g. OpenRouter's 403 "key limit exceeded"
        return False
    if isinstance(error, RateLimited):
        return error.scope != "day"
    if isinstance(error, NetworkError):
        return True
    if isinstance(error, ProviderError):
        return status in RETRY_STATUS or (status is not None and status >= 520)
    return False  # StreamInterrupted, ProtocolError, Cancelled, ...


@dataclass
class RetryPolicy:
    max_retries: int = 2
    base_delay: float = 0.5
    max_backoff: float = 8.0
    max_wait: float = 60.0  # a longer Retry-After means: give up now, tell the user
    budget: RetryBudget = field(default_factory=RetryBudget)
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, error: FreechatError, attempt: int, *, started: bool,
              now: float) -> float | None:
        """Seconds to wait before retry number `attempt + 1`, or None: do not retry."""
        if started or attempt >= self.max_retries or not retryable(error):
            return None
        wait = _explicit_wait(error, now)
        if wait is not None and wait > self.max_wait:
            return None
        if not self.budget.withdraw():
            return None
        if wait is None:
            wait = self.rng.uniform(0.0, min(self.max_backoff, self.base_delay * 2 ** attempt))
        return max(wait, 0.0)


def _explicit_wait(error: FreechatError, now: float) -> float | None:
    retry_after = getattr(error, "retry_after", None)
    if isinstance(retry_after, int | float) and retry_after >= 0:
        return float(retry_after)
    resets_at = getattr(error, "resets_at", None)
    if isinstance(resets_at, int | float):
        return max(resets_at - now, 0.0)
    return None


Sleep = Callable[[float], Awaitable[None]]


class QuotaGuard:
    def __init__(self, book: QuotaBook, *, throttle: Throttle | None = None,
                 policy: RetryPolicy | None = None, sleep: Sleep = asyncio.sleep,
                 clock: Callable[[], float] | None = None, persist: bool = True) -> None:
        self.book = book
        self.throttle = throttle
        self.policy = policy or RetryPolicy()
        self._sleep = sleep
        self._clock = clock or book._clock
        self.persist = persist

    @classmethod
    def from_settings(cls, book: QuotaBook, *, sleep: Sleep = asyncio.sleep) -> QuotaGuard:
        """Built from the `[quota]` settings (throttle, headroom, retries, max_retry_wait)."""
        limits = book.limits
        throttle = None
        if limits.setting("throttle", True):
            throttle = Throttle(book, headroom=float(limits.setting("headroom", DEFAULT_HEADROOM)))
        policy = RetryPolicy(max_retries=int(limits.setting("retries", 2)),
                             max_wait=float(limits.setting("max_retry_wait", 60.0)))
        return cls(book, throttle=throttle, policy=policy, sleep=sleep)

    async def _queue(self, ref: ModelRef) -> AsyncIterator[Throttled]:
        """Hold the request back until the throttle lets it go, reporting the wait."""
        if self.throttle is None:
            return
        while True:
            wait, reason = self.throttle.wait(ref.provider, ref.model)
            if wait <= 0:
                return
            yield Throttled(wait, self._clock() + wait, reason)
            await self._sleep(wait)

    async def stream(
        self, ref: ModelRef, open_stream: Callable[[], AsyncIterator[StreamEvent]]
    ) -> AsyncIterator[StreamEvent | Throttled]:
        attempt = 0
        try:
            while True:
                async for held in self._queue(ref):
                    yield held
                # No await between the throttle's last check and this: atomic on the loop.
                entry = self.book.record_request(ref.provider, ref.model)
                self.policy.budget.deposit()
                started = False
                try:
                    async with aclosing(open_stream()) as stream:  # closed even if we are
                        async for event in stream:
                            started = True
                            if isinstance(event, RateLimits):
                                self.book.observe_limits(ref.provider, ref.model, event.windows)
                            elif isinstance(event, Usage):
                                self.book.record_usage(entry, event)
                            yield event
                    return
                except FreechatError as error:
                    self.book.observe_error(ref.provider, ref.model, error)
                    delay = self.policy.delay(error, attempt, started=started, now=self._clock())
                    if delay is None:
                        raise
                    attempt += 1
                    yield Throttled(delay, self._clock() + delay,
                                    f"retrying after: {error.one_line()}", attempt)
                    await self._sleep(delay)
        finally:
            if self.persist:
                await self._persist()

    async def _persist(self) -> None:
        try:
            await self.book.aflush()
        except asyncio.CancelledError:  # cancelled while saving: save on the loop instead
            self.book.flush()
            raise
        except Exception:  # the ledger is a convenience; never lose a reply over it
            return
