"""Published free limits (data files) merged with `[quota.*]` config overrides, and the
calendar rules that say when a provider's day starts (DESIGN §6).

Precedence for one figure: config model table > config provider table > published model table
> published provider table. What a provider *reports* beats all of these (see quota.py).
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache
from pathlib import Path
from typing import Any

from freechat.core.errors import ConfigError

# config/data key -> window name ("<unit>/<period>")
WINDOW_KEYS: dict[str, str] = {
    "requests_per_second": "requests/second",
    "requests_per_minute": "requests/minute",
    "requests_per_hour": "requests/hour",
    "requests_per_day": "requests/day",
    "tokens_per_minute": "tokens/minute",
    "tokens_per_hour": "tokens/hour",
    "tokens_per_day": "tokens/day",
    "tokens_per_month": "tokens/month",
    "neurons_per_day": "neurons/day",
    "usd_per_month": "usd/month",
}
SETTING_KEYS = ("day_reset", "scope", "free_models_only")
# Global `[quota]` settings (scalars beside the provider tables).
GLOBAL_KEYS: dict[str, tuple[type | tuple[type, ...], float, float]] = {
    "retries": (int, 0, 10),
    "max_retry_wait": ((int, float), 0, 3600),
    "headroom": ((int, float), 0.1, 1.0),
    "throttle": (bool, 0, 1),
}
PERIOD_SECONDS = {
    "second": 1.0, "10s": 10.0, "minute": 60.0, "hour": 3600.0, "day": 86400.0,
    "month": 31 * 86400.0,
}
DAY = 86400.0


def split_name(name: str) -> tuple[str, str]:
    """'requests/day' -> ('requests', 'day')."""
    unit, _, period = name.partition("/")
    return unit, period


@dataclass(frozen=True)
class ProviderRules:
    day_reset: str = "utc"  # "utc", "rolling" or an IANA zone such as America/Los_Angeles
    scope: str = "provider"  # "provider": one budget; "model": a budget per model
    free_models_only: bool = False


@dataclass
class LimitsTable:
    published: Mapping[str, Any] = field(default_factory=dict)
    overrides: Mapping[str, Any] = field(default_factory=dict)
    settings: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def default(cls, quota_config: Mapping[str, Any] | None = None) -> LimitsTable:
        quota_config = dict(quota_config or {})
        settings = {k: quota_config.pop(k) for k in list(quota_config) if k in GLOBAL_KEYS}
        return cls(published_limits(), quota_config, settings)

    def _tables(self, provider: str, model: str | None) -> list[Mapping[str, Any]]:
        """Most specific first."""
        tables: list[Mapping[str, Any]] = []
        for source in (self.overrides, self.published):
            table = source.get(provider)
            if not isinstance(table, Mapping):
                continue
            models = table.get("models")
            if model and isinstance(models, Mapping) and isinstance(models.get(model), Mapping):
                tables.append(models[model])
            tables.append(table)
        return tables

    def rules(self, provider: str) -> ProviderRules:
        found: dict[str, Any] = {}
        for table in reversed(self._tables(provider, None)):
            found.update({k: table[k] for k in SETTING_KEYS if k in table})
        return ProviderRules(
            day_reset=str(found.get("day_reset", "utc")),
            scope=str(found.get("scope", "provider")),
            free_models_only=bool(found.get("free_models_only", False)),
        )

    def limits(self, provider: str, model: str | None) -> dict[str, tuple[float, str]]:
        """{window name: (limit, "config" | "published")} for this provider (and model)."""
        result: dict[str, tuple[float, str]] = {}
        for table in reversed(self._tables(provider, model)):
            origin = "config" if _is_in(table, self.overrides) else "published"
            for key, name in WINDOW_KEYS.items():
                value = table.get(key)
                if isinstance(value, int | float) and not isinstance(value, bool):
                    result[name] = (float(value), origin)
        return result

    def setting(self, name: str, default: Any) -> Any:
        return self.settings.get(name, default)


def _is_in(table: Mapping[str, Any], source: Mapping[str, Any]) -> bool:
    for value in source.values():
        if value is table:
            return True
        models = value.get("models") if isinstance(value, Mapping) else None
        if isinstance(models, Mapping) and any(m is table for m in models.values()):
            return True
    return False


def _read_data(name: str) -> dict[str, Any]:
    from freechat.core.catalog import DATA_DIR  # a plain path: see there

    return tomllib.loads((DATA_DIR / name).read_text("utf-8"))


@lru_cache(maxsize=1)
def published_limits() -> dict[str, Any]:
    return _read_data("quota_limits.toml")


@lru_cache(maxsize=1)
def neuron_rates() -> tuple[dict[str, tuple[float, float]], tuple[float, float]]:
    """({model: (neurons per M input tokens, per M output tokens)}, default rate)."""
    data = _read_data("cloudflare_neurons.toml")
    default = data.get("default", {})
    rates = {
        model: (float(pair[0]), float(pair[1]))
        for model, pair in data.get("models", {}).items()
        if isinstance(pair, list) and len(pair) == 2
    }
    return rates, (float(default.get("input", 0)), float(default.get("output", 0)))


def estimate_neurons(model: str, input_tokens: int, output_tokens: int) -> float:
    rates, default = neuron_rates()
    rate_in, rate_out = rates.get(model, default)
    return max(input_tokens, 0) * rate_in / 1e6 + max(output_tokens, 0) * rate_out / 1e6


# --- day boundaries ---------------------------------------------------------------------
@lru_cache(maxsize=16)
def _zone(name: str) -> tzinfo | None:
    if name.lower() in ("utc", "z"):
        return UTC
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)
    except Exception:  # unknown zone or no tz database (some Windows installs)
        return None


def _local_midnight(now: float, zone: tzinfo, days_ahead: int) -> float:
    local = datetime.fromtimestamp(now, zone)
    day = local.date() + timedelta(days=days_ahead)
    # Midnight is never in a DST gap for the zones providers use (they switch at 02:00).
    return datetime(day.year, day.month, day.day, tzinfo=zone).timestamp()


def day_start(rule: str, now: float) -> float:
    """Start of the provider's current day: its local midnight, or 24 h ago if rolling."""
    if rule == "rolling":
        return now - DAY
    zone = _zone(rule)
    if zone is None:  # unknown zone: Pacific standard time is the only non-UTC rule we ship
        return _local_midnight(now - 8 * 3600, UTC, 0) + 8 * 3600
    return _local_midnight(now, zone, 0)


def next_day_reset(rule: str, now: float) -> float | None:
    """When the provider's day counter resets next (None for a rolling 24 h window)."""
    if rule == "rolling":
        return None
    zone = _zone(rule)
    if zone is None:
        return _local_midnight(now - 8 * 3600, UTC, 1) + 8 * 3600
    return _local_midnight(now, zone, 1)


# --- config parsing (called from config.py) ----------------------------------------------
def _check_number(value: Any, where: str, path: Path) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(f"{path}: '{where}' should be a number", hint="e.g. 20")
    if value < 0:
        raise ConfigError(f"{path}: '{where}' must not be negative")
    return value


def _check_table(table: Any, where: str, path: Path, warnings: list[str],
                 allow_models: bool) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: '{where}' should be a table", hint=f"write [{where}]")
    result: dict[str, Any] = {}
    for key, value in table.items():
        if key in WINDOW_KEYS:
            result[key] = _check_number(value, f"{where}.{key}", path)
        elif key in ("day_reset", "scope"):
            if not isinstance(value, str):
                raise ConfigError(f"{path}: '{where}.{key}' should be a string")
            if key == "scope" and value not in ("provider", "model"):
                raise ConfigError(f"{path}: '{where}.scope' must be \"provider\" or \"model\"")
            if key == "day_reset" and value != "rolling" and _zone(value) is None:
                raise ConfigError(f"{path}: '{where}.day_reset': unknown time zone '{value}'",
                                  hint='use "utc", "rolling" or e.g. "America/Los_Angeles"')
            result[key] = value
        elif key == "free_models_only" and isinstance(value, bool):
            result[key] = value
        elif key == "models" and allow_models and isinstance(value, dict):
            result["models"] = {
                model: _check_table(sub, f"{where}.models.{model}", path, warnings, False)
                for model, sub in value.items()
            }
        else:
            warnings.append(f"{path}: unknown setting {where}.{key} (ignored)")
    return result


def parse_quota_section(raw: Any, path: Path, warnings: list[str]) -> dict[str, Any]:
    """Validate `[quota]`: global settings plus `[quota.<provider>]` limit tables."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: 'quota' should be a table", hint="write [quota.<provider>]")
    result: dict[str, Any] = {}
    for key, value in raw.items():
        if key in GLOBAL_KEYS:
            kind, low, high = GLOBAL_KEYS[key]
            if kind is bool:
                if not isinstance(value, bool):
                    raise ConfigError(f"{path}: 'quota.{key}' should be true or false")
            else:
                number = _check_number(value, f"quota.{key}", path)
                if not low <= number <= high:
                    raise ConfigError(f"{path}: 'quota.{key}' must be between {low} and {high}")
            result[key] = value
        elif isinstance(value, dict):
            result[key] = _check_table(value, f"quota.{key}", path, warnings, True)
        else:
            warnings.append(f"{path}: unknown setting quota.{key} (ignored)")
    return result
