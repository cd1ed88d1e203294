"""Rate-limit headers → `RateLimits` (every `x-ratelimit-*` form the fact sheets list).

Forms: `x-ratelimit-(limit|remaining|reset)-(requests|tokens|req)[-<period>]`
(Cerebras, Mistral), and the unsuffixed OpenAI/Groq form whose period differs by provider
(Groq: requests are per day, tokens per minute). Resets may be seconds, float seconds, Go
durations or epoch timestamps. Malformed values are ignored, never fatal.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from freechat.core.events import SOURCE_REPORTED, RateLimits, RateWindow
from freechat.core.timeparse import parse_reset

_HEADER = re.compile(
    r"^x-ratelimit-(limit|remaining|reset)-(requests|req|tokens)"
    r"(?:-(minute|hour|day|month|10-second|second))?$"
)
_UNIT = {"requests": "requests", "req": "requests", "tokens": "tokens"}
# Period of the unsuffixed headers, per provider; OpenAI-style APIs count per minute.
UNSUFFIXED_PERIOD: dict[str, dict[str, str]] = {
    "groq": {"requests": "day", "tokens": "minute"},
}


def _number(value: str) -> float | None:
    try:
        number = float(value.strip())
    except (ValueError, AttributeError):
        return None
    return number if number == number and abs(number) != float("inf") else None


def rate_limits_from_headers(
    headers: Mapping[str, str], *, now: float, provider: str = ""
) -> RateLimits | None:
    periods = UNSUFFIXED_PERIOD.get(provider, {})
    found: dict[tuple[str, str], dict[str, float]] = {}
    for raw_name, value in headers.items():
        match = _HEADER.match(raw_name.lower())
        if not match:
            continue
        field, kind, period = match.groups()
        unit = _UNIT[kind]
        period = period or periods.get(unit, "minute")
        slot = found.setdefault((unit, period), {})
        if field == "reset":
            resets_at = parse_reset(value, now)
            if resets_at is not None:
                slot["reset"] = resets_at
        else:
            number = _number(value)
            if number is not None and number >= 0:
                slot[field] = number
    windows = tuple(
        RateWindow(
            name=f"{unit}/{period}", unit=unit, limit=slot.get("limit"),
            remaining=slot.get("remaining"), resets_at=slot.get("reset"), source=SOURCE_REPORTED,
        )
        for (unit, period), slot in sorted(found.items())
        if "limit" in slot or "remaining" in slot
    )
    return RateLimits(windows) if windows else None
