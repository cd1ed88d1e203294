"""The byte-path faults on every provider's own wire format (tests/providers/profiles.py):
chunking invariance (F5/F8), a reset or an early end after part of the reply (F15/F17), and a
stall (F19). Whatever the provider, the partial text is kept and the error is typed."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from freechat.core.catalog import PROVIDERS
from freechat.core.config import Timeouts
from freechat.core.errors import FreechatError, StreamInterrupted
from freechat.core.events import Finished, TextDelta
from freechat.core.models import ChatMessage
from freechat.core.providers import build_adapter
from freechat.core.providers.base import ChatRequest
from freechat.core.secret import Secret
from tests.fakes.server import Abort, FakeProviderServer, FakeResponse, Send, Sleep, split_bytes
from tests.providers.profiles import ACCOUNT, PROFILES, Profile

TEXTS = ["Hé", "llo 😀", " wörld", " 漢字", " end."]


async def stream(profile: Profile, server: FakeProviderServer,
                 timeouts: Timeouts | None = None) -> tuple[list[Any], FreechatError | None]:
    events: list[Any] = []
    request = ChatRequest(model=profile.model, messages=[ChatMessage("user", "hi")])
    async with httpx.AsyncClient() as client:
        adapter = build_adapter(
            PROVIDERS[profile.id], base_url=profile.base_url(server),
            key=Secret(profile.key) if profile.key else None, client=client, timeouts=timeouts,
            environ={"CLOUDFLARE_ACCOUNT_ID": ACCOUNT},
        )
        try:
            async for event in adapter.stream_chat(request):
                events.append(event)
        except FreechatError as error:
            return events, error
    return events, None


def text(events: list[Any]) -> str:
    return "".join(e.text for e in events if isinstance(e, TextDelta))


def prefix(profile: Profile) -> list[bytes]:
    """The first events of a reply: some text, no finish marker."""
    events = profile.stream(TEXTS, [], 5, 7)
    return events[: max(2, len(events) // 2)]


def serve(server: FakeProviderServer, profile: Profile, steps: list[Any]) -> None:
    server.route("POST", profile.chat_path(),
                 FakeResponse(200, {"content-type": "text/event-stream"}, steps))


@pytest.mark.parametrize("pid", list(PROFILES))
def test_F5_F8_every_provider_is_chunking_invariant(pid, fake_server):
    profile = PROFILES[pid]
    raw = b"".join(profile.stream(TEXTS, [], 5, 7))
    serve(fake_server, profile, [Send(raw)])
    whole, error = asyncio.run(stream(profile, fake_server))
    assert error is None and text(whole) == "".join(TEXTS)
    for size in (1, 3):  # byte by byte, and splits inside every multi-byte character
        serve(fake_server, profile, split_bytes(raw, size))
        events, error = asyncio.run(stream(profile, fake_server))
        assert error is None, (size, error)
        assert text(events) == "".join(TEXTS)
        assert [e for e in events if isinstance(e, Finished)] == \
            [e for e in whole if isinstance(e, Finished)]


@pytest.mark.parametrize("pid", list(PROFILES))
def test_F15_F17_every_provider_keeps_partial_text(pid, fake_server):
    profile = PROFILES[pid]
    steps = [Send(e) for e in prefix(profile)]
    serve(fake_server, profile, steps)
    ended, early = asyncio.run(stream(profile, fake_server))
    serve(fake_server, profile, [*steps, Sleep(0.05), Abort()])
    reset, lost = asyncio.run(stream(profile, fake_server))
    partial = text(ended)
    assert partial and "".join(TEXTS).startswith(partial)
    assert text(reset) == partial
    assert isinstance(early, StreamInterrupted) and "ended early" in early.message
    assert isinstance(lost, StreamInterrupted) and "connection lost" in lost.message
    assert lost.provider == early.provider == pid


@pytest.mark.parametrize("pid", ["openrouter", "gemini", "cloudflare"])
def test_F19_every_wire_format_times_out_on_silence(pid, fake_server):
    profile = PROFILES[pid]
    serve(fake_server, profile, [*(Send(e) for e in prefix(profile)), Sleep(1.5)])
    events, error = asyncio.run(stream(profile, fake_server, Timeouts(read=0.3)))
    assert isinstance(error, StreamInterrupted) and "no data for 0.3 s" in error.message
    assert text(events)
