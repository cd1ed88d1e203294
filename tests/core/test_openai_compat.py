"""The OpenAI-compatible adapter against the real fake server: text, usage in all four
placements, reasoning in every field, provenance, finish reasons, in-band and HTTP errors."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from freechat.core.catalog import PROVIDERS
from freechat.core.config import Timeouts
from freechat.core.errors import (
    AuthError,
    ContextTooLong,
    FreechatError,
    ModelUnavailable,
    OutOfCredit,
    ProtocolError,
    ProviderError,
    QuotaExhausted,
    RateLimited,
    StreamInterrupted,
)
from freechat.core.events import Finished, Meta, ReasoningDelta, TextDelta, Usage, Waiting
from freechat.core.models import ChatMessage
from freechat.core.providers import build_adapter
from freechat.core.providers.base import ChatRequest
from freechat.core.secret import Secret
from tests.conftest import TEST_KEY
from tests.fakes.openai_stream import (
    DONE,
    openai_chunk,
    openai_stream,
    openrouter_error_chunk,
    openrouter_stream,
    sse,
)
from tests.fakes.server import FakeProviderServer, FakeResponse

REQUEST = ChatRequest(model="deepseek/deepseek-r1:free", messages=[ChatMessage("user", "hi")])


async def collect(server: FakeProviderServer, provider: str = "openrouter",
                  timeouts: Timeouts | None = None) -> tuple[list[Any], FreechatError | None]:
    events: list[Any] = []
    async with httpx.AsyncClient() as client:
        adapter = build_adapter(PROVIDERS[provider], base_url=server.url, key=Secret(TEST_KEY),
                                client=client, timeouts=timeouts)
        try:
            async for event in adapter.stream_chat(REQUEST):
                events.append(event)
        except FreechatError as error:
            return events, error
    return events, None


def text_of(events: list[Any]) -> str:
    return "".join(e.text for e in events if isinstance(e, TextDelta))


def reasoning_of(events: list[Any]) -> str:
    return "".join(e.text for e in events if isinstance(e, ReasoningDelta))


def usage_of(events: list[Any]) -> Usage | None:
    usages = [e for e in events if isinstance(e, Usage)]
    return usages[-1] if usages else None


async def test_openrouter_stream_text_reasoning_usage_meta(fake_server: FakeProviderServer):
    fake_server.route("POST", "/chat/completions", FakeResponse.sse(
        openrouter_stream(["# Title\n", "Hello, 世界 😀\n", "```py\nx = 1\n```"],
                          reasoning=["We need", " to think"], prompt_tokens=11,
                          completion_tokens=42),
        headers={"X-Generation-Id": "gen-abc"}))
    events, error = await collect(fake_server)
    assert error is None
    assert text_of(events) == "# Title\nHello, 世界 😀\n```py\nx = 1\n```"
    assert reasoning_of(events) == "We need to think"  # not doubled by reasoning_details
    assert usage_of(events) == Usage(11, 42, 0, 0.0)
    meta = next(e for e in events if isinstance(e, Meta))
    assert meta.upstream_provider == "Chutes" and meta.generation_id == "gen-abc"
    assert isinstance(events[-1], Finished) and events[-1].reason == "stop"
    assert any(isinstance(e, Waiting) for e in events)  # the keep-alive comments
    sent = fake_server.requests[0]
    assert sent.headers["authorization"] == f"Bearer {TEST_KEY}"
    body = sent.json()
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert body["messages"] == [{"role": "user", "content": "hi"}]


@pytest.mark.parametrize("placement", ["separate", "finish", "cumulative", "null"])
async def test_usage_in_all_four_placements(fake_server: FakeProviderServer, placement: str):
    fake_server.route("POST", "/chat/completions", FakeResponse.sse(
        openai_stream(["a", "b", "c"], usage_placement=placement, prompt_tokens=5,
                      completion_tokens=7)))
    events, error = await collect(fake_server, "openai")
    assert error is None and text_of(events) == "abc"
    assert usage_of(events) == Usage(5, 7)


@pytest.mark.parametrize(
    ("delta", "expected"),
    [
        ({"reasoning_content": "rc"}, "rc"),
        ({"reasoning": "r"}, "r"),
        ({"reasoning_details": [{"type": "reasoning.text", "text": "d1"},
                                {"type": "reasoning.summary", "summary": "d2"}]}, "d1d2"),
        ({"content": [{"type": "thinking", "thinking": [{"type": "text", "text": "mt"}]},
                      {"type": "text", "text": "ANSWER"}]}, "mt"),
    ],
)
async def test_reasoning_in_every_field(fake_server: FakeProviderServer, delta: dict[str, Any],
                                        expected: str):
    events = [sse(openai_chunk(None, role=True, extra_delta=delta)),
              sse(openai_chunk("ok")), sse(openai_chunk(None, finish="stop")), DONE]
    fake_server.route("POST", "/chat/completions", FakeResponse.sse(events))
    got, error = await collect(fake_server, "openai")
    assert error is None
    assert reasoning_of(got) == expected
    assert text_of(got).endswith("ok")


async def test_think_block_at_the_start_is_reasoning(fake_server: FakeProviderServer):
    parts = ["<thi", "nk>plan ", "it</th", "ink>\n\nThe answer", " is <think> literal"]
    events = [sse(openai_chunk(p)) for p in parts]
    events += [sse(openai_chunk(None, finish="stop")), DONE]
    fake_server.route("POST", "/chat/completions", FakeResponse.sse(events))
    got, error = await collect(fake_server, "fireworks")
    assert error is None
    assert reasoning_of(got) == "plan it"
    assert text_of(got) == "The answer is <think> literal"


async def test_surrogate_halves_split_across_deltas_are_joined(fake_server):
    raw = [b'data: {"choices":[{"index":0,"delta":{"content":"a\\ud83d"}}]}\n\n',
           b'data: {"choices":[{"index":0,"delta":{"content":"\\ude00b\\udcaf"}}]}\n\n',
           b'data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n', DONE]
    fake_server.route("POST", "/chat/completions", FakeResponse.sse(raw))
    got, error = await collect(fake_server, "openai")
    assert error is None
    assert text_of(got) == "a😀b\ufffd"
    text_of(got).encode("utf-8")  # never a UnicodeEncodeError downstream


@pytest.mark.parametrize("reason", ["length", "content_filter", "tool_calls"])
async def test_finish_reasons_are_reported(fake_server: FakeProviderServer, reason: str):
    fake_server.route("POST", "/chat/completions", FakeResponse.sse(
        openrouter_stream(["partial"], finish=reason)))
    got, error = await collect(fake_server)
    assert error is None and got[-1] == Finished(reason)


async def test_finish_without_done_is_complete_but_neither_is_interrupted(fake_server):
    fake_server.route("POST", "/chat/completions",
                      FakeResponse.sse(openrouter_stream(["x"], done=False)))
    got, error = await collect(fake_server)
    assert error is None and got[-1] == Finished("stop")
    fake_server.route("POST", "/chat/completions",
                      FakeResponse.sse([sse(openai_chunk("half"))]))
    got, error = await collect(fake_server, "openai")
    assert isinstance(error, StreamInterrupted) and text_of(got) == "half"


@pytest.mark.parametrize("code", [502, "server_error"])
async def test_inband_error_chunk_is_an_error_after_partial_text(fake_server, code):
    events = openrouter_stream(["Part"], done=False)[:4]
    events += [sse(openrouter_error_chunk("Provider disconnected unexpectedly", code)), DONE]
    fake_server.route("POST", "/chat/completions", FakeResponse.sse(events))
    got, error = await collect(fake_server)
    assert text_of(got) == "Part"
    assert isinstance(error, ProviderError)
    assert "Provider disconnected unexpectedly" in error.message


async def test_inband_error_with_null_finish_reason_as_recorded(fake_server):
    chunk = openrouter_error_chunk("Token limit reached", 400, finish=None)
    fake_server.route("POST", "/chat/completions", FakeResponse.sse([sse(chunk), DONE]))
    _, error = await collect(fake_server)
    assert isinstance(error, ProviderError) and "Token limit reached" in error.message


OPENROUTER_ERRORS = [
    (401, {"error": {"message": "No auth credentials found", "code": 401}}, AuthError),
    (403, {"error": {"message": "Key limit exceeded (weekly limit).", "code": 403}},
     QuotaExhausted),
    (402, {"error": {"message": "Insufficient credits.", "code": 402}}, OutOfCredit),
    (404, {"error": {"code": 404, "message": "No endpoints found for x:free."},
           "user_id": "user_1"}, ModelUnavailable),
    (400, {"error": {"code": 400, "message": "This endpoint's maximum context length is 8 "
                     "tokens.", "metadata": {"error_type": "context_length_exceeded"}}},
     ContextTooLong),
    (429, {"error": {"message": "Rate limit exceeded: free-models-per-min.", "code": 429}},
     RateLimited),
    (429, {"error": {"message": "Rate limit exceeded: free-models-per-day. Add 10 credits",
                     "code": 429, "metadata": {"headers": {
                         "X-RateLimit-Limit": "50", "X-RateLimit-Remaining": "0",
                         "X-RateLimit-Reset": "1790812800000"}}}}, QuotaExhausted),
    (503, {"error": {"code": 503, "message": "overloaded",
                     "metadata": {"error_type": "provider_overloaded"}}}, ProviderError),
]


@pytest.mark.parametrize(("status", "body", "kind"), OPENROUTER_ERRORS)
async def test_http_errors_map_to_typed_errors(fake_server, status, body, kind):
    fake_server.route("POST", "/chat/completions", FakeResponse.json(body, status))
    got, error = await collect(fake_server)
    assert got == [] and type(error) is kind
    assert body["error"]["message"].split(".")[0] in error.message


async def test_daily_quota_429_knows_when_it_resets(fake_server):
    fake_server.route("POST", "/chat/completions", FakeResponse.json(OPENROUTER_ERRORS[6][1],
                                                                     429))
    _, error = await collect(fake_server)
    assert isinstance(error, QuotaExhausted)
    assert error.scope == "day" and error.resets_at is not None


async def test_html_error_page_is_summarised(fake_server):
    page = "<!DOCTYPE html><html><body>" + "x" * 5000 + "</body></html>"
    fake_server.route("POST", "/chat/completions", FakeResponse.text(page, 502))
    _, error = await collect(fake_server)
    assert isinstance(error, ProviderError) and "502 Bad Gateway" in error.message
    assert "<html" not in error.one_line()


async def test_json_body_on_a_stream_request_is_not_parsed_as_sse(fake_server):
    fake_server.route("POST", "/chat/completions",
                      FakeResponse.json({"error": {"message": "bad thing", "code": 400}}, 200))
    _, error = await collect(fake_server)
    assert isinstance(error, ProtocolError | ProviderError) and "bad thing" in error.message


async def test_error_text_echoing_the_key_is_redacted(fake_server):
    body = {"error": {"message": f"Invalid header Authorization: Bearer {TEST_KEY}",
                      "code": 401}}
    fake_server.route("POST", "/chat/completions", FakeResponse.json(body, 401))
    _, error = await collect(fake_server)
    assert isinstance(error, AuthError)
    assert TEST_KEY not in error.one_line() and TEST_KEY not in repr(error.args)


def test_default_read_timeout_is_generous() -> None:
    assert Timeouts().read >= 120


async def test_model_list_marks_free_models(fake_server):
    models = {"data": [
        {"id": "deepseek/deepseek-r1:free", "name": "R1 (free)", "context_length": 163840,
         "pricing": {"prompt": "0", "completion": "0"}},
        {"id": "meta/llama-free-priced", "pricing": {"prompt": "0", "completion": "0"}},
        {"id": "openai/gpt-4o", "pricing": {"prompt": "0.0000025", "completion": "0.00001"}},
        {"id": "openrouter/auto", "pricing": {"prompt": "-1", "completion": "-1"}},
    ]}
    fake_server.route("GET", "/models", FakeResponse.json(models))
    async with httpx.AsyncClient() as client:
        adapter = build_adapter(PROVIDERS["openrouter"], base_url=fake_server.url, key=None,
                                client=client)
        listed = {str(m.ref): m for m in await adapter.list_models()}
    assert set(listed) == {"openrouter/deepseek/deepseek-r1:free",
                           "openrouter/meta/llama-free-priced", "openrouter/openai/gpt-4o"}
    assert listed["openrouter/deepseek/deepseek-r1:free"].is_free
    assert listed["openrouter/meta/llama-free-priced"].is_free
    assert not listed["openrouter/openai/gpt-4o"].is_free
    assert json.dumps(listed["openrouter/openai/gpt-4o"].to_json())
