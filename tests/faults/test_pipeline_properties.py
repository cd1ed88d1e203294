"""P4: the whole byte path is chunking-invariant. The fake server sends the same reply split at
random points (inside UTF-8 sequences, inside CRLFs) with the text cut into deltas at random
UTF-16 positions (so surrogate pairs arrive in halves, escaped as \\udXXX); the reply that
Runtime → adapter → ChatSession assembles is always exactly the original text."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.fakes.openai_stream import DONE, KEEPALIVE, openrouter_chunk
from tests.fakes.server import FakeProviderServer, FakeResponse, Send
from tests.faults.conftest import drive


@pytest.fixture(scope="module")
def server() -> Iterator[FakeProviderServer]:
    with FakeProviderServer() as fake:
        yield fake


@pytest.fixture(scope="module")
def module_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("p4-home")


def delta_bytes(text: str, ascii_json: bool) -> bytes:
    payload = json.dumps(openrouter_chunk(content=text), ensure_ascii=ascii_json,
                         separators=(",", ":"))
    return f"data: {payload}\n\n".encode()


@st.composite
def replies(draw) -> tuple[str, bytes]:
    text = draw(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=60))
    assume(not text.lstrip().startswith("<"))  # a leading <think> block is reasoning, not text
    units = text.encode("utf-16-le")
    cuts = draw(st.lists(st.integers(0, len(units) // 2), max_size=8))
    bounds = [0, *sorted(set(cuts)), len(units) // 2]
    events = [KEEPALIVE] if draw(st.booleans()) else []
    for a, b in itertools.pairwise(bounds):
        if a == b:
            continue
        piece = units[2 * a:2 * b].decode("utf-16-le", "surrogatepass")
        lone = any("\ud800" <= c <= "\udfff" for c in piece)
        # A half pair can only travel JSON-escaped; whole text may go as raw UTF-8.
        events.append(delta_bytes(piece, ascii_json=lone or draw(st.booleans())))
    events += [delta_bytes("", True).replace(b'"finish_reason":null', b'"finish_reason":"stop"'),
               DONE]
    raw = b"".join(events)
    if draw(st.booleans()):
        raw = raw.replace(b"\n", b"\r\n")
    return text, raw


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(reply=replies(), cuts=st.lists(st.integers(min_value=0, max_value=10**6), max_size=30))
def test_P4_final_text_is_independent_of_chunking(server, module_home, reply, cuts):
    text, raw = reply
    points = sorted({c % (len(raw) + 1) for c in cuts})
    chunks = [raw[a:b] for a, b in itertools.pairwise([0, *points, len(raw)]) if b > a]
    server.route("POST", "/chat/completions",
                 FakeResponse(200, {"content-type": "text/event-stream"},
                              [Send(c) for c in chunks]))
    outcome = asyncio.run(drive(server.url, module_home))
    assert outcome.error is None, outcome.error
    assert outcome.reply.text == text
    assert outcome.reply.status == "complete"
    outcome.reply.text.encode("utf-8")
