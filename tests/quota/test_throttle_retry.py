"""R1–R3, R5, R6 against the real fake server, with a fake clock (no real waiting)."""

from __future__ import annotations

import random
from email.utils import formatdate

import pytest

from freechat.core.errors import (
    AuthError,
    FreechatError,
    ModelUnavailable,
    ProviderError,
    QuotaExhausted,
    RateLimited,
    StreamInterrupted,
)
from freechat.core.models import ModelRef
from freechat.core.quota import QuotaBook
from freechat.core.retry import QuotaGuard, RetryBudget, RetryPolicy
from freechat.core.session import ChatSession, Reply
from freechat.core.throttle import Throttle, Throttled
from tests.fakes.openai_stream import openai_stream, openrouter_chunk, openrouter_stream, sse
from tests.fakes.server import Abort, FakeProviderServer, FakeResponse, Send
from tests.quota.conftest import FakeClock, adapter_for

FREE = ModelRef("openrouter", "deepseek/deepseek-r1:free")
CHAT = "/chat/completions"


def guard(book: QuotaBook, clock: FakeClock, **policy: object) -> QuotaGuard:
    rules = RetryPolicy(rng=random.Random(7), **policy)  # type: ignore[arg-type]
    return QuotaGuard(book, throttle=Throttle(book), policy=rules, sleep=clock.sleep)


async def ask(session: ChatSession, prompt: str = "hi") -> tuple[Reply, list[object]]:
    reply = Reply(session.model, 0.0)
    seen: list[object] = []
    try:
        async for event in session.send(prompt, reply):
            seen.append(event)
    except FreechatError:
        pass  # recorded on the reply
    return reply, seen


def session_on(server: FakeProviderServer, client, book, clock, ref=FREE, **policy):
    adapter = adapter_for(ref.provider, server.url, client, clock=clock)
    return ChatSession(ref, adapter, guard=guard(book, clock, **policy))


async def test_R1_never_more_than_the_rpm_in_any_minute(fake_server, http_client, make_book,
                                                         clock: FakeClock) -> None:
    fake_server.route("POST", CHAT, FakeResponse.sse(openrouter_stream(["ok"])))
    book = make_book({"openrouter": {"requests_per_minute": 20}})
    session = session_on(fake_server, http_client, book, clock)
    sent: list[float] = []
    original = session.adapter.stream_chat

    def counting(request):
        sent.append(clock.now)  # the moment a request leaves for the server
        return original(request)

    session.adapter.stream_chat = counting  # type: ignore[method-assign]
    waits: list[Throttled] = []
    start = clock.now
    for i in range(25):  # the user fires 25 prompts within 10 s
        clock.now = max(clock.now, start + i * 0.4)
        reply, seen = await ask(session, f"prompt {i}")
        assert reply.status == "complete"
        waits += [e for e in seen if isinstance(e, Throttled)]
    assert len(fake_server.requests) == 25 == len(sent)
    for t in sent:  # any 60 s window holds at most 20 (90 % headroom: 18)
        assert sum(1 for u in sent if t <= u < t + 60) <= 18
    assert waits and all(w.seconds > 0 and w.until > start for w in waits)
    assert "requests/minute" in waits[0].reason


async def test_R1_throttle_holds_across_concurrent_streams(fake_server, http_client, make_book,
                                                           clock: FakeClock) -> None:
    import asyncio

    fake_server.route("POST", CHAT, FakeResponse.sse(openrouter_stream(["ok"]), delay=0.01))
    book = make_book({"openrouter": {"requests_per_minute": 3}})  # 90 %: 2 per minute
    sessions = [session_on(fake_server, http_client, book, clock) for _ in range(2)]
    results = await asyncio.gather(*(ask(s) for s in sessions))
    assert all(r.status == "complete" for r, _ in results)
    assert len(book.request_times("openrouter", FREE.model, clock.now - 60)) == 2
    reply, seen = await ask(sessions[0])  # the third waits for the oldest to age out
    assert any(isinstance(e, Throttled) for e in seen) and reply.status == "complete"


@pytest.mark.parametrize("header", ["seconds", "http-date", "ms"])
async def test_R2_retry_after_is_honoured(header, fake_server, http_client, make_book,
                                          clock: FakeClock) -> None:
    headers = {"seconds": {"Retry-After": "7"},
               "http-date": {"Retry-After": formatdate(clock.now + 7, usegmt=True)},
               "ms": {"retry-after-ms": "7000"}}[header]
    limited = FakeResponse.json({"error": {"message": "Rate limit exceeded: free-models-per-min",
                                           "code": 429}}, 429, headers)
    fake_server.route("POST", CHAT, limited, FakeResponse.sse(openrouter_stream(["fine"])))
    book = make_book()
    reply, seen = await ask(session_on(fake_server, http_client, book, clock))
    assert reply.status == "complete" and reply.text == "fine"
    assert len(fake_server.requests) == 2
    retry = [e for e in seen if isinstance(e, Throttled)]
    assert len(retry) == 1 and retry[0].attempt == 1
    assert 5.5 <= clock.sleeps[0] <= 7.0  # HTTP-date has one-second resolution
    assert sum(clock.sleeps) <= 7.0  # no second wait: the throttle agrees with the header


async def test_R2_5xx_backoff_is_jittered_exponential_and_bounded(fake_server, http_client,
                                                                   make_book, clock) -> None:
    fake_server.route("POST", CHAT, FakeResponse.text("<html>Bad gateway</html>", 502))
    reply, seen = await ask(session_on(fake_server, http_client, make_book(), clock))
    assert isinstance(reply.error, ProviderError) and reply.error.status == 502
    assert len(fake_server.requests) == 3  # the request and at most 2 retries
    first, second = clock.sleeps
    assert 0 <= first <= 0.5 and 0 <= second <= 1.0
    assert [e.attempt for e in seen if isinstance(e, Throttled)] == [1, 2]


async def test_R2_long_retry_after_is_not_waited_for(fake_server, http_client, make_book,
                                                     clock) -> None:
    fake_server.route("POST", CHAT, FakeResponse.json(
        {"error": {"message": "Rate limit exceeded", "code": 429}}, 429, {"Retry-After": "120"}))
    reply, _ = await ask(session_on(fake_server, http_client, make_book(), clock))
    assert isinstance(reply.error, RateLimited) and reply.error.retry_after == 120
    assert len(fake_server.requests) == 1 and clock.sleeps == []


async def test_R2_retry_budget_is_shared_and_respected(fake_server, http_client, make_book,
                                                       clock) -> None:
    fake_server.route("POST", CHAT, FakeResponse.text("busy", 503))
    book = make_book()
    policy = RetryPolicy(budget=RetryBudget(ratio=0.0, initial=1.0), rng=random.Random(1))
    shared = QuotaGuard(book, throttle=Throttle(book), policy=policy, sleep=clock.sleep)
    for _ in range(3):
        adapter = adapter_for("openrouter", fake_server.url, http_client)
        await ask(ChatSession(FREE, adapter, guard=shared))
    assert len(fake_server.requests) == 4  # 3 requests, and the budget allowed one retry


async def test_R2_daily_quota_is_never_retried(fake_server, http_client, make_book,
                                               clock) -> None:
    reset = (int(clock.now) // 86400 + 1) * 86400  # the next UTC midnight
    body = {"error": {"message": "Rate limit exceeded: free-models-per-day. Add 10 credits to "
                      "unlock 1000 free model requests per day", "code": 429,
                      "metadata": {"headers": {"X-RateLimit-Limit": "50",
                                               "X-RateLimit-Remaining": "0",
                                               "X-RateLimit-Reset": str(reset * 1000)}}}}
    fake_server.route("POST", CHAT, FakeResponse.json(body, 429))
    book = make_book()
    reply, _ = await ask(session_on(fake_server, http_client, book, clock))
    assert isinstance(reply.error, QuotaExhausted)
    assert len(fake_server.requests) == 1 and clock.sleeps == []
    day = next(w for w in book.snapshot("openrouter").windows if w.name == "requests/day")
    assert (day.limit, day.remaining, day.source) == (50, 0, "reported")
    assert day.resets_at == reset


@pytest.mark.parametrize("fault", ["abort", "inband-429", "inband-502"])
async def test_R3_no_retry_after_the_stream_started(fault, fake_server, http_client, make_book,
                                                    clock) -> None:
    start = [sse(openrouter_chunk(content="Hello"))]
    if fault == "abort":
        steps = [Send(b) for b in start] + [Abort()]
        fake_server.route("POST", CHAT, FakeResponse(200, steps=steps))
    else:
        code = 429 if fault == "inband-429" else 502
        chunk = openrouter_chunk(content="", finish="error")
        chunk["error"] = {"code": code, "message": "Upstream trouble"}
        fake_server.route("POST", CHAT, FakeResponse.sse([*start, sse(chunk)]))
    reply, seen = await ask(session_on(fake_server, http_client, make_book(), clock))
    assert reply.text == "Hello" and reply.status == "incomplete"
    assert len(fake_server.requests) == 1 and clock.sleeps == []
    assert not any(isinstance(e, Throttled) for e in seen)
    if fault == "abort":
        assert isinstance(reply.error, StreamInterrupted)


@pytest.mark.parametrize(("status", "body", "kind"), [
    (401, {"error": {"message": "No auth credentials found", "code": 401}}, AuthError),
    (403, {"error": {"message": "Key limit exceeded (weekly limit)", "code": 403}}, RateLimited),
    (403, {"error": {"message": "Forbidden", "code": 403}}, AuthError),
    (400, {"error": {"message": "foo/bar is not a valid model ID", "code": 400}}, FreechatError),
    (404, {"error": {"message": "No endpoints found for x:free.", "code": 404}},
     ModelUnavailable),
])
async def test_R6_client_errors_are_never_retried(status, body, kind, fake_server, http_client,
                                                  make_book, clock) -> None:
    fake_server.route("POST", CHAT, FakeResponse.json(body, status))
    reply, _seen = await ask(session_on(fake_server, http_client, make_book(), clock))
    assert isinstance(reply.error, kind)
    assert len(fake_server.requests) == 1 and clock.sleeps == []


async def test_R5_rate_limit_headers_in_several_formats(fake_server, http_client, make_book,
                                                        clock) -> None:
    headers = {
        "x-ratelimit-limit-requests-day": "14400",
        "x-ratelimit-remaining-requests-day": "14100",
        "x-ratelimit-reset-requests-day": "33011.382867097855",  # float seconds
        "x-ratelimit-limit-tokens-minute": "60000",
        "x-ratelimit-remaining-tokens-minute": "59500",
        "x-ratelimit-reset-tokens-minute": "11.38s",  # Go duration
        "x-ratelimit-limit-requests-hour": "not a number",  # malformed: ignored
        "x-ratelimit-remaining-requests-minute": "-4",
        "x-ratelimit-reset-requests-minute": "soon-ish",
    }
    fake_server.route("POST", CHAT, FakeResponse.sse(openai_stream(["hi"]), headers=headers))
    ref = ModelRef("cerebras", "gpt-oss-120b")
    book = make_book()
    reply, _ = await ask(session_on(fake_server, http_client, book, clock, ref))
    assert reply.status == "complete"
    windows = {w.name: w for w in book.snapshot("cerebras", ref.model).windows}
    day, tokens = windows["requests/day"], windows["tokens/minute"]
    assert (day.limit, day.remaining, day.source) == (14400, 14100, "reported")
    assert day.resets_at == pytest.approx(clock.now + 33011.38, abs=1)
    assert (tokens.remaining, tokens.source) == (59500, "reported")
    assert windows["requests/minute"].source == "counted"  # the garbage did not replace it
    assert "requests/hour" not in windows


async def test_R5_groq_unsuffixed_headers_and_empty_window_holds_requests(
        fake_server, http_client, make_book, clock) -> None:
    headers = {"x-ratelimit-limit-requests": "1000", "x-ratelimit-remaining-requests": "999",
               "x-ratelimit-reset-requests": "1m26.4s", "x-ratelimit-limit-tokens": "6000",
               "x-ratelimit-remaining-tokens": "0", "x-ratelimit-reset-tokens": "7.66s"}
    fake_server.route("POST", CHAT, FakeResponse.sse(openai_stream(["a"]), headers=headers))
    ref = ModelRef("groq", "llama-3.1-8b-instant")
    book = make_book()
    session = session_on(fake_server, http_client, book, clock, ref)
    await ask(session)
    windows = {w.name: w for w in book.snapshot("groq", ref.model).windows}
    assert windows["requests/day"].remaining == 999  # Groq: unsuffixed requests are per day
    assert windows["tokens/minute"].remaining == 0
    reply, seen = await ask(session)  # tokens/minute is empty: wait for it, then go
    held = [e for e in seen if isinstance(e, Throttled)]
    assert held and held[0].seconds == pytest.approx(7.66, abs=0.01)
    assert "tokens/minute" in held[0].reason and reply.status == "complete"
