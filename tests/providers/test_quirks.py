"""Single-provider quirks the contract suite does not cover on its own."""

from __future__ import annotations

from freechat.core.errors import ModelUnavailable
from freechat.core.events import Finished, Meta, TextDelta, Usage
from tests.fakes.openai_stream import DONE, openrouter_chunk, openrouter_usage, sse
from tests.fakes.server import FakeResponse
from tests.providers.profiles import PROFILES
from tests.providers.test_contract import joined, run


def _chunk(delta: dict, finish: str | None = None, **extra) -> dict:
    return {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1,
            "model": "llama-3.1-8b-instant",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}


async def test_groq_usage_only_in_x_groq_is_read(fake_server):
    groq = PROFILES["groq"]
    usage = {"prompt_tokens": 7, "completion_tokens": 2, "total_tokens": 9}
    fake_server.route("POST", groq.chat_path(), FakeResponse.sse([
        sse(_chunk({"role": "assistant", "content": "hi"})),
        sse(_chunk({}, "stop", x_groq={"id": "req_1", "usage": usage})), DONE]))
    events, error = await run(groq, fake_server)
    assert error is None and Usage(7, 2) in events


async def test_cerebras_separate_usage_chunk_with_time_info(fake_server):
    cerebras = PROFILES["cerebras"]
    fake_server.route("POST", cerebras.chat_path(), FakeResponse.sse([
        sse(_chunk({"content": "x"})), sse(_chunk({}, "length")),
        sse({"id": "c", "choices": [], "usage": {"prompt_tokens": 4, "completion_tokens": 1},
             "time_info": {"total_time": 0.1}}), DONE]))
    events, _ = await run(cerebras, fake_server)
    assert Usage(4, 1) in events and events[-1] == Finished("length")


async def test_openrouter_usage_chunk_repeating_the_finish_reason_ends_once(fake_server):
    openrouter = PROFILES["openrouter"]
    fake_server.route("POST", openrouter.chat_path(), FakeResponse.sse([
        sse(openrouter_chunk(content="a")), sse(openrouter_chunk(content="", finish="stop")),
        sse(openrouter_chunk(content="", finish="stop", usage=openrouter_usage(3, 1))), DONE]))
    events, _ = await run(openrouter, fake_server)
    assert [e for e in events if isinstance(e, Finished)] == [Finished("stop")]
    assert joined(events, TextDelta) == "a"
    assert next(e for e in events if isinstance(e, Meta)).upstream_provider == "Chutes"


async def test_openrouter_generation_id_header_is_the_generation_id(fake_server):
    openrouter = PROFILES["openrouter"]
    fake_server.route("POST", openrouter.chat_path(), FakeResponse.sse(
        openrouter.stream(["a"], [], 1, 1), headers={"X-Generation-Id": "gen-hdr-1"}))
    events, _ = await run(openrouter, fake_server)
    assert [e for e in events if isinstance(e, Meta)][-1].generation_id == "gen-hdr-1"


async def test_a_vanished_free_model_suggests_another_free_one(fake_server):
    openrouter = PROFILES["openrouter"]
    fake_server.route("POST", openrouter.chat_path(), FakeResponse.json(
        {"error": {"code": 404, "message": "No endpoints found for "
                   "deepseek/deepseek-r1:free."}, "user_id": "user_1"}, 404))
    _, error = await run(openrouter, fake_server)
    assert isinstance(error, ModelUnavailable)
    assert "try openrouter/" in (error.hint or "") and ":free" in (error.hint or "")
