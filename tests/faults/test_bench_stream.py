"""Benchmark (run explicitly: `pytest tests/faults -m bench -s`): the byte path of a
2,000-token reply from the fake server through Runtime → adapter → ChatSession, sent as one
chunk per event and as 4 KiB network-sized chunks. PERFORMANCE.md's baseline for raw httpx
reading the same SSE is ≈30–34 ms."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.fakes import faults
from tests.fakes.server import FakeResponse, Send, split_bytes
from tests.faults.conftest import drive

pytestmark = pytest.mark.bench


@pytest.fixture(autouse=True)
def only_when_asked(request: pytest.FixtureRequest) -> None:
    if "bench" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("benchmark: run with -m bench")


def test_bench_2000_token_reply(fake_server, home):
    tokens = [f" tok{i}" for i in range(2000)]
    events = faults.stream(tokens)
    shapes = {"one chunk per event": [Send(e) for e in events],
              "4 KiB chunks": split_bytes(b"".join(events), 4096)}
    for name, steps in shapes.items():
        fake_server.route("POST", "/chat/completions",
                          FakeResponse(200, {"content-type": "text/event-stream"}, steps))
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            outcome = asyncio.run(drive(fake_server.url, home))
            best = min(best, time.perf_counter() - start)
            assert outcome.reply.text == "".join(tokens)
        print(f"\n2,000-token reply, {name}: {best * 1000:.0f} ms (incl. the fake server)")
        assert best < 10  # generous: a sanity bound, not a performance target
