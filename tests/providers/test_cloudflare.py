"""Cloudflare Workers AI specifics: the account id (required, never guessed), both event
shapes on the native path, a whole JSON reply, 3036 (daily neurons), paged model search."""

from __future__ import annotations

import httpx

from freechat.core.catalog import PROVIDERS
from freechat.core.errors import MissingKey, QuotaExhausted, StreamInterrupted
from freechat.core.events import Finished, TextDelta, Usage
from freechat.core.models import ChatMessage
from freechat.core.providers import build_adapter
from freechat.core.providers.base import ChatRequest
from freechat.core.secret import Secret
from tests.fakes import cloudflare as cf
from tests.fakes.server import FakeResponse
from tests.providers.profiles import ACCOUNT, PROFILES
from tests.providers.test_contract import adapter_for, joined, run

CF = PROFILES["cloudflare"]
OLD_MODEL = "@cf/meta/llama-3.1-8b-instruct"
OLD = CF.__class__(**{**CF.__dict__, "model": OLD_MODEL})


async def test_response_events_stream_exact_text_and_usage(fake_server):
    fake_server.route("POST", OLD.chat_path(), FakeResponse.sse(
        cf.response_stream(["Hello", " 😀 世界"], prompt_tokens=755, completion_tokens=10)))
    events, error = await run(OLD, fake_server)
    assert error is None and joined(events, TextDelta) == "Hello 😀 世界"
    assert [e for e in events if isinstance(e, Usage)][-1] == Usage(755, 10)
    assert events[-1] == Finished("stop")
    assert fake_server.requests[-1].path == (
        f"/client/v4/accounts/{ACCOUNT}/ai/run/@cf/meta/llama-3.1-8b-instruct")


async def test_response_events_without_done_are_interrupted(fake_server):
    fake_server.route("POST", OLD.chat_path(), FakeResponse.sse(
        cf.response_stream(["cut"], done=False)))
    events, error = await run(OLD, fake_server)
    assert isinstance(error, StreamInterrupted) and joined(events, TextDelta) == "cut"


async def test_a_whole_json_reply_is_accepted(fake_server):
    reply = {"result": {"response": "Whole reply ✓", "usage": {
        "prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8}},
        "success": True, "errors": [], "messages": []}
    fake_server.route("POST", OLD.chat_path(), FakeResponse.json(reply))
    events, error = await run(OLD, fake_server)
    assert error is None and joined(events, TextDelta) == "Whole reply ✓"
    assert Usage(5, 3) in events and events[-1] == Finished("stop")


async def test_missing_account_id_is_a_missing_key_before_any_request(fake_server):
    async with httpx.AsyncClient() as client:
        adapter = build_adapter(PROVIDERS["cloudflare"], base_url=CF.base_url(fake_server),
                                key=Secret(CF.key), client=client, environ={})
        request = ChatRequest(model=OLD_MODEL, messages=[ChatMessage("user", "hi")])
        try:
            async for _ in adapter.stream_chat(request):
                pass
        except MissingKey as error:
            assert "CLOUDFLARE_ACCOUNT_ID" in (error.hint or "")
        else:
            raise AssertionError("expected MissingKey")
    assert fake_server.requests == []


async def test_freechat_account_variable_wins(fake_server):
    fake_server.route_pattern("POST", r"/client/v4/accounts/[^/]+/ai/run/.*",
                              FakeResponse.sse(cf.response_stream(["ok"])))
    async with httpx.AsyncClient() as client:
        adapter = build_adapter(
            PROVIDERS["cloudflare"], base_url=CF.base_url(fake_server), key=Secret(CF.key),
            client=client, environ={"CLOUDFLARE_ACCOUNT_ID": "plain",
                                    "FREECHAT_CLOUDFLARE_ACCOUNT_ID": "preferred"})
        request = ChatRequest(model=OLD_MODEL, messages=[ChatMessage("user", "hi")])
        [event async for event in adapter.stream_chat(request)]
    assert fake_server.requests[-1].path.startswith("/client/v4/accounts/preferred/")


async def test_daily_neurons_used_up_resets_at_utc_midnight(fake_server):
    fake_server.route("POST", OLD.chat_path(), FakeResponse.json(cf.DAILY_NEURONS, 429))
    _, error = await run(OLD, fake_server)
    assert isinstance(error, QuotaExhausted) and error.scope == "day"
    assert error.resets_at is not None and error.resets_at % 86400 == 0
    assert "00:00 UTC" in (error.hint or "")


async def test_model_search_is_paged_and_filtered(fake_server):
    first = cf.search_page(cf.MODELS[:2], page=1, total=4, per_page=2)
    second = cf.search_page(cf.MODELS[2:], page=2, total=4, per_page=2)
    fake_server.route("GET", CF.models_path(), FakeResponse.json(first),
                      FakeResponse.json(second))
    async with httpx.AsyncClient() as client:
        models = await adapter_for(CF, fake_server, client).list_models()
    tiers = {m.ref.model: m.tier for m in models}
    assert tiers == {"@cf/meta/llama-3.1-8b-instruct-fp8-fast": "free",
                     "@cf/openai/gpt-oss-120b": "free", "@cf/moonshotai/kimi-k2.6": "paid"}
    pages = [r.query for r in fake_server.requests]
    assert pages[0]["task"] == ["Text Generation"] and pages[1]["page"] == ["2"]
