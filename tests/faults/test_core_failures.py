"""F13–F32 at the core level: every way a reply can fail ends in a typed error, with the
partial text kept and the reply marked as not complete."""

from __future__ import annotations

import asyncio
import socket
import time
import tracemalloc
from dataclasses import replace

import pytest

from freechat.core.errors import FreechatError, QuotaExhausted, RateLimited
from freechat.core.events import TextDelta
from freechat.core.secret import Secret
from freechat.core.session import ChatSession, Reply
from tests.fakes import faults
from tests.fakes.openai_stream import DONE
from tests.fakes.server import FakeResponse
from tests.faults.conftest import MODEL, check_core, drive, runtime_for


def test_F13_inband_error_keeps_partial(core):
    fault = faults.f13()
    outcome = core(fault)
    check_core(outcome, fault.expect)
    assert outcome.error.status == 502
    assert "after the reply had started" in outcome.error.message


@pytest.mark.parametrize("code", ["server_error", 400])
def test_F13_inband_error_variants(core, code):
    # Documented form (string code) and the recorded one (numeric code, finish_reason null).
    fault = faults.f13("Upstream error: Token limit reached", code)
    check_core(core(fault), fault.expect)


def test_F13_inband_error_text_is_redacted(core):
    Secret(faults.CANARY_KEY)  # the key in use is registered, as KeyStore does
    fault = faults.f13(f"Upstream error: bad key {faults.CANARY_KEY}")
    outcome = core(fault)
    check_core(outcome, fault.expect)
    assert faults.CANARY_KEY not in outcome.error.one_line()
    assert "[redacted]" in outcome.error.one_line()


def test_F14_event_error_keeps_partial(core):
    fault = faults.f14()
    check_core(core(fault), fault.expect)


def test_F14_event_error_with_plain_text_payload(core):
    events = [*faults.stream(faults.TEXTS[:2], finish=None, done=False),
              b"event: error\ndata: upstream overloaded\n\n", DONE]
    fault = faults.f14()
    outcome = core(faults.Fault("F14", "plain", (faults.sse_response(events),), fault.expect))
    assert outcome.reply.text == faults.PARTIAL
    assert "upstream overloaded" in outcome.error.one_line()


def test_F15_clean_end_without_finish_is_incomplete(core):
    fault = faults.f15()
    check_core(core(fault), fault.expect)


def test_F16_unterminated_last_event_is_incomplete(core):
    fault = faults.f16()
    check_core(core(fault), fault.expect)


def test_F17_tcp_reset_keeps_partial(core):
    fault = faults.f17()
    check_core(core(fault), fault.expect)


def test_F18_socket_closed_mid_chunked_body(core):
    fault = faults.f18()
    check_core(core(fault), fault.expect)


def test_F19_read_timeout_keeps_partial(core):
    fault = faults.f19(silence=2.0, read=0.5)
    outcome = core(fault)
    check_core(outcome, fault.expect)
    assert "timeouts.read" in outcome.error.one_line()


def test_F20_keepalives_hold_the_read_timeout_open(core):
    fault = faults.f20(total=3.0, every=0.5, read=1.0)
    outcome = core(fault)
    check_core(outcome, fault.expect)
    assert outcome.waiting >= 6


def test_F21_no_headers_times_out(core):
    fault = faults.f21(hang=3.0, first_byte=0.5)
    outcome = core(fault)
    check_core(outcome, fault.expect)
    assert "timeouts.first_byte" in outcome.error.one_line()


def test_F21_first_byte_and_read_timeouts_are_separate(core):
    # Headers after 1 s are fine with first_byte = 3 even though read is 0.5 s: queueing
    # before the response starts is not a stall.
    fault = faults.f21(hang=1.0)
    outcome = core(fault, timeouts={"first_byte": 3.0, "read": 0.5})
    check_core(outcome, faults.f1().expect)


def test_F21_cancel_while_waiting_for_headers(fake_server, home):
    fake_server.route("POST", "/chat/completions", *faults.f21(hang=30).responses)

    async def scenario() -> Reply:
        runtime = runtime_for(fake_server.url, home)
        ref = runtime.resolve_model(MODEL)
        async with runtime.make_client() as client:
            session = ChatSession(ref, runtime.adapter(ref.provider, client))
            reply = Reply(ref, time.monotonic())

            async def consume() -> None:
                async for _ in session.send("hi", reply):
                    pass

            task = asyncio.ensure_future(consume())
            while not fake_server.requests:
                await asyncio.sleep(0.01)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            return reply

    reply = asyncio.run(scenario())
    assert reply.status == "cancelled" and reply.text == ""
    assert reply.error is not None and reply.error.one_line() == "openrouter: stopped by user"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_F22_connection_refused_is_one_clear_error(home):
    outcome = asyncio.run(drive(f"http://127.0.0.1:{free_port()}", home))
    check_core(outcome, faults.Expect("", "error", "NetworkError", 5, "could not connect"))


@pytest.mark.parametrize("form", ["seconds", "http-date"])
def test_F23_retry_after_is_parsed(core, fake_server, form):
    value = "7" if form == "seconds" else faults.http_date(time.time() + 7)
    fault = faults.f23(value)
    outcome = core(fault)
    # An HTTP-date has whole seconds, so its wait may show as 6 s; the seconds form is exact.
    check_core(outcome, fault.expect if form == "seconds" else replace(
        fault.expect, message="and try again"))
    assert isinstance(outcome.error, RateLimited)
    assert not isinstance(outcome.error, QuotaExhausted)
    assert outcome.error.scope == "minute"
    assert 5 <= outcome.error.retry_after <= 7
    assert len(fake_server.requests) == 1


@pytest.mark.parametrize("variant", ["retry-after", "openrouter", "gemini"])
def test_F24_daily_quota_is_not_retried(core, fake_server, variant):
    reset = time.time() + 3 * 3600
    fault = {"retry-after": faults.f24_retry_after,
             "openrouter": lambda: faults.f24_openrouter(int(reset * 1000)),
             "gemini": faults.f24_gemini}[variant]()
    outcome = core(fault)
    check_core(outcome, fault.expect)
    assert isinstance(outcome.error, QuotaExhausted) and outcome.error.scope == "day"
    if variant != "gemini":  # Gemini says nothing about when (midnight Pacific: the quota book)
        assert "resets at" in outcome.error.one_line()
    if variant == "openrouter":
        assert outcome.error.resets_at == pytest.approx(reset, abs=1)
    assert len(fake_server.requests) == 1


def test_F25_echoed_key_is_redacted_and_not_retried(fake_server, home):
    fault = faults.f25()
    fake_server.route("POST", "/chat/completions", *fault.responses)
    outcome = asyncio.run(drive(fake_server.url, home, key=faults.CANARY_KEY))
    check_core(outcome, fault.expect)
    shown = outcome.error.one_line() + repr(outcome.error) + str(outcome.error.args)
    assert faults.CANARY_KEY not in shown
    assert fake_server.requests[0].headers["authorization"] == f"Bearer {faults.CANARY_KEY}"
    assert len(fake_server.requests) == 1


@pytest.mark.parametrize("status", [502, 503])
def test_F26_html_error_page_is_one_short_line(core, fake_server, status):
    fault = faults.f26(status)
    outcome = core(fault)
    check_core(outcome, fault.expect)
    line = outcome.error.one_line()
    assert "<" not in line and "cloudflare" not in line.lower()
    assert outcome.error.status == status
    assert 1 <= len(fake_server.requests) <= 3  # bounded retries, never a loop


def test_F26_html_page_with_200_is_not_parsed_as_a_stream(core):
    page = faults.CLOUDFLARE_502.replace("502 Bad Gateway", "Sign in to the Wi-Fi")
    fault = faults.Fault("F26", "captive portal", (FakeResponse.text(page, 200),),
                         faults.Expect("", "error", "ProtocolError", 5, "web page"))
    check_core(core(fault), fault.expect)


def test_F27_json_error_body_on_200_is_an_error(core):
    fault = faults.f27()
    outcome = core(fault)
    check_core(outcome, fault.expect)


def test_F27_json_rate_limit_body_on_200_uses_its_code(core):
    payload = {"error": {"message": "Rate limit exceeded: free-models-per-min.", "code": 429}}
    fault = faults.f27(payload)
    outcome = core(fault)
    assert isinstance(outcome.error, RateLimited), outcome.error


def test_F27_json_without_error_is_a_protocol_error(core):
    fault = faults.f27({"id": "x", "choices": [{"message": {"content": "hi"}}]})
    outcome = core(fault)
    check_core(outcome, faults.Expect("", "error", "ProtocolError", 5, "not a stream"))


def test_F28_huge_line_aborts_with_bounded_memory(core, fake_server):
    fault = faults.f28()
    tracemalloc.start()
    try:
        outcome = core(fault)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    check_core(outcome, fault.expect)
    assert peak < 8 << 20, f"peak {peak / (1 << 20):.1f} MiB while a 10 MiB line arrived"


def test_F29_cancel_during_drip_keeps_partial_and_disconnects(core, fake_server):
    fault = faults.f29()

    def stop_after_partial(event, reply) -> bool:
        return isinstance(event, TextDelta) and reply.text == faults.PARTIAL

    outcome = core(fault, on_event=stop_after_partial)
    check_core(outcome, fault.expect)
    assert outcome.reply.error.one_line() == "openrouter: stopped by user"
    deadline = time.monotonic() + 10
    while fake_server.disconnects == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert fake_server.disconnects == 1, "the server must see the client go away"


def test_F31_redirect_to_another_host_is_not_followed(core, fake_server, second_server):
    second_server.route("POST", "/chat/completions", *faults.f1().responses)
    fault = faults.f31(second_server.url + "/chat/completions?key=" + faults.CANARY_KEY)
    outcome = core(fault)
    check_core(outcome, fault.expect)
    assert second_server.requests == []
    assert faults.CANARY_KEY not in outcome.error.one_line()


def test_F31_redirect_on_a_json_endpoint_is_not_followed(fake_server, second_server, home):
    from freechat.core.errors import ProviderError

    second_server.route("GET", "/models", FakeResponse.json({"data": []}))
    fake_server.route("GET", "/models", *faults.f31(second_server.url + "/models").responses)

    async def scenario() -> FreechatError:
        runtime = runtime_for(fake_server.url, home)
        async with runtime.make_client() as client:
            with pytest.raises(ProviderError) as caught:
                await runtime.adapter("openrouter", client).list_models()
        return caught.value

    error = asyncio.run(scenario())
    assert "redirect" in error.one_line().lower()
    assert second_server.requests == []


def test_F32_two_concurrent_streams_on_one_provider(fake_server, home):
    fake_server.route_pattern(
        "POST", "/chat/completions",
        lambda request: faults.echo_stream(request.json()["messages"][-1]["content"],
                                           delay=0.05))

    async def scenario():
        return await asyncio.gather(drive(fake_server.url, home, prompt="left"),
                                    drive(fake_server.url, home, prompt="right"))

    left, right = asyncio.run(scenario())
    for outcome, name in ((left, "left"), (right, "right")):
        check_core(outcome, faults.Expect(f"echo: {name} {faults.FULL}", "complete"))
    assert len(fake_server.requests) == 2


def test_F28_whole_json_reply_is_read_whole_not_cut_at_64_KiB(fake_server):
    # Gemini may answer a stream request with one JSON array; a long reply is well over the
    # 64 KiB kept of an error body, and must still arrive whole.
    from tests.fakes import gemini as gm
    from tests.providers.profiles import PROFILES
    from tests.providers.test_contract import joined, run

    texts = [f"part {i} " + "é" * 200 for i in range(300)]
    chunks = [gm.gemini_chunk([{"text": t}], usage=gm.usage_metadata(5, i + 1, None),
                              finish="STOP" if i == len(texts) - 1 else None)
              for i, t in enumerate(texts)]
    response = FakeResponse.json(chunks)
    assert len(response.steps[0].data) > 128 << 10
    fake_server.route("POST", PROFILES["gemini"].chat_path(), response)
    events, error = asyncio.run(run(PROFILES["gemini"], fake_server))
    assert error is None, error
    assert joined(events, TextDelta) == "".join(texts)


def test_F28_oversized_json_document_is_refused(fake_server, home, monkeypatch):
    from freechat.core.errors import ResponseTooLarge
    from freechat.core.providers import base

    monkeypatch.setattr(base, "MAX_JSON_BODY", 4096)
    fake_server.route("GET", "/models", FakeResponse.json({"data": [{"id": "x" * 8192}]}))

    async def scenario() -> None:
        runtime = runtime_for(fake_server.url, home)
        async with runtime.make_client() as client:
            await runtime.adapter("openrouter", client).list_models()

    with pytest.raises(ResponseTooLarge) as caught:
        asyncio.run(scenario())
    assert "response too large" in caught.value.one_line()
