"""P9: the Retry-After / reset / rate-limit header parsers never raise and stay in [0, cap]."""

from __future__ import annotations

import math
from email.utils import formatdate

from hypothesis import given, settings
from hypothesis import strategies as st

from freechat.core.ratelimit_headers import (
    MAX_FIGURE,
    rate_limits_from_headers,
    windows_from_error,
)
from freechat.core.timeparse import (
    DEFAULT_CAP,
    parse_duration,
    parse_reset,
    parse_retry_after,
)

NOW = 1_790_000_000.0
RESET_CAP = 40 * 24 * 3600.0

go_durations = st.builds(
    lambda h, m, s, ms: (f"{h}h" if h else "") + (f"{m}m" if m else "") + f"{s}s"
    + (f"{ms}ms" if ms else ""),
    st.integers(0, 50), st.integers(0, 59), st.floats(0, 59.99).map(lambda x: round(x, 2)),
    st.integers(0, 999),
)
http_dates = st.floats(-1e10, 1e11).map(lambda t: formatdate(t, usegmt=True))
numbers = st.one_of(
    st.integers(-10**20, 10**20), st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 7, 7.5, 1e12, 1790812800000, 1790812800, -5]),
)
values = st.one_of(
    numbers.map(str), numbers, go_durations, http_dates, st.text(max_size=60),
    st.binary(max_size=30).map(lambda b: b.decode("latin-1")), st.none(), st.booleans(),
    st.just("NaN"), st.just("inf"), st.just("1e400"), st.just("-Infinity"),
)


@settings(max_examples=400, deadline=None)
@given(value=values, cap=st.floats(0, 1e7), millis=st.booleans())
def test_P9_retry_after_never_raises_and_is_clamped(value, cap, millis) -> None:
    result = parse_retry_after(value, NOW, cap=cap, millis=millis)
    assert result is None or (isinstance(result, float) and 0.0 <= result <= cap)


@settings(max_examples=400, deadline=None)
@given(value=values)
def test_P9_reset_is_an_instant_within_cap(value) -> None:
    result = parse_reset(value, NOW)
    assert result is None or NOW <= result <= NOW + RESET_CAP


@settings(max_examples=300, deadline=None)
@given(value=values)
def test_P9_duration_never_raises(value) -> None:
    result = parse_duration(value)
    assert result is None or (isinstance(result, float) and math.isfinite(result))


header_names = st.sampled_from([
    "x-ratelimit-limit-requests", "x-ratelimit-remaining-requests", "x-ratelimit-reset-requests",
    "x-ratelimit-limit-tokens-minute", "x-ratelimit-remaining-tokens-minute",
    "x-ratelimit-reset-tokens-minute", "x-ratelimit-limit-requests-day",
    "x-ratelimit-remaining-req-minute", "x-ratelimit-limit-tokens-prompt",
    "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "retry-after",
    "x-ratelimit-reset-requests-10-second", "content-type",
])


@settings(max_examples=400, deadline=None)
@given(headers=st.dictionaries(header_names, values.map(str), max_size=10),
       provider=st.sampled_from(["", "groq", "openrouter", "cerebras"]))
def test_P9_rate_limit_headers_never_raise_figures_in_range(headers, provider) -> None:
    limits = rate_limits_from_headers(headers, now=NOW, provider=provider)
    for window in limits.windows if limits else ():
        for figure in (window.limit, window.remaining):
            assert figure is None or 0 <= figure <= MAX_FIGURE
        assert window.resets_at is None or NOW <= window.resets_at <= NOW + RESET_CAP
    windows_from_error(provider, "free-models-per-day", {"headers": headers}, headers, NOW)


def test_P9_fixed_forms() -> None:
    assert parse_retry_after("7", NOW) == 7.0
    assert parse_retry_after("1500", NOW, millis=True) == 1.5
    assert parse_retry_after(formatdate(NOW + 30, usegmt=True), NOW) == 30.0
    assert parse_retry_after(formatdate(NOW - 30, usegmt=True), NOW) == 0.0  # past: now
    assert parse_retry_after("-3", NOW) == 0.0
    assert parse_retry_after("99999999", NOW) == DEFAULT_CAP
    assert parse_retry_after("soon", NOW) is None
    assert parse_duration("6m0s") == 360.0
    assert parse_duration("2m59.56s") == 179.56
    assert parse_duration("120ms") == 0.12
    assert parse_duration("1h2m3.5s") == 3723.5
    assert parse_reset("7.66s", NOW) == NOW + 7.66
    assert parse_reset("33011.382867097855", NOW) == NOW + 33011.382867097855
    assert parse_reset("1790812800000", NOW) == 1790812800.0  # epoch ms
    assert parse_reset(str(NOW + 60), NOW) == NOW + 60  # epoch s
    assert parse_reset("garbage", NOW) is None
