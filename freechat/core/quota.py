"""Quota figures per provider (DESIGN §6). The QuotaBook grows here; for now it turns the
windows a reply reported into the `quota --json` object of DESIGN §5."""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from freechat.core.catalog import ProviderSpec
from freechat.core.events import RateWindow


def iso(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch, UTC).isoformat().replace("+00:00", "Z")


def window_json(window: RateWindow) -> dict[str, Any]:
    return {
        "name": window.name,
        "unit": window.unit,
        "limit": window.limit,
        "used": window.used,
        "remaining": window.remaining,
        "resets_at": iso(window.resets_at),
        "source": window.source,
    }


def provider_quota_json(
    spec: ProviderSpec, windows: Iterable[RateWindow], now: float | None = None
) -> dict[str, Any]:
    return {
        "provider": spec.id,
        "tier": spec.tier,
        "windows": [window_json(w) for w in windows],
        "credit": None,
        "updated_at": iso(time.time() if now is None else now),
    }
