"""What every adapter shares: the request type, the HTTP plumbing and error mapping.

An adapter speaks one wire protocol. `stream_chat` yields stream events (core/events.py) and
raises a typed FreechatError for any other ending. Provider and httpx exceptions are converted
here, at the boundary, `from None`, with every message passed through `redact()`: a traceback
or a message shown to the user must never carry a key.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import aclosing, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from freechat.core.catalog import ProviderSpec
from freechat.core.config import Timeouts
from freechat.core.errors import (
    FreechatError,
    NetworkError,
    ProtocolError,
    ProviderError,
    ResponseTimeout,
    ResponseTooLarge,
    StreamInterrupted,
)
from freechat.core.events import StreamEvent, Waiting
from freechat.core.models import ChatMessage, ModelInfo
from freechat.core.providers.error_map import (
    error_from_response,
    extract_error,
    one_line,
)
from freechat.core.secret import Secret
from freechat.core.sse import SSEComment, SSEEvent, SSEParser

MAX_ERROR_BODY = 64 * 1024
MAX_JSON_BODY = 32 << 20  # model lists are large; anything bigger is not one
Clock = Callable[[], float]


@dataclass(frozen=True)
class ChatRequest:
    model: str
    messages: Sequence[ChatMessage]
    max_tokens: int | None = None
    temperature: float | None = None


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
            raise ResponseTimeout(
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
        """Body chunks, with `timeouts.read` as the longest silence between two of them:
        httpcore times each body read with the request's read timeout, looked up when the
        body is first read, so it is tightened from first_byte (httpx_timeout) to read here.
        (An asyncio.timeout per chunk cost ~8 µs a chunk.)"""
        limits = response.request.extensions.get("timeout")
        if isinstance(limits, dict):
            limits["read"] = self.timeouts.read
        started = False
        async with aclosing(response.aiter_bytes()) as chunks:
            try:
                async for chunk in chunks:
                    started = True
                    yield chunk
            except httpx.ReadTimeout:
                raise self._stalled(started=started) from None
            except httpx.HTTPError as error:
                raise self.network_error(error, started=started) from None

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
