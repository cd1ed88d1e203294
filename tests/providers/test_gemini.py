"""Gemini native specifics: CRLF events sent byte by byte, no [DONE], thought parts, finish
reasons, the key only in `x-goog-api-key`, per-day vs per-minute quota, paged model list."""

from __future__ import annotations

import httpx
import pytest

from freechat.core.catalog import PROVIDERS
from freechat.core.errors import QuotaExhausted, RateLimited, StreamInterrupted
from freechat.core.events import Finished, ReasoningDelta, TextDelta, Usage
from freechat.core.providers.error_rules import next_midnight
from tests.fakes import gemini as gm
from tests.fakes.server import FakeResponse, split_bytes
from tests.providers.profiles import PROFILES
from tests.providers.test_contract import adapter_for, joined, run

GEMINI = PROFILES["gemini"]
PATH = GEMINI.chat_path()


def stream(events: list[bytes]) -> FakeResponse:
    return FakeResponse.sse(events)


async def test_crlf_events_sent_byte_by_byte_give_exact_text(fake_server):
    body = b"".join(gm.gemini_stream(["Hi 😀", " 漢字"], thoughts=["hmm"], completion_tokens=5))
    fake_server.route("POST", PATH, FakeResponse(steps=split_bytes(body, 1)))
    events, error = await run(GEMINI, fake_server)
    assert error is None
    assert joined(events, TextDelta) == "Hi 😀 漢字" and joined(events, ReasoningDelta) == "hmm"
    usage = [e for e in events if isinstance(e, Usage)][-1]
    assert usage == Usage(input_tokens=34, output_tokens=5, reasoning_tokens=10)


async def test_end_without_finish_reason_is_interrupted_and_keeps_text(fake_server):
    events = gm.gemini_stream(["partial", " more"])[:-1]  # drop the chunk with finishReason
    fake_server.route("POST", PATH, stream(events))
    got, error = await run(GEMINI, fake_server)
    assert isinstance(error, StreamInterrupted) and joined(got, TextDelta) == "partial"


async def test_signature_only_tail_part_is_ignored(fake_server):
    fake_server.route("POST", PATH, stream(gm.gemini_stream(["a", "b"], signature_tail=True)))
    got, error = await run(GEMINI, fake_server)
    assert error is None and joined(got, TextDelta) == "ab" and got[-1] == Finished("stop")


@pytest.mark.parametrize(("native", "reason"), [
    ("MAX_TOKENS", "length"), ("SAFETY", "content_filter"), ("RECITATION", "content_filter"),
    ("OTHER", "other"),
])
async def test_finish_reasons(fake_server, native, reason):
    fake_server.route("POST", PATH, stream(gm.gemini_stream(["x"], finish=native)))
    got, _ = await run(GEMINI, fake_server)
    assert got[-1] == Finished(reason)


async def test_blocked_prompt_is_a_content_filter_finish(fake_server):
    blocked = {"promptFeedback": {"blockReason": "SAFETY"},
               "usageMetadata": {"promptTokenCount": 8, "totalTokenCount": 8}}
    fake_server.route("POST", PATH, stream([gm.gemini_sse(blocked)]))
    got, error = await run(GEMINI, fake_server)
    assert error is None and got[-1] == Finished("content_filter")


async def test_error_event_mid_stream_keeps_the_partial(fake_server):
    events = [gm.gemini_sse(gm.gemini_chunk([{"text": "part one"}],
                                            usage=gm.usage_metadata(3, 2, None))),
              gm.gemini_sse(gm.OVERLOADED)]
    fake_server.route("POST", PATH, stream(events))
    got, error = await run(GEMINI, fake_server)
    assert joined(got, TextDelta) == "part one"
    assert error is not None and "overloaded" in error.message


async def test_per_day_quota_resets_at_pacific_midnight(fake_server):
    fake_server.route("POST", PATH, FakeResponse.json(gm.quota_error(gm.PER_DAY), 429))
    _, error = await run(GEMINI, fake_server)
    assert isinstance(error, QuotaExhausted) and error.scope == "day"
    assert error.resets_at is not None and error.retry_after == 23
    assert "Pacific" in (error.hint or "")


async def test_per_minute_quota_waits_the_retry_delay(fake_server):
    body = [gm.quota_error(gm.PER_MINUTE, value="10", delay="23s")]  # list-wrapped form
    fake_server.route("POST", PATH, FakeResponse.json(body, 429))
    _, error = await run(GEMINI, fake_server)
    assert type(error) is RateLimited and error.retry_after == 23 and error.scope == "minute"


async def test_model_without_free_tier_says_so(fake_server):
    fake_server.route("POST", PATH, FakeResponse.json(gm.quota_error(gm.PER_DAY, value="0"), 429))
    _, error = await run(GEMINI, fake_server)
    assert isinstance(error, QuotaExhausted) and "no free quota" in (error.hint or "")


def test_next_pacific_midnight_respects_daylight_saving():
    summer = 1782000000  # 2026-06-21, PDT (UTC-7)
    winter = 1796000000  # 2026-11-30, PST (UTC-8)
    assert next_midnight(summer, "America/Los_Angeles") % 86400 == 7 * 3600
    assert next_midnight(winter, "America/Los_Angeles") % 86400 == 8 * 3600
    assert 0 < next_midnight(winter, "America/Los_Angeles") - winter <= 86400
    assert next_midnight(winter) % 86400 == 0


async def test_thinking_config_only_for_thinking_models(fake_server):
    profile = GEMINI.__class__(**{**GEMINI.__dict__, "model": "gemma-3-27b-it"})
    fake_server.route("POST", profile.chat_path(), stream(gm.gemini_stream(["x"])))
    await run(profile, fake_server)
    assert "generationConfig" not in fake_server.requests[-1].json()


async def test_model_list_pages_and_sends_the_key_in_the_header_only(fake_server):
    pages = [
        FakeResponse.json({"models": gm.MODELS["models"][:5], "nextPageToken": "p2"}),
        FakeResponse.json({"models": gm.MODELS["models"][5:]}),
    ]
    fake_server.route("GET", "/v1beta/models", *pages)
    async with httpx.AsyncClient() as client:
        models = await adapter_for(GEMINI, fake_server, client).list_models()
    assert {m.ref.model for m in models} == gm.MODELS_FREE
    first, second = fake_server.requests[-2:]
    assert second.query["pageToken"] == ["p2"]
    for sent in (first, second):
        assert sent.headers["x-goog-api-key"] == GEMINI.key and "key" not in sent.query
    assert PROVIDERS["gemini"].tier == "free" and all(m.is_free for m in models)


async def test_a_json_array_reply_without_sse_is_accepted(fake_server):
    chunks = [gm.gemini_chunk([{"text": "think", "thought": True}],
                              usage=gm.usage_metadata(5, None, 3)),
              gm.gemini_chunk([{"text": "Array ✓"}], usage=gm.usage_metadata(5, 2, 3),
                              finish="STOP")]
    fake_server.route("POST", PATH, FakeResponse.json(chunks))
    got, error = await run(GEMINI, fake_server)
    assert error is None
    assert joined(got, TextDelta) == "Array ✓" and joined(got, ReasoningDelta) == "think"
    assert Usage(5, 2, 3) in got and got[-1] == Finished("stop")


async def test_a_list_wrapped_error_with_status_200_is_still_an_error(fake_server):
    fake_server.route("POST", PATH, FakeResponse.json([gm.quota_error(gm.PER_DAY)], 200))
    got, error = await run(GEMINI, fake_server)
    assert got == [] and isinstance(error, QuotaExhausted)
