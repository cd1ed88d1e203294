"""Provider error bodies → typed FreechatErrors.

Every provider's envelope ({"error": {...}}, list-wrapped Gemini errors, Mistral's
{"detail": ...}, Cerebras' bare {"message"}, Cloudflare's {"errors": [...]}, HTML pages from
proxies) is read here and mapped by HTTP status / in-band code to the error types of
core/errors.py. Messages pass through `redact()` and are cut to one line.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Mapping
from typing import Any

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
from freechat.core.ratelimit_headers import windows_from_error
from freechat.core.secret import redact
from freechat.core.timeparse import parse_reset, parse_retry_after

MAX_MESSAGE = 300


def one_line(text: str, limit: int = MAX_MESSAGE) -> str:
    text = " ".join(redact(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _looks_like_html(body: bytes, content_type: str) -> bool:
    head = body[:200].lstrip().lower()
    return "html" in content_type or head.startswith((b"<!doctype", b"<html"))


def extract_error(payload: Any) -> tuple[str | None, Any, Mapping[str, Any]]:
    """(message, code, metadata) from any provider's error envelope.

    Handles {"error": {...}}, {"error": "text"}, [ {"error": ...} ] (Gemini), {"detail": ...}
    (Mistral 401), bare {"message", "code"} (Cerebras) and Cloudflare's {"errors": [...]}.
    """
    if isinstance(payload, list) and payload:
        payload = payload[0]
    if not isinstance(payload, dict):
        return None, None, {}
    error = payload.get("error")
    if isinstance(error, dict):
        meta = error.get("metadata") if isinstance(error.get("metadata"), dict) else {}
        details = error.get("details")
        if details:
            meta = {**meta, "details": details}
        if error.get("status"):
            meta = {**meta, "status": error.get("status")}
        if isinstance(error.get("type"), str) and error.get("type"):  # OpenAI: insufficient_quota
            meta = {**meta, "type": error["type"]}
        return _text(error.get("message")), error.get("code"), meta
    if isinstance(error, str):
        return error, payload.get("code"), {}
    errors = payload.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        return _text(errors[0].get("message")), errors[0].get("code"), {}
    detail = payload.get("detail")
    if detail is not None:
        return _text(detail if isinstance(detail, str) else json.dumps(detail)), None, {}
    if "message" in payload:
        return _text(payload.get("message")), payload.get("code"), payload
    if isinstance(payload.get("title"), str):  # RFC 7807 problem+json without detail (NVIDIA)
        return payload["title"], payload.get("status"), {}
    return None, None, {}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value)


def map_error(
    provider: str,
    status: int,
    message: str | None,
    code: Any = None,
    metadata: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    now: float | None = None,
) -> FreechatError:
    """Turn a provider's HTTP status (or in-band code) and message into a typed error."""
    metadata = metadata or {}
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    now = time.time() if now is None else now
    text = one_line(message or f"HTTP {status}")
    lowered = text.lower()
    error_type = str(metadata.get("error_type") or metadata.get("status") or "").lower()
    if status in (401, 403) and not ("limit" in lowered and status == 403):
        return AuthError(
            f"key rejected ({text})", provider=provider,
            hint=f"check the key: freechat keys set {provider}",
        )
    if status == 402 or "insufficient credit" in lowered or "out of credit" in lowered:
        return OutOfCredit(text, provider=provider, hint="add credit or pick a free model")
    if status == 429 or status == 403 or "rate_limit" in error_type or (
        "resource_exhausted" in error_type
    ):
        limited = _rate_limited(provider, text, metadata, headers, now)
        limited.status = status  # quota book + retry policy (core/quota.py, core/retry.py)
        limited.windows = windows_from_error(provider, text, metadata, headers, now)
        return limited
    if status == 404:
        return ModelUnavailable(
            text, provider=provider, status=status,
            hint="pick another model (freechat models --free)",
        )
    if "context" in error_type or "context length" in lowered or "context_length" in lowered:
        return ContextTooLong(text, provider=provider, status=status,
                              hint="start a new chat or shorten the prompt")
    return ProviderError(text, provider=provider, status=status,
                         hint="try again later or pick another model")


def _rate_limited(
    provider: str, text: str, metadata: Mapping[str, Any], headers: Mapping[str, str], now: float
) -> RateLimited:
    inner = metadata.get("headers") if isinstance(metadata.get("headers"), dict) else {}
    inner = {str(k).lower(): v for k, v in inner.items()}
    retry_after = parse_retry_after(headers.get("retry-after-ms"), now, millis=True)
    if retry_after is None:
        retry_after = parse_retry_after(headers.get("retry-after"), now)
    if retry_after is None:
        retry_after = parse_retry_after(metadata.get("retry_after_seconds"), now)
    reset_raw = headers.get("x-ratelimit-reset") or inner.get("x-ratelimit-reset")
    resets_at = parse_reset(reset_raw, now) if reset_raw is not None else None
    lowered = text.lower() + json.dumps(metadata.get("details", ""), default=str).lower()
    daily = any(
        marker in lowered
        for marker in ("per-day", "per day", "perday", "daily", "rpd", "weekly", "monthly")
    ) or (retry_after is not None and retry_after >= 3600)
    if daily:
        when = resets_at if resets_at is not None else (
            now + retry_after if retry_after is not None else None)
        reset = f"resets at {clock_time(when, now)}" if when is not None else "resets later"
        return QuotaExhausted(
            text, provider=provider, scope="day", retry_after=retry_after, resets_at=resets_at,
            hint=f"daily quota reached, {reset}; or pick another provider",
        )
    # Rounded up: "wait 7 s" must never invite a request before the provider allows it.
    wait = f"wait {math.ceil(retry_after)} s and try again" if retry_after else (
        "wait and try again")
    return RateLimited(
        text, provider=provider, scope="minute", retry_after=retry_after, resets_at=resets_at,
        hint=wait,
    )


def clock_time(epoch: float, now: float) -> str:
    """Local wall-clock time: '14:05 CET', or 'Tue 00:00 CET' when it is not today."""
    try:
        local = time.localtime(epoch)
        fmt = "%H:%M %Z" if local[:3] == time.localtime(now)[:3] else "%a %H:%M %Z"
        return time.strftime(fmt, local)
    except (OverflowError, OSError, ValueError):  # an absurd reset figure
        return "a later time"


def _status_from_code(status: int, code: Any) -> int:
    """An error body under 2xx says its real status in `code` (OpenRouter, Google)."""
    if status < 300:
        number = code if isinstance(code, int) else (
            int(code) if isinstance(code, str) and code.isdigit() else None)
        if number is not None and 400 <= number < 600:
            return number
    return status


def error_from_response(
    provider: str, status: int, headers: Mapping[str, str], body: bytes, reason: str = "",
    mapper: Callable[..., FreechatError] | None = None,
) -> FreechatError:
    """`mapper` (same signature as map_error) lets an adapter add provider-specific rules."""
    mapper = mapper or map_error
    content_type = headers.get("content-type", "")
    if _looks_like_html(body, content_type.lower()):
        message = f"{status} {reason}".strip() if reason else f"HTTP {status}"
        return mapper(provider, status, message, headers=headers)
    try:
        payload = json.loads(body.decode("utf-8", "replace")) if body.strip() else None
    except ValueError:
        payload = None
    message, code, metadata = extract_error(payload)
    if message is None:
        raw = body.decode("utf-8", "replace").strip()
        message = raw[:MAX_MESSAGE] if raw else (f"{status} {reason}".strip())
    status = _status_from_code(status, code)
    return mapper(provider, status, message, code, metadata, headers)
