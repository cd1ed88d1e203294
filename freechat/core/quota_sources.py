"""Quota endpoints: what providers report about an account, beyond response headers.

- OpenRouter `GET /key`: `free_model_daily_requests {used, limit, remaining}` (the free-model
  day, reset 00:00 UTC), `is_free_tier` (50 vs 1000 a day), `limit_remaining` (key budget);
  `GET /credits`: `total_credits - total_usage` (may need a management key: 401/403 is fine).
- Vercel AI Gateway `GET /credits`: `{"balance": "95.50", "total_used": "4.50"}` (USD strings).
- Hyperbolic `GET /billing/get_current_balance` (not under /v1): `{"credits": <cents>}`.
- Hugging Face hub `GET /api/settings/billing/usage-v2?startDate=&endDate=` (unix s):
  `usage.inferenceProviders.{usedNanoUsd, includedNanoUsd}` → the monthly included credit.

Each fetcher takes an `HTTPAdapter` (its base URL and key) and uses its `get_json`; it returns a
`SourceReport` or raises a typed FreechatError. Numbers may arrive as strings; anything of the
wrong shape is a ProtocolError, never a crash.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from freechat.core.errors import FreechatError, ProtocolError
from freechat.core.events import SOURCE_REPORTED, RateWindow
from freechat.core.providers.base import HTTPAdapter
from freechat.core.quota import ProviderQuota, QuotaBook
from freechat.core.quota_limits import next_day_reset
from freechat.core.secret import Secret
from freechat.core.timeparse import parse_http_date

if TYPE_CHECKING:
    import httpx

    from freechat.core.runtime import Runtime


@dataclass(frozen=True)
class SourceReport:
    windows: tuple[RateWindow, ...] = ()
    credit: float | None = None  # USD left
    credit_limit: float | None = None

    def apply(self, book: QuotaBook, provider: str) -> None:
        if self.windows:
            book.observe_limits(provider, None, self.windows)
        if self.credit is not None:
            book.observe_credit(provider, self.credit, "usd", self.credit_limit)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _data(payload: Any, adapter: HTTPAdapter) -> Mapping[str, Any]:
    data = payload.get("data", payload) if isinstance(payload, Mapping) else None
    if not isinstance(data, Mapping):
        raise ProtocolError("the quota endpoint sent an unexpected shape",
                            provider=adapter.spec.id, hint="check the base URL")
    return data


def _root(adapter: HTTPAdapter) -> str:
    """The API root without its `/v1` suffix (Hyperbolic's billing lives beside it)."""
    base = adapter.base_url
    return base[: -len("/v1")] if base.endswith("/v1") else base


async def openrouter_key(adapter: HTTPAdapter, now: float) -> SourceReport:
    data = _data(await adapter.get_json(adapter.base_url + "/key"), adapter)
    windows: list[RateWindow] = []
    resets_at = next_day_reset("utc", now)
    daily = data.get("free_model_daily_requests")
    if isinstance(daily, Mapping):
        limit, used = _number(daily.get("limit")), _number(daily.get("used"))
        remaining = _number(daily.get("remaining"))
        if remaining is None and limit is not None and used is not None:
            remaining = max(limit - used, 0.0)
        if limit is not None or remaining is not None:
            windows.append(RateWindow("requests/day", "requests", limit, remaining, resets_at,
                                      SOURCE_REPORTED))
    elif isinstance(data.get("is_free_tier"), bool):  # older API: the tier says which limit
        limit = 50.0 if data["is_free_tier"] else 1000.0
        windows.append(RateWindow("requests/day", "requests", limit, None, resets_at,
                                  SOURCE_REPORTED))
    budget = _number(data.get("limit_remaining"))
    return SourceReport(tuple(windows), budget, _number(data.get("limit")))


async def openrouter_credits(adapter: HTTPAdapter) -> SourceReport:
    data = _data(await adapter.get_json(adapter.base_url + "/credits"), adapter)
    total, usage = _number(data.get("total_credits")), _number(data.get("total_usage"))
    if total is None or usage is None:
        raise ProtocolError("the credits reply has no totals", provider=adapter.spec.id)
    return SourceReport(credit=max(total - usage, 0.0), credit_limit=total)


async def vercel_credits(adapter: HTTPAdapter) -> SourceReport:
    data = _data(await adapter.get_json(adapter.base_url + "/credits"), adapter)
    balance = _number(data.get("balance"))
    if balance is None:
        raise ProtocolError("the credits reply has no balance", provider=adapter.spec.id)
    used = _number(data.get("total_used"))
    return SourceReport(credit=max(balance, 0.0),
                        credit_limit=None if used is None else balance + used)


async def hyperbolic_balance(adapter: HTTPAdapter) -> SourceReport:
    url = _root(adapter) + "/billing/get_current_balance"
    cents = _number(_data(await adapter.get_json(url), adapter).get("credits"))
    if cents is None:
        raise ProtocolError("the balance reply has no credits", provider=adapter.spec.id)
    return SourceReport(credit=max(cents / 100.0, 0.0))


def _month_bounds(now: float) -> tuple[int, int]:
    moment = datetime.fromtimestamp(now, UTC)
    start = datetime(moment.year, moment.month, 1, tzinfo=UTC)
    after = datetime(moment.year + moment.month // 12, moment.month % 12 + 1, 1, tzinfo=UTC)
    return int(start.timestamp()), int(after.timestamp())


async def hf_billing(adapter: HTTPAdapter, hub_url: str, now: float) -> SourceReport:
    start, end = _month_bounds(now)
    url = f"{hub_url.rstrip('/')}/api/settings/billing/usage-v2?startDate={start}&endDate={end}"
    usage = _data(await adapter.get_json(url), adapter).get("usage")
    block = usage.get("inferenceProviders") if isinstance(usage, Mapping) else None
    if not isinstance(block, Mapping):
        raise ProtocolError("the billing reply has no inference usage", provider=adapter.spec.id)
    used, included = _number(block.get("usedNanoUsd")), _number(block.get("includedNanoUsd"))
    if used is None or included is None:
        raise ProtocolError("the billing reply has no credit figures", provider=adapter.spec.id)
    resets_at = None
    if isinstance(block.get("periodEnd"), str):
        resets_at = _iso_time(block["periodEnd"])
    resets_at = resets_at if resets_at is not None and resets_at > now else float(end)
    left = max(included - used, 0.0) / 1e9
    window = RateWindow("usd/month", "usd", included / 1e9, left, resets_at, SOURCE_REPORTED)
    return SourceReport((window,), left, included / 1e9)


def _iso_time(text: str) -> float | None:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return parse_http_date(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


async def _openrouter(adapter: HTTPAdapter, now: float) -> list[SourceReport]:
    reports = [await openrouter_key(adapter, now)]
    with contextlib.suppress(FreechatError):  # /credits may want a management key
        reports.append(await openrouter_credits(adapter))
    return reports


async def _single(fetch: Callable[[HTTPAdapter], Awaitable[SourceReport]],
                  adapter: HTTPAdapter) -> list[SourceReport]:
    return [await fetch(adapter)]


def has_endpoint(provider: str) -> bool:
    return provider in ("openrouter", "vercel", "hyperbolic", "huggingface")


async def fetch_reports(adapter: HTTPAdapter, now: float,
                        hub_url: str | None = None) -> list[SourceReport]:
    """Every report the provider's quota endpoints give (empty when it has none)."""
    provider = adapter.spec.id
    if provider == "openrouter":
        return await _openrouter(adapter, now)
    if provider == "vercel":
        return await _single(vercel_credits, adapter)
    if provider == "hyperbolic":
        return await _single(hyperbolic_balance, adapter)
    if provider == "huggingface" and hub_url:
        return [await hf_billing(adapter, hub_url, now)]
    return []


async def refresh_provider(book: QuotaBook, adapter: HTTPAdapter, now: float,
                           hub_url: str | None = None) -> FreechatError | None:
    """Ask the provider's quota endpoints and record the answers; the error if they failed."""
    try:
        reports = await fetch_reports(adapter, now, hub_url)
    except FreechatError as error:
        return error
    for report in reports:
        report.apply(book, adapter.spec.id)
    return None


def key_lookup(runtime: Runtime) -> dict[str, Secret | None]:
    """{provider: its key} for providers with one. Blocking (the OS keyring): run it in a
    thread from an event loop."""
    keys: dict[str, Secret | None] = {}
    for pid in runtime.config.all_provider_ids():
        found = runtime.keys.lookup(runtime.spec(pid))
        if found.found:
            keys[pid] = found.secret
    return keys


def configured_providers(runtime: Runtime, book: QuotaBook,
                         keys: dict[str, Secret | None] | None = None) -> list[str]:
    """Providers with a key, plus keyless/local ones freechat has used (no network here)."""
    keys = key_lookup(runtime) if keys is None else keys
    found = []
    for pid in runtime.config.all_provider_ids():
        spec = runtime.spec(pid)
        if pid in keys or (not spec.needs_key and book.has_data(pid)):
            found.append(pid)
    return found


async def _reachable(adapter: HTTPAdapter) -> bool:
    try:
        await adapter.get_json(adapter.base_url + "/models", authenticated=False)
    except FreechatError:
        return False
    return True


async def gather_quota(
    runtime: Runtime, book: QuotaBook, client: httpx.AsyncClient, *,
    providers: list[str] | None = None, refresh: bool = False,
) -> tuple[list[ProviderQuota], list[FreechatError]]:
    """Snapshots for `providers` (default: the configured ones). With `refresh`, quota
    endpoints are asked first, and local providers are probed for reachability. Keyring and
    file work runs in threads, so this is safe to await on the UI's event loop."""
    errors: list[FreechatError] = []
    keys = await asyncio.to_thread(key_lookup, runtime)
    chosen = list(providers) if providers else configured_providers(runtime, book, keys)
    if refresh:
        now = book._clock()
        for pid in chosen if providers else runtime.config.all_provider_ids():
            spec = runtime.spec(pid)
            if spec.needs_key and not (pid in keys and has_endpoint(pid)):
                continue
            try:
                adapter = await asyncio.to_thread(  # a keyless lookup may ask the keyring
                    runtime.adapter, pid, client, key=keys.get(pid), require_key=False)
            except FreechatError as error:
                errors.append(error)
                continue
            if not spec.needs_key:
                if pid not in chosen and await _reachable(adapter):
                    chosen.append(pid)
                continue
            error = await refresh_provider(book, adapter, now, _hub_url(runtime, pid))
            if error is not None:
                errors.append(error)
        await book.aflush()
    snapshots = [book.snapshot(pid, tier=runtime.spec(pid).tier) for pid in chosen]
    return snapshots, errors


def _hub_url(runtime: Runtime, provider: str) -> str | None:
    from freechat.core.catalog import resolve_extra_url

    spec = runtime.spec(provider)
    if "hub" not in spec.extra_urls:
        return None
    conf = runtime.config.providers.get(provider)
    configured = conf.extra_urls.get("hub") if conf else None
    return resolve_extra_url(spec, "hub", configured, runtime.environ)
