"""QuotaBook: per provider, how much free quota is left, when it resets, and how sure we are.

Every window figure has a source (DESIGN §6): `reported` by the provider (headers, quota
endpoints, error bodies), `counted` by freechat's own ledger, or `estimated` (Cloudflare neurons
from tokens). Reported beats counted beats estimated. A report goes stale when its window resets;
requests sent after a daily report are added to it (the figure then says `counted`). Published
limits come from quota_limits (data file + config). The clock is injectable; persistence is in
quota_ledger. Thread-safe: `flush` may run in a worker thread while the event loop records.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from freechat.core.errors import OutOfCredit, QuotaExhausted, RateLimited
from freechat.core.events import SOURCE_COUNTED, SOURCE_ESTIMATED, RateWindow, Usage
from freechat.core.filelock import LockBusy
from freechat.core.quota_figures import (  # re-exported: the book's public vocabulary
    Credit,
    ProviderQuota,
    QuotaWindow,
    _order,
    is_free_model,
    iso,
    provider_quota_json,
    window_json,
)
from freechat.core.quota_ledger import CreditRecord, Entry, Ledger, Reported, save_merged
from freechat.core.quota_ledger import load_ledger as _load_ledger
from freechat.core.quota_limits import (
    DAY,
    PERIOD_SECONDS,
    LimitsTable,
    ProviderRules,
    day_start,
    estimate_neurons,
    next_day_reset,
    split_name,
)

if TYPE_CHECKING:
    from freechat.core.models import ModelRef
    from freechat.core.runtime import Runtime

__all__ = [
    "Credit", "ProviderQuota", "QuotaBook", "QuotaWindow", "is_free_model", "iso", "open_book",
    "provider_quota_json", "quota_json_for", "window_json",
]

Clock = Callable[[], float]
LEDGER_FILE = "quota.json"
COUNTABLE = ("second", "10s", "minute", "hour", "day")
SHORT = ("second", "10s", "minute")


class QuotaBook:
    def __init__(self, limits: LimitsTable | None = None, path: Path | None = None, *,
                 clock: Clock = time.time) -> None:
        self.limits = limits or LimitsTable.default()
        self.path = path
        self._clock = clock
        self._lock = threading.RLock()
        self._ledger = _load_ledger(path) if path else Ledger()

    @classmethod
    def for_state_dir(cls, state_dir: Path, quota_config: dict[str, Any] | None = None, *,
                      clock: Clock = time.time) -> QuotaBook:
        return cls(LimitsTable.default(quota_config), state_dir / LEDGER_FILE, clock=clock)

    # --- feeding ---------------------------------------------------------------------------
    def _scope(self, provider: str, model: str | None) -> str | None:
        return model if self.limits.rules(provider).scope == "model" else None

    def record_request(self, provider: str, model: str) -> Entry:
        entry = Entry(os.urandom(8).hex(), self._clock(), provider, model)  # uuid pulls platform in
        with self._lock:
            self._ledger.entries[entry.id] = entry
        return entry

    def record_usage(self, entry: Entry, usage: Usage) -> None:
        """Cumulative usage: the latest figures replace the earlier ones."""
        with self._lock:
            entry.input = max(usage.input_tokens or 0, 0)
            entry.output = max(usage.output_tokens or 0, 0)
            if "neurons/day" in self.limits.limits(entry.provider, entry.model):
                entry.neurons = estimate_neurons(entry.model, entry.input, entry.output)

    def observe_limits(self, provider: str, model: str | None,
                       windows: Iterable[RateWindow]) -> None:
        now, scope = self._clock(), self._scope(provider, model)
        with self._lock:
            for w in windows:
                record = Reported(provider, scope, w.name, w.unit, w.limit, w.remaining,
                                  w.resets_at, now, w.source)
                self._ledger.reported[record.key] = record

    def observe_credit(self, provider: str, remaining: float, unit: str = "usd",
                       limit: float | None = None) -> None:
        with self._lock:
            self._ledger.credits[provider] = CreditRecord(
                provider, max(remaining, 0.0), unit, limit, self._clock())

    def observe_error(self, provider: str, model: str | None, error: Exception) -> None:
        """What a failed request taught us: exhausted windows and when they come back."""
        if isinstance(error, OutOfCredit):
            self.observe_credit(provider, 0.0)
            return
        if not isinstance(error, RateLimited):
            return
        windows = tuple(getattr(error, "windows", ()) or ())
        if windows:
            self.observe_limits(provider, model, windows)
            return
        now, rules = self._clock(), self.limits.rules(provider)
        if isinstance(error, QuotaExhausted) or error.scope == "day":
            known = self.limits.limits(provider, model)
            name = "neurons/day" if "neurons/day" in known else "requests/day"
            until = error.resets_at or next_day_reset(rules.day_reset, now)
            if until is None and error.retry_after:
                until = now + error.retry_after
        elif error.retry_after or error.resets_at:
            name = "requests/minute"
            until = error.resets_at or now + (error.retry_after or 0.0)
        else:
            return
        with self._lock:
            limit = self._limit(provider, self._scope(provider, model), model, name)
        self.observe_limits(provider, model, [RateWindow(
            name, split_name(name)[0], limit, 0.0, until)])

    # --- reading ---------------------------------------------------------------------------
    def _entries(self, provider: str, model: str | None, rules: ProviderRules,
                 since: float) -> list[Entry]:
        return [
            e for e in self._ledger.entries.values()
            if e.provider == provider and e.t >= since and (model is None or e.model == model)
            and (not rules.free_models_only or is_free_model(e.model))
        ]

    def _limit(self, provider: str, scope: str | None, model: str | None,
               name: str) -> float | None:
        """config > what the provider last reported (even if stale) > published."""
        configured = self.limits.limits(provider, model).get(name)
        if configured and configured[1] == "config":
            return configured[0]
        report = self._ledger.reported.get((provider, scope, name))
        if report is not None and report.limit is not None:
            return report.limit
        return configured[0] if configured else None

    def _fresh(self, report: Reported, now: float, rules: ProviderRules) -> bool:
        if report.resets_at is not None:
            return now < report.resets_at
        period = split_name(report.name)[1]
        if period == "day" and rules.day_reset != "rolling":
            return report.at >= day_start(rules.day_reset, now)
        return now - report.at < PERIOD_SECONDS.get(period, DAY)

    def _window(self, provider: str, scope: str | None, name: str, now: float,
                rules: ProviderRules) -> QuotaWindow | None:
        label, period = split_name(name)
        report = self._ledger.reported.get((provider, scope, name))
        if report is not None and report.remaining is not None and self._fresh(report, now, rules):
            spent = None if report.limit is None else max(report.limit - report.remaining, 0.0)
            since = [e for e in self._entries(provider, scope, rules, report.at) if e.t > report.at]
            if label == "requests" and period in ("hour", "day", "month") and since:
                return QuotaWindow(
                    name, report.unit, report.limit, None if spent is None else spent + len(since),
                    max(report.remaining - len(since), 0.0), report.resets_at, SOURCE_COUNTED,
                    scope)
            return QuotaWindow(name, report.unit, report.limit, spent, report.remaining,
                               report.resets_at, report.source, scope)
        if label not in ("requests", "tokens", "neurons") or period not in COUNTABLE:
            return None
        if period == "day":
            start, resets_at = day_start(rules.day_reset, now), next_day_reset(rules.day_reset, now)
            span = DAY
        else:
            span = PERIOD_SECONDS[period]
            start, resets_at = now - span, None
        entries = self._entries(provider, scope, rules, start)
        if resets_at is None and entries:
            resets_at = min(e.t for e in entries) + span
        if label == "requests":
            used: float = len(entries)
        elif label == "tokens":
            used = sum(e.input + e.output for e in entries)
        else:
            used = sum(e.neurons for e in entries)
        limit = self._limit(provider, scope, scope, name)
        remaining = None if limit is None else max(limit - used, 0.0)
        source = SOURCE_ESTIMATED if label == "neurons" else SOURCE_COUNTED
        return QuotaWindow(name, label, limit, used, remaining, resets_at, source, scope)

    def _models(self, provider: str) -> list[str]:
        """Models with activity, most recent first."""
        seen: dict[str, float] = {}
        for e in self._ledger.entries.values():
            if e.provider == provider:
                seen[e.model] = max(seen.get(e.model, 0.0), e.t)
        for r in self._ledger.reported.values():
            if r.provider == provider and r.model:
                seen[r.model] = max(seen.get(r.model, 0.0), r.at)
        return sorted(seen, key=lambda m: -seen[m])

    def snapshot(self, provider: str, model: str | None = None, tier: str = "") -> ProviderQuota:
        """Windows for `provider`; with `model`, only that model's per-model budgets."""
        now, rules = self._clock(), self.limits.rules(provider)
        with self._lock:
            scopes: list[str | None] = [None]
            if rules.scope == "model":
                scopes = [model] if model else (self._models(provider) or [None])
            windows = []
            for scope in scopes:
                names = set(self.limits.limits(provider, scope)) | {"requests/day"}
                names |= {r.name for r in self._ledger.reported.values()
                          if r.provider == provider and r.model == scope}
                for name in names:
                    window = self._window(provider, scope, name, now, rules)
                    if window is not None:
                        windows.append(window)
            record = self._ledger.credits.get(provider)
            credit = None if record is None else Credit(record.remaining, record.unit,
                                                        record.source, record.limit)
        return ProviderQuota(provider, tier, tuple(sorted(windows, key=_order)), credit, now)

    def now(self) -> float:
        """The book's clock (epoch seconds): countdowns shown beside its figures use it too."""
        return self._clock()

    def has_data(self, provider: str) -> bool:
        with self._lock:
            ledger = self._ledger
            return (provider in ledger.credits
                    or any(e.provider == provider for e in ledger.entries.values())
                    or any(r.provider == provider for r in ledger.reported.values()))

    # --- for the throttle ------------------------------------------------------------------
    def rpm_limit(self, provider: str, model: str) -> float | None:
        rules = self.limits.rules(provider)
        if rules.free_models_only and not is_free_model(model):
            return None
        with self._lock:
            return self._limit(provider, self._scope(provider, model), model, "requests/minute")

    def request_times(self, provider: str, model: str, since: float) -> list[float]:
        rules = self.limits.rules(provider)
        if rules.free_models_only and not is_free_model(model):
            return []
        with self._lock:
            entries = self._entries(provider, self._scope(provider, model), rules, since)
            return sorted(e.t for e in entries)

    def blocked_until(self, provider: str, model: str) -> tuple[float, str] | None:
        """A short window the provider said is empty: (when it refills, its name)."""
        now, scope = self._clock(), self._scope(provider, model)
        found: tuple[float, str] | None = None
        with self._lock:
            for r in self._ledger.reported.values():
                if (r.provider != provider or r.model != scope or r.remaining is None
                        or r.remaining > 0 or r.resets_at is None or r.resets_at <= now
                        or split_name(r.name)[1] not in SHORT):
                    continue
                if found is None or r.resets_at > found[0]:
                    found = (r.resets_at, r.name)
        return found

    # --- persistence -----------------------------------------------------------------------
    def flush(self) -> None:
        """Write the ledger (merged with other instances' writes). Errors are not fatal:
        quota figures are a convenience, never a reason to lose a reply."""
        if self.path is None:
            return
        with self._lock:
            mine = Ledger(dict(self._ledger.entries), dict(self._ledger.reported),
                          dict(self._ledger.credits))
        try:
            merged = save_merged(self.path, mine, self._clock())
        except (OSError, ValueError, LockBusy):
            return
        with self._lock:
            self._ledger.merge(merged)
            self._ledger.prune(self._clock())

    async def aflush(self) -> None:
        await asyncio.to_thread(self.flush)


def open_book(runtime: Runtime, *, clock: Clock = time.time) -> QuotaBook:
    """The book for this user's state dir, with the config's `[quota]` overrides."""
    return QuotaBook.for_state_dir(runtime.paths.state_dir, runtime.config.quota, clock=clock)


def quota_json_for(runtime: Runtime, ref: ModelRef,
                   windows: Iterable[RateWindow] = ()) -> dict[str, Any]:
    """`ask --json`'s `quota`: the book's picture of `ref`'s provider (and model), including
    the windows the reply itself reported."""
    book = open_book(runtime)
    if windows:
        book.observe_limits(ref.provider, ref.model, windows)
    return book.snapshot(ref.provider, ref.model, runtime.spec(ref.provider).tier).to_json()
