"""A fake provider: a real HTTP/1.1 server on 127.0.0.1, driven by data.

Each route maps (method, path) to a `FakeResponse` (or a queue of them, or a function of the
request). A response is a status, headers and a list of steps: `Send(bytes)` writes one chunk
(chunked transfer encoding, flushed at once), `Sleep(s)` pauses, `Abort()` resets the TCP
connection, `Hang(s)` stalls before the headers. Every request is recorded, so tests can
assert on what freechat sent. The server runs its own event loop in a thread, so in-process
async tests, Pilot tests and `freechat` subprocesses can all talk to it.

Provider modules in this folder build the exact bytes each provider sends (see
`../shared/providers/`); this module only moves bytes.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class Send:
    data: bytes


@dataclass(frozen=True)
class Sleep:
    seconds: float


@dataclass(frozen=True)
class Abort:
    """Reset the connection (transport.abort()) mid-body."""


@dataclass(frozen=True)
class CloseMidBody:
    """Close the socket cleanly but without the chunked terminator."""


Step = Send | Sleep | Abort | CloseMidBody


@dataclass
class FakeResponse:
    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: {"content-type": "text/event-stream"})
    steps: list[Step] = field(default_factory=list)
    chunked: bool = True
    hang_before_headers: float = 0.0  # seconds of silence before anything is sent

    @classmethod
    def json(cls, payload: Any, status: int = 200, headers: dict[str, str] | None = None):
        body = json.dumps(payload).encode()
        return cls(status, {"content-type": "application/json", **(headers or {})},
                   [Send(body)], chunked=False)

    @classmethod
    def text(cls, body: str, status: int, content_type: str = "text/html",
             headers: dict[str, str] | None = None):
        return cls(status, {"content-type": content_type, **(headers or {})},
                   [Send(body.encode())], chunked=False)

    @classmethod
    def sse(cls, events: Iterable[bytes], headers: dict[str, str] | None = None,
            delay: float = 0.0, status: int = 200):
        steps: list[Step] = []
        for event in events:
            if delay:
                steps.append(Sleep(delay))
            steps.append(Send(event))
        return cls(status, {"content-type": "text/event-stream", **(headers or {})}, steps)


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    received_at: float = field(default_factory=time.monotonic)  # for "no request before N s"

    @property
    def raw_target(self) -> str:
        return self.path

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


Handler = FakeResponse | Callable[[RecordedRequest], FakeResponse]


def split_bytes(data: bytes, size: int) -> list[Step]:
    """Send `data` `size` bytes at a time (1 = byte by byte)."""
    return [Send(data[i : i + size]) for i in range(0, len(data), size)]


class FakeProviderServer:
    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = 0
        self.requests: list[RecordedRequest] = []
        self.disconnects = 0
        self._routes: dict[tuple[str, str], deque[Handler] | Handler] = {}
        self._patterns: list[tuple[str, re.Pattern[str], Handler]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.AbstractServer | None = None
        self._ready = threading.Event()
        self._lock = threading.Lock()

    # --- configuration -------------------------------------------------------------------
    def route(self, method: str, path: str, *responses: Handler) -> None:
        """Serve `responses` in turn for (method, path); the last one repeats."""
        with self._lock:
            self._routes[(method.upper(), path)] = (
                deque(responses) if len(responses) > 1 else responses[0]
            )

    def route_pattern(self, method: str, pattern: str, handler: Handler) -> None:
        with self._lock:
            self._patterns.append((method.upper(), re.compile(pattern), handler))

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # --- lifecycle -----------------------------------------------------------------------
    def start(self) -> FakeProviderServer:
        self._thread = threading.Thread(target=self._run, name="fake-provider", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("fake provider server did not start")
        return self

    def stop(self) -> None:
        if self._loop and self._server:
            async def shutdown() -> None:
                assert self._server is not None
                self._server.close()
                for task in asyncio.all_tasks():
                    if task is not asyncio.current_task():
                        task.cancel()

            asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(5)
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread:
            self._thread.join(5)

    def __enter__(self) -> FakeProviderServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._handle, self.host, 0, limit=1 << 22)
        )
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            self._loop.close()

    # --- serving -------------------------------------------------------------------------
    def _pick(self, request: RecordedRequest) -> FakeResponse:
        with self._lock:
            handler = self._routes.get((request.method, request.path))
            if isinstance(handler, deque):
                handler = handler.popleft() if len(handler) > 1 else handler[0]
            if handler is None:
                for method, pattern, candidate in self._patterns:
                    if method == request.method and pattern.fullmatch(request.path):
                        handler = candidate
                        break
        if handler is None:
            return FakeResponse.json({"error": {"message": "not found", "code": 404}}, 404)
        return handler(request) if callable(handler) else handler

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                if ":" in line:
                    name, value = line.split(":", 1)
                    headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length", "0") or 0)
            body = await reader.readexactly(length) if length else b""
            parts = urlsplit(target)
            request = RecordedRequest(method.upper(), parts.path, parse_qs(parts.query),
                                      headers, body)
            self.requests.append(request)
            response = self._pick(request)
            await self._respond(writer, response)
        except (ConnectionError, asyncio.IncompleteReadError):
            self.disconnects += 1
        except asyncio.CancelledError:
            # Server shutdown while a response sleeps: drop the connection quietly (re-raising
            # only makes asyncio log a "CancelledError in callback" at teardown).
            writer.transport.abort()
        finally:
            if not writer.transport.is_closing():
                writer.close()

    async def _respond(self, writer: asyncio.StreamWriter, response: FakeResponse) -> None:
        if response.hang_before_headers:
            await asyncio.sleep(response.hang_before_headers)
        try:
            reason = HTTPStatus(response.status).phrase
        except ValueError:
            reason = "Unknown"
        head = [f"HTTP/1.1 {response.status} {reason}"]
        head += [f"{k}: {v}" for k, v in response.headers.items()]
        if response.chunked:
            head.append("transfer-encoding: chunked")
        else:
            size = sum(len(s.data) for s in response.steps if isinstance(s, Send))
            head.append(f"content-length: {size}")
        head.append("connection: close")
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        await writer.drain()
        for step in response.steps:
            if isinstance(step, Sleep):
                await asyncio.sleep(step.seconds)
            elif isinstance(step, Abort):
                writer.transport.abort()
                return
            elif isinstance(step, CloseMidBody):
                writer.close()
                return
            elif response.chunked:
                if step.data:
                    writer.write(b"%x\r\n%s\r\n" % (len(step.data), step.data))
                    await writer.drain()
            else:
                writer.write(step.data)
                await writer.drain()
        if response.chunked:
            writer.write(b"0\r\n\r\n")
        await writer.drain()
