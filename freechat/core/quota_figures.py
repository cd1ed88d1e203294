"""Quota figures as the UI and the CLI see them: windows, credit, one provider's picture.

`ProviderQuota.to_json()` is the `quota --json` object of DESIGN §5 (extended: windows of a
per-model budget also name their `model`).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from freechat.core.events import RateWindow
from freechat.core.quota_limits import split_name

if TYPE_CHECKING:
    from freechat.core.catalog import ProviderSpec

_UNIT_ORDER = ("requests", "tokens", "input-tokens", "output-tokens", "neurons", "usd")
_PERIOD_ORDER = ("second", "10s", "minute", "hour", "day", "month")


def iso(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch, UTC).isoformat().replace("+00:00", "Z")


def is_free_model(model: str | None) -> bool:
    return bool(model) and (model.endswith(":free") or model == "openrouter/free")  # type: ignore[union-attr]


@dataclass(frozen=True)
class QuotaWindow:
    name: str  # "requests/day"
    unit: str  # requests | tokens | neurons | usd
    limit: float | None
    used: float | None
    remaining: float | None
    resets_at: float | None
    source: str
    model: str | None = None  # set for per-model budgets (Gemini, Groq, Cerebras)

    @property
    def headroom(self) -> float | None:
        """Fraction left (0..1), or None when the limit is unknown."""
        if self.limit is None or self.remaining is None:
            return None
        if self.limit <= 0:
            return 0.0
        return max(min(self.remaining / self.limit, 1.0), 0.0)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name, "unit": self.unit, "limit": _num(self.limit),
            "used": _num(self.used), "remaining": _num(self.remaining),
            "resets_at": iso(self.resets_at), "source": self.source,
        }
        if self.model is not None:
            data["model"] = self.model
        return data


@dataclass(frozen=True)
class Credit:
    remaining: float
    unit: str = "usd"
    source: str = "reported"
    limit: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {"remaining": _num(self.remaining), "unit": self.unit, "source": self.source}


@dataclass(frozen=True)
class ProviderQuota:
    provider: str
    tier: str
    windows: tuple[QuotaWindow, ...]
    credit: Credit | None
    updated_at: float

    def to_json(self) -> dict[str, Any]:
        return {
            "provider": self.provider, "tier": self.tier,
            "windows": [w.to_json() for w in self.windows],
            "credit": self.credit.to_json() if self.credit else None,
            "updated_at": iso(self.updated_at),
        }

    def exhausted(self) -> QuotaWindow | None:
        """The window that blocks requests now (remaining 0), latest reset first."""
        empty = [w for w in self.windows if w.remaining is not None and w.remaining <= 0]
        return max(empty, key=lambda w: w.resets_at or float("inf"), default=None)


def _num(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else round(value, 6)


def _order(window: QuotaWindow) -> tuple[int, int, str]:
    label, period = split_name(window.name)
    unit = _UNIT_ORDER.index(label) if label in _UNIT_ORDER else len(_UNIT_ORDER)
    when = _PERIOD_ORDER.index(period) if period in _PERIOD_ORDER else len(_PERIOD_ORDER)
    return unit, when, window.model or ""


def window_json(window: RateWindow) -> dict[str, Any]:
    return {
        "name": window.name, "unit": window.unit, "limit": window.limit, "used": window.used,
        "remaining": window.remaining, "resets_at": iso(window.resets_at),
        "source": window.source,
    }


def provider_quota_json(
    spec: ProviderSpec, windows: Iterable[RateWindow], now: float | None = None
) -> dict[str, Any]:
    """The `quota` object from one reply's windows alone (when no book is at hand)."""
    return {
        "provider": spec.id, "tier": spec.tier, "windows": [window_json(w) for w in windows],
        "credit": None, "updated_at": iso(time.time() if now is None else now),
    }
