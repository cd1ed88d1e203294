"""Provider-specific error rules on top of `base.map_error`.

`map_error` knows the statuses every API shares. The fact sheets list the cases where a status
alone says the wrong thing: OpenAI's 429 `insufficient_quota` is out of credit, Fireworks says
so with 412, Gemini rejects a bad key with 400 and tells per-day from per-minute quota only in
`QuotaFailure.quotaId`, Cloudflare's codes live in an `errors` list (3036: daily neurons gone),
Cerebras/Groq/OpenAI name context overflow in `code`, and so on. `classify` applies those
rules first, then falls back to `map_error`, then gives each error a provider-specific hint.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

from freechat.core.catalog import ProviderSpec
from freechat.core.errors import (
    AuthError,
    ContextTooLong,
    FreechatError,
    ModelUnavailable,
    OutOfCredit,
    ProviderError,
    QuotaExhausted,
    RateLimited,
)
from freechat.core.providers.error_map import map_error, one_line
from freechat.core.quota_limits import next_day_reset
from freechat.core.timeparse import parse_duration

CONTEXT_CODES = ("context_length_exceeded", "exceed_context_size_error", "context_too_long")
CONTEXT_PHRASES = (
    "context length", "context_length", "context window", "context size", "maximum context",
    "prompt is too long", "input is too long", "input too long", "too many tokens",
    "exceeds the maximum number of tokens", "reduce the length of the messages",
    "input length", "input token count", "too large for model",
)
MODEL_CODES = ("model_not_found", "model_not_supported", "invalid_model", "not_found")
MODEL_PHRASES = (
    "not a valid model", "does not exist", "no such model", "model not found",
    "invalid model", "not supported by any provider", "is not found for api version",
    "unknown model", "not found, inaccessible", "no endpoints found",
    "allowed now, your model",  # Hyperbolic 40301
)
CREDIT_CODES = ("insufficient_quota", "insufficient_funds", "quota_for_entity_exceeded",
                "precondition_failed")
# Cloudflare `errors[].code` values (fact sheet A §3.5).
CF_DAILY_NEURONS = (3036, 4006)
CF_AUTH = (10000, 5016, 5018, 3023, 3041)
CF_MODEL = (5007, 3042)
CF_BAD_ACCOUNT = (7003,)


def next_midnight(now: float, zone: str = "utc") -> float:
    """The next 00:00 in `zone` (DST-correct), by the quota book's own day rule."""
    return next_day_reset(zone, now) or now


def _words(code: Any, metadata: Mapping[str, Any]) -> str:
    """Every machine-readable kind the body carried, lower-cased, for substring checks."""
    parts = [code, metadata.get("type"), metadata.get("error_type"), metadata.get("status"),
             metadata.get("reason")]
    return " ".join(str(p) for p in parts if p not in (None, "")).lower()


def _int_code(code: Any) -> int | None:
    if isinstance(code, int) and not isinstance(code, bool):
        return code
    if isinstance(code, str) and code.strip().isdigit():
        return int(code.strip())
    return None


def _gemini_details(metadata: Mapping[str, Any]) -> tuple[list[dict[str, Any]], float | None]:
    """(QuotaFailure violations, RetryInfo delay in seconds) from a google.rpc.Status."""
    violations: list[dict[str, Any]] = []
    delay = None
    details = metadata.get("details")
    for item in details if isinstance(details, list) else []:
        if not isinstance(item, dict):
            continue
        kind = str(item.get("@type", ""))
        if kind.endswith("QuotaFailure") and isinstance(item.get("violations"), list):
            violations += [v for v in item["violations"] if isinstance(v, dict)]
        elif kind.endswith("RetryInfo"):
            delay = parse_duration(item.get("retryDelay"))
    return violations, delay


def _gemini(status: int, text: str, words: str, metadata: Mapping[str, Any],
            now: float) -> FreechatError | None:
    pid = "gemini"
    details = json.dumps(metadata.get("details", ""), default=str)
    if status == 400 and ("api_key_invalid" in details.lower() or "api key not valid" in
                          text.lower() or "api key expired" in text.lower()):
        return AuthError(f"key rejected ({text})", provider=pid)
    if status != 429 and "resource_exhausted" not in words:
        return None
    violations, delay = _gemini_details(metadata)
    quota_ids = " ".join(str(v.get("quotaId", "")) for v in violations).lower()
    no_free = any(str(v.get("quotaValue")) == "0" for v in violations) or "limit: 0," in text
    if no_free:
        return QuotaExhausted(
            text, provider=pid, scope="day", retry_after=delay,
            hint="this model has no free quota on your project; pick another Gemini model",
        )
    if "perday" in quota_ids or (not quota_ids and "per day" in text.lower()):
        return QuotaExhausted(
            text, provider=pid, scope="day", retry_after=delay,
            resets_at=next_midnight(now, "America/Los_Angeles"),
            hint="daily free requests for this model are used up; they reset at midnight "
            "Pacific time, or pick another model",
        )
    wait = f"wait {round(delay)} s and try again" if delay else "wait a minute and try again"
    return RateLimited(text, provider=pid, scope="minute", retry_after=delay, hint=wait)


def _cloudflare(status: int, text: str, code: int | None, now: float) -> FreechatError | None:
    pid = "cloudflare"
    if code in CF_DAILY_NEURONS or "daily free allocation" in text.lower():
        return QuotaExhausted(
            text, provider=pid, scope="day", resets_at=next_midnight(now),
            hint="the 10,000 free neurons of today are used up; they reset at 00:00 UTC",
        )
    if code == 3040:
        return RateLimited(text, provider=pid, scope="minute",
                           hint="Cloudflare is out of capacity for this model; try again soon")
    if code in CF_BAD_ACCOUNT:
        return AuthError(
            f"no such account or route ({text})", provider=pid,
            hint="check CLOUDFLARE_ACCOUNT_ID or the config's account_id (the id in your "
            "dashboard URL)",
        )
    if code in CF_AUTH:
        return AuthError(
            f"token rejected ({text})", provider=pid,
            hint="the API token needs the Workers AI Read and Edit permissions "
            "(https://dash.cloudflare.com/profile/api-tokens)",
        )
    if code in CF_MODEL:
        return ModelUnavailable(text, provider=pid, status=status)
    if code == 3006:
        return ContextTooLong(text, provider=pid, status=status)
    return None


def _special(spec: ProviderSpec, status: int, text: str, code: Any, words: str,
             metadata: Mapping[str, Any], now: float) -> FreechatError | None:
    pid, lowered = spec.id, text.lower()
    if spec.adapter == "gemini":
        found = _gemini(status, text, words, metadata, now)
        if found is not None:
            return found
    if spec.adapter == "cloudflare":
        found = _cloudflare(status, text, _int_code(code), now)
        if found is not None:
            return found
    if any(c in words for c in CREDIT_CODES) or status == 412 or "suspended" in lowered:
        return OutOfCredit(text, provider=pid, hint=_credit_hint(spec))
    if status == 403 and "unsupported_country" in words:
        return ProviderError(text, provider=pid, status=status,
                             hint=f"{spec.name} is not available in your region")
    if status == 403 and ("subscription" in lowered or "free tier" in lowered):
        return ModelUnavailable(text, provider=pid, status=status,
                                hint=f"this model is not free on {spec.name}; pick another")
    if status == 403 and "sufficient permissions" in lowered:
        return AuthError(
            f"token lacks a permission ({text})", provider=pid,
            hint="create a fine-grained token with 'Make calls to Inference Providers' at "
            "https://huggingface.co/settings/tokens",
        )
    if status in (400, 413, 422):
        if any(c in words for c in CONTEXT_CODES) or any(p in lowered for p in CONTEXT_PHRASES):
            return ContextTooLong(text, provider=pid, status=status)
        if status == 413:
            return ContextTooLong(text, provider=pid, status=status)
    if status in (400, 404, 410, 422) and (
        any(c in words for c in MODEL_CODES) or any(p in lowered for p in MODEL_PHRASES)
        or status == 410
    ):
        return ModelUnavailable(text, provider=pid, status=status)
    if status >= 500 and ("resourceexhausted" in lowered.replace(" ", "")
                          or "request limit reached" in lowered):
        return RateLimited(text, provider=pid, scope="minute",
                           hint="the provider is overloaded; wait a little and try again")
    if status == 503 and "loading model" in lowered:
        return ProviderError(text, provider=pid, status=status,
                             hint="the server is still loading the model; try again shortly")
    return None


def _credit_hint(spec: ProviderSpec) -> str:
    if spec.id == "openrouter":
        return ("OpenRouter refuses even free models while the balance is negative; add "
                "credit at https://openrouter.ai/settings/credits or pick another provider")
    if spec.id == "huggingface":
        return ("the monthly included credit is used up (it renews next month); buy credits "
                "or pick another provider")
    if spec.id == "openai":
        return "OpenAI has no free tier; add prepaid credit or pick a free provider"
    return f"{spec.name} needs more credit; add some or pick a free provider"


def _key_hint(spec: ProviderSpec) -> str:
    env = spec.key_envs[0] if spec.key_envs else f"{spec.env_prefix}_KEY"
    hint = f"check the key ({env}, or `freechat keys set {spec.id}`)"
    return hint + (f"; get one at {spec.signup_url}" if spec.signup_url else "")


def classify(
    spec: ProviderSpec,
    status: int,
    message: str | None,
    code: Any = None,
    metadata: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    now: float | None = None,
) -> FreechatError:
    """The typed error for one provider error (HTTP status or in-band code + body parts)."""
    metadata = metadata or {}
    now = time.time() if now is None else now
    text = one_line(message or f"HTTP {status}")
    words = _words(code, metadata)
    error = _special(spec, status, text, code, words, metadata, now)
    if error is None:
        # The generic mapper's hints are provider-neutral: replace them with this provider's.
        error = map_error(spec.id, status, message, code, metadata, headers, now)
        _provider_hint(spec, error)
    elif error.hint is None:
        _provider_hint(spec, error)
    return error


def _provider_hint(spec: ProviderSpec, error: FreechatError) -> None:
    if isinstance(error, OutOfCredit):
        error.hint = _credit_hint(spec)
    elif isinstance(error, AuthError):
        error.hint = _key_hint(spec)
    elif type(error) is ModelUnavailable:
        error.hint = f"pick another model: freechat models --provider {spec.id} --free"
    elif isinstance(error, ContextTooLong):
        error.hint = "start a new chat or shorten the prompt"
