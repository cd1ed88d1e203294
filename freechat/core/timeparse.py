"""Parsers for the many ways providers say "wait" or "resets at" (P9: never raise).

- `parse_retry_after`: RFC 9110 delay-seconds or HTTP-date, plus float seconds and ms.
- `parse_duration`: seconds as int/float strings, Go durations (`6m0s`, `7.66s`, `250ms`).
- `parse_reset`: a reset figure that may be a duration or an epoch timestamp (s or ms).
"""

from __future__ import annotations

import math
import re
from email.utils import parsedate_to_datetime

DEFAULT_CAP = 24 * 3600.0
_GO_DURATION = re.compile(r"^(?:(\d+(?:\.\d+)?)(h|m|s|ms|us|µs|ns))+$")
_GO_PART = re.compile(r"(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)")
_UNIT = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}
_EPOCH_S_MIN = 1e9  # 2001-09-09: a number this large is a timestamp, not a delay
_EPOCH_MS_MIN = 1e12


def _clamp(value: float, cap: float) -> float | None:
    if math.isnan(value):
        return None
    return min(max(value, 0.0), cap)


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except (ValueError, OverflowError):
        return None
    return None if math.isnan(value) or math.isinf(value) else value


def parse_duration(value: object) -> float | None:
    """Seconds from '7', '7.5', '6m0s', '250ms', '1h2m'. None if it is none of these."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
        return None if math.isnan(number) or math.isinf(number) else number
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    number = _number(text)
    if number is not None:
        return number
    if len(text) <= 64 and _GO_DURATION.match(text):
        return sum(float(n) * _UNIT[u] for n, u in _GO_PART.findall(text))
    return None


def parse_http_date(value: str) -> float | None:
    try:
        moment = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment is None or moment.tzinfo is None:
        return None
    try:
        return moment.timestamp()
    except (OverflowError, OSError, ValueError):
        return None


def parse_retry_after(
    value: object, now: float, *, cap: float = DEFAULT_CAP, millis: bool = False
) -> float | None:
    """Seconds to wait, clamped to [0, cap]; None when the value means nothing."""
    if value is None:
        return None
    text = str(value).strip()
    if not text or len(text) > 100:
        return None
    number = _number(text)
    if number is not None:
        return _clamp(number / 1000.0 if millis else number, cap)
    moment = parse_http_date(text)
    if moment is not None:
        return _clamp(moment - now, cap)
    duration = parse_duration(text)
    return None if duration is None else _clamp(duration, cap)


def parse_reset(value: object, now: float, *, cap: float = 40 * 24 * 3600.0) -> float | None:
    """An absolute reset time (epoch seconds) from a delay or a timestamp in s or ms."""
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip()
    if not text or len(text) > 100:
        return None
    number = _number(text)
    if number is not None:
        if number >= _EPOCH_MS_MIN:
            number = number / 1000.0 - now
        elif number >= _EPOCH_S_MIN:
            number = number - now
        delay = _clamp(number, cap)
        return None if delay is None else now + delay
    moment = parse_http_date(text)
    if moment is not None:
        delay = _clamp(moment - now, cap)
        return None if delay is None else now + delay
    duration = parse_duration(text)
    if duration is None:
        return None
    delay = _clamp(duration, cap)
    return None if delay is None else now + delay
