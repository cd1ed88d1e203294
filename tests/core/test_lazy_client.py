"""LazyClient: the HTTP client is made on first use (once, also from threads), and closing
one that was never made makes nothing."""

from __future__ import annotations

import threading

import httpx

from freechat.core.lazy_client import LazyClient


class Counting:
    def __init__(self) -> None:
        self.made = 0

    def __call__(self) -> httpx.AsyncClient:
        self.made += 1
        return httpx.AsyncClient()


async def test_made_on_first_use_and_forwarded() -> None:
    factory = Counting()
    client = LazyClient(factory)
    assert factory.made == 0 and not client.is_closed
    assert client.follow_redirects is False  # attribute access makes it
    assert factory.made == 1
    await client.aclose()
    assert client.is_closed


async def test_warm_from_many_threads_makes_one_client() -> None:
    factory = Counting()
    client = LazyClient(factory)
    threads = [threading.Thread(target=client.warm) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert factory.made == 1
    await client.aclose()


async def test_closing_an_unused_client_makes_none() -> None:
    factory = Counting()
    client = LazyClient(factory)
    await client.aclose()
    client.warm()
    assert factory.made == 0 and client.is_closed
