"""Quota test helpers: a fake clock whose `sleep` moves time, and adapters on the fake server."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest

from freechat.core.catalog import PROVIDERS
from freechat.core.config import Timeouts
from freechat.core.providers import build_adapter
from freechat.core.providers.base import HTTPAdapter
from freechat.core.quota import QuotaBook
from freechat.core.quota_limits import LimitsTable
from freechat.core.secret import Secret

T0 = 1_790_000_000.0  # 2026-09-21T14:13:20Z


class FakeClock:
    """Wall-clock seconds that only move when told to (or when someone sleeps)."""

    def __init__(self, start: float = T0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_book(tmp_path: Path, clock: FakeClock):
    def make(quota_config: dict | None = None, *, path: Path | None = None) -> QuotaBook:
        return QuotaBook(LimitsTable.default(quota_config), path or tmp_path / "quota.json",
                         clock=clock)

    return make


@pytest.fixture
async def http_client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


def adapter_for(provider: str, url: str, client: httpx.AsyncClient,
                key: str | None = "sk-test-0123456789abcdef",
                clock: Callable[[], float] = time.time) -> HTTPAdapter:
    spec = PROVIDERS[provider]
    return build_adapter(spec, base_url=url, key=Secret(key) if key else None, client=client,
                         timeouts=Timeouts(connect=2, read=2, write=2, pool=2), clock=clock)
