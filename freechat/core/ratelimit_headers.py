"""Rate-limit headers → `RateLimits` (every `x-ratelimit-*` form the fact sheets list).

Forms: `x-ratelimit-(limit|remaining|reset)-(requests|req|tokens)[-<period>]` (Cerebras,
Mistral), Fireworks' `tokens-prompt` / `tokens-generated`, the unsuffixed OpenAI/Groq form whose
period differs by provider (Groq: requests are per day, tokens per minute), and the bare
`x-ratelimit-(limit|remaining|reset)` OpenRouter sends on a 429 (also inside the error body's
`metadata.headers`). Resets may be seconds, float seconds, Go durations or epoch timestamps (s
or ms). Malformed values are ignored, never fatal (P9: never raise; figures within [0, cap]).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from freechat.core.events import SOURCE_REPORTED, RateLimits, RateWindow
from freechat.core.timeparse import parse_reset

MAX_FIGURE = 1e15  # no real limit is larger; bigger numbers are garbage
_HEADER = re.compile(
    r"^x-ratelimit-(limit|remaining|reset)"
    r"(?:-(requests|req|tokens-prompt|tokens-generated|tokens))?"
    r"(?:-(minute|hour|day|month|10-second|second))?$"
)
_UNIT = {
    "requests": ("requests", "requests"), "req": ("requests", "requests"),
    "tokens": ("tokens", "tokens"), "tokens-prompt": ("tokens", "input-tokens"),
    "tokens-generated": ("tokens", "output-tokens"), None: ("requests", "requests"),
}
_PERIOD = {"10-second": "10s"}
# Period of the unsuffixed headers, per provider; OpenAI-style APIs count per minute.
UNSUFFIXED_PERIOD: dict[str, dict[str, str]] = {
    "groq": {"requests": "day", "tokens": "minute"},
}


def _number(value: Any) -> float | None:
    try:
        number = float(str(value).strip())
    except (ValueError, OverflowError):
        return None
    if number != number or abs(number) == float("inf") or not 0 <= number <= MAX_FIGURE:
        return None
    return number


def rate_limits_from_headers(
    headers: Mapping[str, Any], *, now: float, provider: str = "",
    default_period: str | None = None,
) -> RateLimits | None:
    """The windows a response's headers describe, or None when they describe none.

    `default_period` names the period of bare `x-ratelimit-limit` headers (OpenRouter's 429
    says per-minute or per-day only in its message).
    """
    periods = UNSUFFIXED_PERIOD.get(provider, {})
    found: dict[tuple[str, str, str], dict[str, float]] = {}
    for raw_name, value in headers.items():
        match = _HEADER.match(str(raw_name).strip().lower())
        if not match:
            continue
        field, kind, period = match.groups()
        unit, label = _UNIT[kind]
        if period is None:
            period = (default_period or "minute") if kind is None else periods.get(
                unit, "minute"
            )
        period = _PERIOD.get(period, period)
        slot = found.setdefault((label, unit, period), {})
        if field == "reset":
            resets_at = parse_reset(value, now)
            if resets_at is not None:
                slot["reset"] = resets_at
        else:
            number = _number(value)
            if number is not None:
                slot[field] = number
    windows = tuple(
        RateWindow(
            name=f"{label}/{period}", unit=unit, limit=slot.get("limit"),
            remaining=slot.get("remaining"), resets_at=slot.get("reset"), source=SOURCE_REPORTED,
        )
        for (label, unit, period), slot in sorted(found.items())
        if "limit" in slot or "remaining" in slot
    )
    return RateLimits(windows) if windows else None


def period_from_message(text: str) -> str | None:
    """'Rate limit exceeded: free-models-per-day' -> 'day'; '...-per-min' -> 'minute'."""
    lowered = text.lower()
    if "per-day" in lowered or "per day" in lowered or "daily" in lowered:
        return "day"
    if "per-min" in lowered or "per min" in lowered:
        return "minute"
    return None


def windows_from_error(
    provider: str, text: str, metadata: Mapping[str, Any] | None,
    headers: Mapping[str, Any] | None, now: float,
) -> tuple[RateWindow, ...]:
    """Windows a rate-limit error carries: real `X-RateLimit-*` headers, or the copy OpenRouter
    puts in `error.metadata.headers`. Empty when there are none."""
    merged: dict[str, Any] = {}
    inner = (metadata or {}).get("headers")
    if isinstance(inner, Mapping):
        merged.update({str(k).lower(): v for k, v in inner.items()})
    merged.update({str(k).lower(): v for k, v in (headers or {}).items()})
    limits = rate_limits_from_headers(
        merged, now=now, provider=provider, default_period=period_from_message(text) or "minute"
    )
    return limits.windows if limits else ()
