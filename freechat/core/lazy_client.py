"""An httpx.AsyncClient made on first use, so the app's first frame waits for neither httpx's
import nor its TLS context (~60 ms together on a 2-core machine).

`LazyClient(runtime.make_client)` stands wherever the client is passed: attribute access
makes the client (once, thread-safe) and forwards to it. `warm()` makes it ahead of use, from
a thread; `aclose()` closes it only if it was ever made.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


class LazyClient:
    def __init__(self, factory: Callable[[], Any]) -> None:
        self._factory = factory
        self._client: Any = None
        self._lock = threading.Lock()
        self._closed = False

    @property
    def client(self) -> Any:
        if self._client is None:
            with self._lock:
                if self._client is None:
                    if self._closed:
                        raise RuntimeError("the HTTP client is closed")
                    self._client = self._factory()
        return self._client

    def warm(self) -> None:
        if not self._closed:
            self.client  # noqa: B018 (made for its side effect)

    @property
    def is_closed(self) -> bool:
        return self._closed or (self._client is not None and self._client.is_closed)

    async def aclose(self) -> None:
        with self._lock:
            self._closed = True
            client = self._client
        if client is not None:
            await client.aclose()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)
