"""Stream events: the contract between the core and anything that shows a reply (DESIGN §3).

An adapter turns one provider response into an async iterator of these small frozen objects.
A stream that ends in any other way than `Finished` raises a typed FreechatError instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Where a quota figure comes from (DESIGN §6).
SOURCE_REPORTED = "reported"
SOURCE_COUNTED = "counted"
SOURCE_ESTIMATED = "estimated"


@dataclass(frozen=True, slots=True)
class TextDelta:
    text: str


@dataclass(frozen=True, slots=True)
class ReasoningDelta:
    text: str


@dataclass(frozen=True, slots=True)
class Usage:
    """The latest usage the provider reported. Cumulative usage replaces, never adds."""

    input_tokens: int | None = None
    output_tokens: int | None = None
    reasoning_tokens: int | None = None
    cost: float | None = None


@dataclass(frozen=True, slots=True)
class RateWindow:
    """One quota window, e.g. requests/day: how much is left and when it resets."""

    name: str  # "requests/minute", "tokens/day", ...
    unit: str  # "requests", "tokens", "neurons", "usd"
    limit: float | None = None
    remaining: float | None = None
    resets_at: float | None = None  # epoch seconds
    source: str = SOURCE_REPORTED

    @property
    def used(self) -> float | None:
        if self.limit is None or self.remaining is None:
            return None
        return max(self.limit - self.remaining, 0)


@dataclass(frozen=True, slots=True)
class RateLimits:
    windows: tuple[RateWindow, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class Meta:
    upstream_provider: str | None = None
    generation_id: str | None = None
    model_reported: str | None = None


@dataclass(frozen=True, slots=True)
class Finished:
    reason: str  # "stop", "length", "content_filter", "tool_calls", ...


@dataclass(frozen=True, slots=True)
class Waiting:
    """Activity without content (keep-alive comments): the provider is queueing or thinking."""

    comment: str = ""


StreamEvent = TextDelta | ReasoningDelta | Usage | RateLimits | Meta | Finished | Waiting
