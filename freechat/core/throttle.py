"""Client-side throttle: never exceed a known requests/minute limit (RELIABILITY §5).

The limit is the best one the QuotaBook knows (config > reported > published), used at
`headroom` (90 %) of its value. It is enforced as a sliding 60 s window over the book's own
ledger of requests — stricter than a token bucket, whose burst plus refill can exceed the limit
inside one minute — so the guarantee holds across concurrent streams and, through the persisted
ledger, across processes. A window the provider reported empty (`remaining: 0`, resets in N s)
also holds requests back until it refills. Waiting callers get a `Throttled` event to show a
countdown.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the book loads with the book; the UI needs only Throttled early
    from freechat.core.quota import QuotaBook

WINDOW = 60.0
DEFAULT_HEADROOM = 0.9


@dataclass(frozen=True, slots=True)
class Throttled:
    """A request is held back: it goes (or is retried) at `until` (epoch seconds).

    `attempt` is 0 while queued by the throttle, and n for the n-th automatic retry.
    """

    seconds: float
    until: float
    reason: str
    attempt: int = 0


class Throttle:
    def __init__(self, book: QuotaBook, *, headroom: float = DEFAULT_HEADROOM,
                 max_wait: float = 3600.0, clock: Callable[[], float] | None = None) -> None:
        self.book = book
        self.headroom = headroom
        self.max_wait = max_wait
        self._clock = clock or book._clock

    def allowed_per_minute(self, provider: str, model: str) -> int | None:
        limit = self.book.rpm_limit(provider, model)
        if limit is None:
            return None
        return max(1, math.floor(limit * self.headroom + 1e-9))

    def wait(self, provider: str, model: str) -> tuple[float, str]:
        """(seconds to wait before sending, why); 0 when the request may go now."""
        now = self._clock()
        wait, reason = 0.0, ""
        allowed = self.allowed_per_minute(provider, model)
        if allowed is not None:
            times = self.book.request_times(provider, model, now - WINDOW)
            if len(times) >= allowed:
                wait = times[len(times) - allowed] + WINDOW - now
                limit = self.book.rpm_limit(provider, model)
                reason = f"{provider}: at most {allowed} requests/minute (limit {limit:g})"
        blocked = self.book.blocked_until(provider, model)
        if blocked is not None and blocked[0] - now > wait:
            wait, reason = blocked[0] - now, f"{provider}: {blocked[1]} used up"
        return min(max(wait, 0.0), self.max_wait), reason
