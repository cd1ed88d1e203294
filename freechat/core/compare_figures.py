"""The figures shown under each compared answer, live while it streams and final after.

Time to first token, tokens/s, output tokens, total time, how it ended, and the quota it used.
Tokens/s is output tokens / (total − TTFT): the generation speed, not counting the wait.
Output tokens come from the provider's reported usage when there is one; otherwise they are a
counted estimate (≈ 4 characters a token, text and reasoning), and the figures say so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from freechat.core.events import SOURCE_ESTIMATED, SOURCE_REPORTED, RateWindow
from freechat.core.secret import redact
from freechat.core.session import (
    STATUS_CANCELLED,
    STATUS_COMPLETE,
    STATUS_INCOMPLETE,
    STATUS_STREAMING,
    Reply,
)

CHARS_PER_TOKEN = 4.0


@dataclass(frozen=True)
class Figures:
    status: str  # waiting | streaming | complete | incomplete | error | cancelled
    ttft_ms: int | None
    total_ms: int | None
    output_tokens: int | None
    tokens_source: str | None  # reported | estimated
    tokens_per_s: float | None
    finish_reason: str | None
    error: str | None  # one line, redacted
    input_tokens: int | None
    tightest: RateWindow | None  # the reported window with the least headroom
    sent: bool = True  # False when the column sat this prompt out (quota refused)

    @property
    def estimated(self) -> bool:
        return self.tokens_source == SOURCE_ESTIMATED


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN) if text else 0


def measure(reply: Reply, now: float, *, sent: bool = True) -> Figures:
    """The figures of `reply` at time `now` (the reply's own clock)."""
    end = reply.ended_at if reply.ended_at is not None else now
    total_ms = round((end - reply.started_at) * 1000)
    usage = reply.usage
    if usage is not None and usage.output_tokens is not None:
        tokens, source = usage.output_tokens, SOURCE_REPORTED
    else:
        counted = estimate_tokens(reply.text) + estimate_tokens(reply.reasoning)
        tokens, source = (counted, SOURCE_ESTIMATED) if counted else (None, None)
    rate = None
    if tokens and reply.first_token_at is not None:
        seconds = end - reply.first_token_at
        rate = tokens / seconds if seconds > 0 else None
    status = reply.status
    if status == STATUS_STREAMING and reply.first_token_at is None:
        status = "waiting"
    error = reply.error
    return Figures(
        status=status, ttft_ms=reply.ttft_ms, total_ms=total_ms, output_tokens=tokens,
        tokens_source=source, tokens_per_s=rate, finish_reason=reply.finish_reason,
        error=None if error is None else redact(error.one_line()),
        input_tokens=usage.input_tokens if usage is not None else None,
        tightest=_tightest(reply.rate_windows), sent=sent,
    )


def _tightest(windows: tuple[RateWindow, ...]) -> RateWindow | None:
    known = [w for w in windows if w.limit and w.remaining is not None]
    return min(known, key=lambda w: (w.remaining or 0) / (w.limit or 1), default=None)


def seconds_text(ms: int | None) -> str:
    if ms is None:
        return "—"
    if ms < 10_000:
        return f"{ms / 1000:.2f} s"
    if ms < 60_000:
        return f"{ms / 1000:.1f} s"
    minutes, seconds = divmod(round(ms / 1000), 60)
    return f"{minutes}m{seconds:02d}s"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


def outcome_text(f: Figures) -> str:
    if f.status == "waiting":
        return "… waiting for the first token"
    if f.status == STATUS_STREAMING:
        return "… streaming"
    if f.status == STATUS_COMPLETE:
        finish = f.finish_reason or "stop"
        return f"⚠ {finish}" if finish in ("length", "content_filter") else f"✓ {finish}"
    if f.status == STATUS_CANCELLED:
        return "■ stopped"
    prefix = "⚠ incomplete" if f.status == STATUS_INCOMPLETE else "✗ error"
    return f"{prefix}: {f.error}" if f.error else prefix


def quota_text(f: Figures) -> str:
    """What this answer cost: one request (counted by freechat), the tokens, what's left."""
    if not f.sent:
        return "quota: nothing sent"
    parts = ["1 request"]
    if f.input_tokens is not None or f.output_tokens is not None:
        tokens = f"{f.input_tokens if f.input_tokens is not None else '?'} in"
        out = "?" if f.output_tokens is None else f"{'~' if f.estimated else ''}{f.output_tokens}"
        parts.append(f"{tokens}/{out} out tok")
    window = f.tightest
    if window is not None and window.limit is not None and window.remaining is not None:
        parts.append(f"{window.name} {_number(window.remaining)}/{_number(window.limit)} left")
    return "quota: " + ", ".join(parts)


def figure_parts(f: Figures) -> list[str]:
    """The figures in reading order: TTFT, tokens/s, output tokens, total, outcome, quota."""
    tokens = "— tokens" if f.output_tokens is None else (
        f"~{f.output_tokens} tokens (est.)" if f.estimated else f"{f.output_tokens} tokens")
    rate = "— tok/s" if f.tokens_per_s is None else (
        f"{'~' if f.estimated else ''}{f.tokens_per_s:.1f} tok/s")
    return [f"TTFT {seconds_text(f.ttft_ms)}", rate, tokens, f"total {seconds_text(f.total_ms)}",
            outcome_text(f), quota_text(f)]
