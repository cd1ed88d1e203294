"""Quota-aware start of a comparison: what it will cost each provider, and which models sit
it out because their provider is known to be out of quota (DESIGN §6).

Everything here reads the QuotaBook; nothing touches the network. A window that refills
within a minute is not a reason to refuse (the throttle waits for it); a spent hourly, daily
or monthly window, or a trial credit at zero, is.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from freechat.core.errors import FreechatError, OutOfCredit, QuotaExhausted
from freechat.core.models import TIER_TRIAL, ModelRef

if TYPE_CHECKING:
    from freechat.core.quota import QuotaBook, QuotaWindow
    from freechat.core.retry import QuotaGuard
    from freechat.core.runtime import Runtime

SHORT_PERIODS = ("second", "10s", "minute")


@dataclass(frozen=True)
class ProviderCost:
    provider: str
    requests: int
    window: QuotaWindow | None = None  # the requests window as known before sending

    def text(self) -> str:
        noun = "request" if self.requests == 1 else "requests"
        head = f"{self.provider}: {self.requests} {noun}"
        w = self.window
        if w is None or w.remaining is None:
            return head
        limit = "" if w.limit is None else f"/{_num(w.limit)}"
        return f"{head} ({_num(w.remaining)}{limit} {w.name} left, {w.source})"


@dataclass
class QuotaPlan:
    costs: list[ProviderCost] = field(default_factory=list)
    refused: dict[int, FreechatError] = field(default_factory=dict)  # by position in refs

    def summary(self) -> str:
        return "will use " + " · ".join(c.text() for c in self.costs)


def open_guard(runtime: Runtime) -> QuotaGuard | None:
    """The QuotaBook's guard (throttle, retries, counting) for these sessions, if available."""
    try:
        from freechat.core.quota import open_book
        from freechat.core.retry import QuotaGuard
    except ImportError:  # an older core without the book: compare still works, uncounted
        return None
    try:
        return QuotaGuard.from_settings(open_book(runtime))
    except (FreechatError, OSError):
        return None


def plan_quota(book: QuotaBook | None, refs: Sequence[ModelRef],
               tiers: Mapping[str, str] | None = None, now: float | None = None) -> QuotaPlan:
    """One request per model; refuse models whose provider is known exhausted."""
    plan = QuotaPlan()
    counts: dict[str, int] = {}
    for ref in refs:
        counts[ref.provider] = counts.get(ref.provider, 0) + 1
    if book is None:
        plan.costs = [ProviderCost(p, n) for p, n in counts.items()]
        return plan
    now = time.time() if now is None else now
    tiers = tiers or {}
    for provider, count in counts.items():
        model = next(r.model for r in refs if r.provider == provider)
        snapshot = book.snapshot(provider, model, tiers.get(provider, ""))
        requests = [w for w in snapshot.windows if w.unit == "requests"
                    and w.name.split("/")[-1] not in SHORT_PERIODS]
        plan.costs.append(ProviderCost(provider, count, requests[-1] if requests else None))
    for index, ref in enumerate(refs):
        reason = refusal(book, ref, tiers.get(ref.provider, ""), now)
        if reason is not None:
            plan.refused[index] = reason
    return plan


def refusal(book: QuotaBook, ref: ModelRef, tier: str, now: float) -> FreechatError | None:
    snapshot = book.snapshot(ref.provider, ref.model, tier)
    spent = [w for w in snapshot.windows if w.remaining is not None and w.remaining <= 0
             and w.name.split("/")[-1] not in SHORT_PERIODS
             and (w.resets_at is None or w.resets_at > now)]
    if spent:
        window = max(spent, key=lambda w: w.resets_at or float("inf"))
        period = window.name.split("/")[-1]
        return QuotaExhausted(
            f"{window.name} quota used up ({window.source}); not sent",
            provider=ref.provider, scope=period, resets_at=window.resets_at,
            hint=resets_hint(window.resets_at, now),
        )
    credit = snapshot.credit
    if tier == TIER_TRIAL and credit is not None and credit.remaining <= 0:
        return OutOfCredit("no credit left; not sent", provider=ref.provider,
                           hint="add credit or pick another provider")
    return None


def resets_hint(resets_at: float | None, now: float) -> str:
    if resets_at is None:
        return "pick another model, or wait for the quota to reset"
    seconds = max(int(resets_at - now), 0)
    hours, rest = divmod(seconds, 3600)
    when = f"{hours}h{rest // 60:02d}m" if hours else f"{rest // 60}m{rest % 60:02d}s"
    clock = datetime.fromtimestamp(resets_at, UTC).strftime("%H:%M UTC")
    return f"resets in {when} (at {clock}); pick another model meanwhile"


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"
