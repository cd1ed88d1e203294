"""What every adapter shares: the request type, the HTTP plumbing and error mapping.

An adapter speaks one wire protocol. `stream_chat` yields stream events (core/events.py) and
raises a typed FreechatError for any other ending. Provider and httpx exceptions are converted
here, at the boundary, `from None`, with every message passed through `redact()`: a traceback
or a message shown to the user must never carry a key.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import aclosing, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from freechat.core.catalog import ProviderSpec
from freechat.core.config import Timeouts
from freechat.core.errors import (
    AuthError,
    ContextTooLong,
    FreechatError,
    ModelUnavailable,
    NetworkError,
    OutOfCredit,
    ProtocolError,
    ProviderError,
    QuotaExhausted,
    RateLimited,
    ResponseTooLarge,
    StreamInterrupted,
)
from freechat.core.events import StreamEvent, Waiting
from freechat.core.models import ChatMessage, ModelInfo
from freechat.core.ratelimit_headers import windows_from_error
from freechat.core.secret import Secret, redact
from freechat.core.sse import SSEComment, SSEEvent, SSEParser
from freechat.core.timeparse import parse_reset, parse_retry_after

MAX_ERROR_BODY = 64 * 1024
MAX_JSON_BODY = 32 << 20  # model lists are large; anything bigger is not one
MAX_MESSAGE = 300
Clock = Callable[[], float]


@dataclass(frozen=True)
class ChatRequest:
    model: str
    messages: Sequence[ChatMessage]
    max_tokens: int | None = None
    temperature: float | None = None


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


class HTTPAdapter:
    """Plumbing for adapters that speak HTTP + SSE through one shared httpx.AsyncClient."""

    def __init__(
        self,
        spec: ProviderSpec,
        *,
        base_url: str,
        key: Secret | None,
        client: httpx.AsyncClient,
        timeouts: Timeouts | None = None,
        clock: Clock = time.time,
    ) -> None:
        self.spec = spec
        self.base_url = base_url.rstrip("/")
        self._key = key
        self._client = client
        self.timeouts = timeouts or Timeouts()
        self._clock = clock

    def __repr__(self) -> str:
        return f"{type(self).__name__}(provider={self.spec.id!r}, base_url={self.base_url!r})"

    # --- overridable pieces -------------------------------------------------------------
    def auth_headers(self) -> dict[str, str]:
        if self._key is None:
            return {}
        return {"Authorization": f"Bearer {self._key.reveal()}"}

    def stream_chat(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        raise NotImplementedError

    async def list_models(self) -> list[ModelInfo]:
        raise NotImplementedError

    def error_from_response(
        self, status: int, headers: Mapping[str, str], body: bytes, reason: str = ""
    ) -> FreechatError:
        return error_from_response(self.spec.id, status, headers, body, reason)

    # --- shared machinery ---------------------------------------------------------------
    def httpx_timeout(self) -> httpx.Timeout:
        """httpx's read timeout also covers waiting for headers, so it must allow first_byte;
        the tighter silence limit between body bytes is enforced in `iter_body`."""
        t = self.timeouts
        return httpx.Timeout(connect=t.connect, read=max(t.read, t.first_byte), write=t.write,
                             pool=t.pool)

    def _stalled(self, *, started: bool) -> FreechatError:
        cls = StreamInterrupted if started else NetworkError
        return cls(
            f"no data for {self.timeouts.read:g} s", provider=self.spec.id,
            hint="the provider stalled; try again (timeouts.read in config sets the limit)",
        )

    def _redirect_error(self, response: httpx.Response) -> ProviderError:
        location = response.headers.get("location", "")
        return ProviderError(
            f"redirected ({response.status_code}) to {one_line(location, 120)}; not followed, "
            "so the key stays with the configured host", provider=self.spec.id,
            status=response.status_code, hint="check the provider's base URL",
        )

    def network_error(self, error: Exception, *, started: bool) -> FreechatError:
        """Convert an httpx exception; the original (which may hold a URL) is dropped."""
        name = self.spec.id
        if isinstance(error, httpx.ConnectTimeout | httpx.PoolTimeout):
            return NetworkError(
                f"could not connect within {self.timeouts.connect:g} s", provider=name,
                hint="check your network or the provider's status",
            )
        if isinstance(error, httpx.ReadTimeout):
            return self._stalled(started=started)
        if isinstance(error, httpx.ConnectError):
            return NetworkError(
                "could not connect", provider=name,
                hint=f"is {self.spec.name} reachable? check the base URL and your network",
            )
        if isinstance(error, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
            cls = StreamInterrupted if started else NetworkError
            return cls("connection lost", provider=name, hint="try again")
        if isinstance(error, httpx.DecodingError):
            return ProtocolError("the response could not be decoded", provider=name,
                                 hint="try again; check any proxy in between")
        return NetworkError(one_line(f"{type(error).__name__}: {error}"), provider=name,
                            hint="try again")

    @asynccontextmanager
    async def open_stream(
        self, method: str, url: str, *, json_body: Any = None,
        headers: Mapping[str, str] | None = None, expect_sse: bool = True,
    ) -> AsyncIterator[httpx.Response]:
        """Send the request and yield a response whose status and type have been checked.

        Non-2xx statuses and JSON bodies where SSE was expected are raised as typed errors
        before anything is parsed as a stream. Redirects are never followed (they could carry
        credentials to another host).
        """
        all_headers = {"Accept": "text/event-stream" if expect_sse else "application/json"}
        all_headers.update(self.auth_headers())
        all_headers.update(headers or {})
        request = self._client.build_request(
            method, url, json=json_body, headers=all_headers, timeout=self.httpx_timeout()
        )
        first_byte = self.timeouts.first_byte
        try:
            async with asyncio.timeout(first_byte):
                response = await self._client.send(request, stream=True, follow_redirects=False)
        except TimeoutError:
            raise NetworkError(
                f"no response within {first_byte:g} s", provider=self.spec.id,
                hint="the provider is busy or queueing; try again "
                "(timeouts.first_byte in config sets the limit)",
            ) from None
        except httpx.HTTPError as error:
            raise self.network_error(error, started=False) from None
        try:
            if response.is_redirect:
                raise self._redirect_error(response)
            if response.status_code >= 300:
                body = await self._read_bounded(response)
                raise self.error_from_response(
                    response.status_code, response.headers, body, response.reason_phrase
                )
            content_type = response.headers.get("content-type", "").lower()
            if expect_sse and "json" in content_type:
                raise await self._json_instead_of_stream(response)
            if "html" in content_type:  # a proxy, captive portal or wrong base URL
                raise ProtocolError(
                    f"got a web page ({response.status_code} {content_type.split(';')[0]}) "
                    "instead of a reply", provider=self.spec.id,
                    hint="check the base URL and any proxy or Wi-Fi login in between",
                )
            yield response
        finally:
            await response.aclose()

    async def _json_instead_of_stream(self, response: httpx.Response) -> FreechatError:
        """A JSON body where a stream was asked for: an error body (typed by its own code when
        the status says 200), or something that is no reply at all. Never fed to the parser."""
        body = await self._read_bounded(response)
        try:
            payload = json.loads(body.decode("utf-8", "replace"))
        except ValueError:
            payload = None
        if response.status_code < 300 and extract_error(payload)[0] is None:
            return ProtocolError(
                "the provider answered with a JSON document, not a stream",
                provider=self.spec.id, hint="try again or pick another model",
            )
        return self.error_from_response(
            response.status_code, response.headers, body, response.reason_phrase
        )

    async def _read_bounded(self, response: httpx.Response, limit: int = MAX_ERROR_BODY,
                            *, strict: bool = False) -> bytes:
        """At most `limit` bytes of the body. Network errors end an error body quietly (the
        status already tells the story) unless `strict`."""
        body = bytearray()
        try:
            async with aclosing(self.iter_body(response)) as chunks:
                async for chunk in chunks:
                    body.extend(chunk)
                    if len(body) >= limit:
                        break
        except FreechatError:
            if strict:
                raise
        return bytes(body[:limit])

    async def read_body(self, response: httpx.Response) -> bytes:
        """A whole JSON document (a model list, a non-streamed reply): read in full, up to
        MAX_JSON_BODY, beyond which it is refused rather than cut (a cut is invalid JSON)."""
        limit = MAX_JSON_BODY
        body = await self._read_bounded(response, limit + 1, strict=True)
        if len(body) > limit:
            size = f"{limit >> 20} MiB" if limit >= 1 << 20 else f"{limit >> 10} KiB"
            raise ResponseTooLarge(
                f"response too large: a JSON document over {size}; stopped reading",
                provider=self.spec.id, hint="check the base URL",
            )
        return body

    async def iter_body(self, response: httpx.Response) -> AsyncIterator[bytes]:
        """Body chunks, with `timeouts.read` as the longest silence between two of them."""
        started = False
        async with aclosing(response.aiter_bytes()) as chunks:
            while True:
                try:
                    async with asyncio.timeout(self.timeouts.read):
                        chunk = await anext(chunks)
                except StopAsyncIteration:
                    return
                except TimeoutError:
                    raise self._stalled(started=started) from None
                except httpx.HTTPError as error:
                    raise self.network_error(error, started=started) from None
                started = True
                yield chunk

    async def iter_sse(
        self, response: httpx.Response
    ) -> AsyncIterator[SSEEvent | Waiting]:
        """SSE events from the body; comments become `Waiting` (keep-alives are activity)."""
        parser = SSEParser()
        async for chunk in self.iter_body(response):
            try:
                items = parser.feed(chunk)
            except ResponseTooLarge as error:
                error.provider = self.spec.id
                raise
            for item in items:
                if isinstance(item, SSEComment):
                    yield Waiting(item.text)
                else:
                    yield item
        parser.close()

    async def get_json(self, url: str, *, authenticated: bool = True) -> Any:
        headers = self.auth_headers() if authenticated else {}
        headers["Accept"] = "application/json"
        request = self._client.build_request("GET", url, headers=headers,
                                             timeout=self.httpx_timeout())
        try:
            response = await self._client.send(request, stream=True, follow_redirects=False)
        except httpx.HTTPError as error:
            raise self.network_error(error, started=False) from None
        try:
            if response.is_redirect:
                raise self._redirect_error(response)
            if response.status_code >= 300:
                raise self.error_from_response(
                    response.status_code, response.headers, await self._read_bounded(response),
                    response.reason_phrase,
                )
            body = await self.read_body(response)
        finally:
            await response.aclose()
        try:
            return json.loads(body)
        except ValueError:
            raise ProtocolError(
                "the provider sent a reply that is not JSON", provider=self.spec.id,
                hint="check the base URL",
            ) from None
