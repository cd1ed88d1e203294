"""Fault scenarios (RELIABILITY §7 A) as data: what the fake provider sends, what the user keeps.

Each `Fault` pairs the responses the fake server plays (tests/fakes/server.py) with the
expected outcome at both levels: the core stream (reply text, reply status, error type) and
`freechat ask` (exit code, a fragment of the one stderr line). The tests in tests/faults/ drive
the same scenario through ChatSession and through a subprocess, so the two levels can never
drift apart. Error types are named by class name (as `ask --json` reports them), which keeps
this module independent of freechat's imports.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any

from tests.fakes.openai_stream import (
    DONE,
    KEEPALIVE,
    openrouter_chunk,
    openrouter_error_chunk,
    openrouter_usage,
    sse,
)
from tests.fakes.server import (
    Abort,
    CloseMidBody,
    FakeResponse,
    Send,
    Sleep,
    Step,
    split_bytes,
)

TEXTS = ("Hel", "lo, ", "wörld 😀", " 漢字.")
FULL = "".join(TEXTS)
PARTIAL = "".join(TEXTS[:2])  # what arrived before a fault
EXIT_OK, EXIT_AUTH, EXIT_LIMIT, EXIT_PROVIDER = 0, 3, 4, 5
CANARY_KEY = "fc-canary-" + "7f3a9c2e5b8d1e6f" * 3  # no known key shape: only Secret finds it


@dataclass(frozen=True)
class Expect:
    text: str  # what the user keeps (the whole reply, or the partial one)
    status: str  # Reply.status: complete | incomplete | error | cancelled
    error: str | None = None  # FreechatError subclass name (as in `ask --json`)
    exit_code: int = EXIT_OK
    message: str = ""  # fragment of the one-line message, case-insensitive


@dataclass(frozen=True)
class Fault:
    id: str
    title: str
    responses: tuple[FakeResponse, ...]
    expect: Expect
    timeouts: Mapping[str, float] = field(default_factory=dict)


# --- byte builders ------------------------------------------------------------------------
def text_chunk(text: str) -> bytes:
    return sse(openrouter_chunk(content=text))


def finish_chunk(reason: str = "stop") -> bytes:
    return sse(openrouter_chunk(content="", finish=reason))


def usage_chunk() -> bytes:
    return sse(openrouter_chunk(content="", usage=openrouter_usage(9, len(TEXTS))))


def stream(texts: Sequence[str] = TEXTS, *, finish: str | None = "stop", done: bool = True,
           between: bytes = b"", before: bytes = b"") -> list[bytes]:
    """An OpenRouter-shaped stream whose first event already carries text."""
    events = [before] if before else []
    for text in texts:
        events.append(text_chunk(text))
        if between:
            events.append(between)
    if finish is not None:
        events += [finish_chunk(finish), usage_chunk()]
    if done:
        events.append(DONE)
    return events


def body(events: Sequence[bytes]) -> bytes:
    return b"".join(events)


def sse_response(events: Sequence[bytes] | bytes, *, steps: Sequence[Step] = (),
                 **kwargs: Any) -> FakeResponse:
    """One chunk per event (or `steps` verbatim), then the chunked terminator."""
    if isinstance(events, bytes):
        events = [events]
    all_steps: list[Step] = [Send(e) for e in events] + list(steps)
    return FakeResponse(200, {"content-type": "text/event-stream"}, all_steps, **kwargs)


def escaped_delta(text: str) -> bytes:
    """A text delta whose JSON escapes surrogates as \\udXXX (how providers send halves)."""
    payload = json.dumps(openrouter_chunk(content=text), ensure_ascii=True, separators=(",", ":"))
    return f"data: {payload}\n\n".encode("ascii")


def with_line_endings(data: bytes, ending: str) -> bytes:
    """Rewrite every LF (JSON escapes the ones inside strings) as CRLF, CR, or a mix."""
    if ending == "mixed":
        endings = [b"\r\n", b"\n", b"\r"]  # never CR then LF: that would be one CRLF
        pieces = data.split(b"\n")
        out = bytearray(pieces[0])
        for i, piece in enumerate(pieces[1:]):
            out += endings[i % 3] + piece
        return bytes(out)
    return data.replace(b"\n", {"crlf": b"\r\n", "cr": b"\r"}[ending])


def multiline_data(chunk: Mapping[str, Any]) -> bytes:
    """One JSON object spread over several `data:` lines (F6): joined with LF it is valid."""
    lines = json.dumps(chunk, indent=1, ensure_ascii=False).split("\n")
    return ("".join(f"data: {line}\n" for line in lines) + "\n").encode()


def drip(data: bytes, interval: float) -> list[Step]:
    steps: list[Step] = []
    for i in range(len(data)):
        steps += [Sleep(interval), Send(data[i : i + 1])]
    return steps


# --- the scenarios --------------------------------------------------------------------------
def _complete(title: str, fid: str, *responses: FakeResponse, text: str = FULL,
              **kw: Any) -> Fault:
    return Fault(fid, title, responses, Expect(text, "complete"), **kw)


def f1() -> Fault:
    return _complete("normal stream", "F1", sse_response(stream()))


def f2(count: int = 5) -> Fault:
    keepalives = KEEPALIVE * count
    return _complete("keep-alive comments before and between tokens", "F2",
                     sse_response(stream(before=keepalives, between=keepalives)))


def f3() -> Fault:
    data_keepalive = b"data: : keepalive\n\n"
    return _complete("non-JSON data keep-alives", "F3",
                     sse_response(stream(before=data_keepalive, between=data_keepalive)))


def f4() -> Fault:
    empties = b"retry: 3000\n\nid: 1\n\n: ping\n\nevent: ping\n\n"
    return _complete("empty-data events", "F4",
                     sse_response(stream(before=empties, between=b"id: 2\n\n")))


def f5(ending: str) -> Fault:
    data = with_line_endings(body(stream(before=KEEPALIVE)), ending)
    return _complete(f"{ending} line endings, byte by byte", "F5",
                     FakeResponse(200, {"content-type": "text/event-stream"}, split_bytes(data, 1)))


def f6() -> Fault:
    events = [multiline_data(openrouter_chunk(content=t)) for t in TEXTS]
    events += [multiline_data(openrouter_chunk(content="", finish="stop")), DONE]
    return _complete("JSON split over several data lines", "F6", sse_response(events))


def f7() -> Fault:
    events = [e.replace(b"data: ", b"data:", 1) for e in stream()]
    return _complete("data: without the space", "F7", sse_response(events))


MULTIBYTE = ("héllo ", "wörld 😀🎉 ", "日本語 ", "👩‍👩‍👧 fin")


def f8() -> Fault:
    data = body(stream(MULTIBYTE))
    return _complete("multi-byte UTF-8 split across chunks", "F8",
                     FakeResponse(200, {"content-type": "text/event-stream"},
                                  split_bytes(data, 1)),
                     text="".join(MULTIBYTE))


SEPARATORS = ("line\u2028sep ", "para\u2029sep ", "nel\u0085here ", "ff\x0cvt\x0b end")


def f9() -> Fault:
    return _complete("U+2028, U+2029, NEL, FF inside content", "F9",
                     sse_response(stream(SEPARATORS)), text="".join(SEPARATORS))


def f10() -> Fault:
    events = [escaped_delta("pair: \ud83d"), escaped_delta("\ude00 lone: \udcaf"),
              escaped_delta(" end \ud83d"), finish_chunk(), DONE]
    return _complete("surrogate halves across deltas and lone surrogates", "F10",
                     sse_response(events), text="pair: 😀 lone: \ufffd end \ufffd")


def f11() -> Fault:
    broken = text_chunk("ab\u00e9cd").replace("é".encode(), b"\xff\xfe")  # invalid bytes
    truncated = text_chunk("x\u65e5y").replace("日".encode(), "日".encode()[:2])
    events = [broken, b": junk \xc3\x28\n\n", truncated, finish_chunk(), DONE]
    return _complete("invalid UTF-8 in the body", "F11", sse_response(events),
                     text="ab\ufffd\ufffdcdx\ufffdy")


def f12() -> Fault:
    data = b"\xef\xbb\xbf" + body(stream())
    # The BOM itself split across two chunks, the first event right behind it.
    return _complete("UTF-8 BOM before the first event", "F12",
                     FakeResponse(200, {"content-type": "text/event-stream"},
                                  [Send(data[:1]), Send(data[1:2]), Send(data[2:])]))


def f13(message: str = "Upstream error from Chutes: 502 Bad Gateway", code: Any = 502) -> Fault:
    events = [*stream(TEXTS[:2], finish=None, done=False),
              sse(openrouter_error_chunk(message, code)), DONE]
    return Fault("F13", "in-band error chunk after partial text", (sse_response(events),),
                 Expect(PARTIAL, "incomplete", "ProviderError", EXIT_PROVIDER, "upstream error"))


def f14() -> Fault:
    payload = {"error": {"message": "tool call validation failed: upstream overloaded",
                         "type": "invalid_request_error", "code": "tool_use_failed"}}
    events = [*stream(TEXTS[:2], finish=None, done=False), sse(payload, event="error")]
    return Fault("F14", "event: error with a JSON payload", (sse_response(events),),
                 Expect(PARTIAL, "incomplete", "ProviderError", EXIT_PROVIDER,
                        "validation failed"))


def f15() -> Fault:
    return Fault("F15", "clean end without finish_reason or [DONE]",
                 (sse_response(stream(TEXTS[:2], finish=None, done=False)),),
                 Expect(PARTIAL, "incomplete", "StreamInterrupted", EXIT_PROVIDER,
                        "ended early"))


def f16() -> Fault:
    # The finish chunk is the last event but its blank line never comes: the spec discards it.
    tail = finish_chunk().removesuffix(b"\n")
    events = [*stream(TEXTS[:2], finish=None, done=False), tail]
    return Fault("F16", "last event without its blank line", (sse_response(events),),
                 Expect(PARTIAL, "incomplete", "StreamInterrupted", EXIT_PROVIDER,
                        "ended early"))


def f17() -> Fault:
    return Fault("F17", "TCP reset after some output",
                 (sse_response(stream(TEXTS[:2], finish=None, done=False),
                               steps=[Sleep(0.05), Abort()]),),
                 Expect(PARTIAL, "incomplete", "StreamInterrupted", EXIT_PROVIDER,
                        "connection lost"))


def f18() -> Fault:
    return Fault("F18", "socket closed mid chunked body",
                 (sse_response(stream(TEXTS[:2], finish=None, done=False),
                               steps=[Sleep(0.05), CloseMidBody()]),),
                 Expect(PARTIAL, "incomplete", "StreamInterrupted", EXIT_PROVIDER,
                        "connection lost"))


def f19(silence: float = 3.0, read: float = 1.0) -> Fault:
    rest = stream(TEXTS[2:])
    return Fault("F19", "silence longer than the read timeout",
                 (sse_response(stream(TEXTS[:2], finish=None, done=False),
                               steps=[Sleep(silence), *(Send(e) for e in rest)]),),
                 Expect(PARTIAL, "incomplete", "StreamInterrupted", EXIT_PROVIDER,
                        f"no data for {read:g} s"),
                 timeouts={"read": read})


def f20(total: float = 3.0, every: float = 0.5, read: float = 1.0) -> Fault:
    beats: list[Step] = []
    for _ in range(round(total / every / 2)):
        beats += [Sleep(every), Send(KEEPALIVE)]
    steps = [*beats, Send(text_chunk(TEXTS[0])), *beats,
             *(Send(e) for e in stream(TEXTS[1:]))]
    return _complete("long silence filled with keep-alives", "F20",
                     FakeResponse(200, {"content-type": "text/event-stream"}, steps),
                     timeouts={"read": read})


def f21(hang: float = 3.0, first_byte: float = 1.0) -> Fault:
    return Fault("F21", "connection accepted, headers never sent",
                 (FakeResponse(steps=[Send(body(stream()))], hang_before_headers=hang),),
                 Expect("", "error", "NetworkError", EXIT_PROVIDER,
                        f"no response within {first_byte:g} s"),
                 timeouts={"first_byte": first_byte, "read": first_byte})


def f23(retry_after: str = "7") -> Fault:
    payload = {"error": {"message": "Rate limit exceeded: free-models-per-min.", "code": 429}}
    return Fault("F23", "429 with Retry-After",
                 (FakeResponse.json(payload, 429, {"retry-after": retry_after}),),
                 Expect("", "error", "RateLimited", EXIT_LIMIT,
                        f"wait {retry_after} s" if retry_after.isdigit() else "try again"))


def http_date(epoch: float) -> str:
    return formatdate(epoch, usegmt=True)


def f24_retry_after() -> Fault:
    payload = {"error": {"message": "Rate limit exceeded", "code": 429}}
    return Fault("F24", "429 with Retry-After: 86400",
                 (FakeResponse.json(payload, 429, {"retry-after": "86400"}),),
                 Expect("", "error", "QuotaExhausted", EXIT_LIMIT, "daily quota"))


def f24_openrouter(reset_ms: int) -> Fault:
    payload = {"error": {
        "message": "Rate limit exceeded: free-models-per-day. Add 10 credits to unlock 1000 "
                   "free model requests per day", "code": 429,
        "metadata": {"headers": {"X-RateLimit-Limit": "50", "X-RateLimit-Remaining": "0",
                                 "X-RateLimit-Reset": str(reset_ms)}}}}
    return Fault("F24", "OpenRouter free-models-per-day",
                 (FakeResponse.json(payload, 429),),
                 Expect("", "error", "QuotaExhausted", EXIT_LIMIT, "daily quota"))


def f24_gemini() -> Fault:
    payload = [{"error": {
        "code": 429, "status": "RESOURCE_EXHAUSTED",
        "message": "You exceeded your current quota, please check your plan and billing details.",
        "details": [
            {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [
                {"quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier"
                                "_requests",
                 "quotaId": "GenerateRequestsPerDayPerProjectPerModel-FreeTier",
                 "quotaDimensions": {"location": "global", "model": "gemini-2.5-flash"},
                 "quotaValue": "250"}]},
            {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "23s"}]}}]
    return Fault("F24", "Gemini RESOURCE_EXHAUSTED per day",
                 (FakeResponse.json(payload, 429),),
                 Expect("", "error", "QuotaExhausted", EXIT_LIMIT, "daily quota"))


def f25(key: str = CANARY_KEY) -> Fault:
    payload = {"error": {"message": f"Invalid credentials. Received header: Authorization: "
                                    f"Bearer {key} (key {key} not found)", "code": 401}}
    return Fault("F25", "401 echoing the Authorization header",
                 (FakeResponse.json(payload, 401),),
                 Expect("", "error", "AuthError", EXIT_AUTH, "key rejected"))


CLOUDFLARE_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad "
    "Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n"
)


def f26(status: int = 502) -> Fault:
    reason = {502: "Bad Gateway", 503: "Service Unavailable"}[status]
    page = CLOUDFLARE_502.replace("502 Bad Gateway", f"{status} {reason}")
    return Fault("F26", f"{status} with an HTML body", (FakeResponse.text(page, status),),
                 Expect("", "error", "ProviderError", EXIT_PROVIDER, f"{status} {reason}"))


def f27(payload: Any = None) -> Fault:
    payload = payload or {"error": {"message": "Provider returned error: model overloaded",
                                    "code": 503}}
    return Fault("F27", "200 application/json error body to a stream request",
                 (FakeResponse.json(payload, 200),),
                 Expect("", "error", "ProviderError", EXIT_PROVIDER, "model overloaded"))


def f28(size: int = 10 << 20, piece: int = 64 << 10) -> Fault:
    line = b"data: {\"x\":\"" + b"x" * size
    return Fault("F28", "one 10 MiB line without a newline",
                 (sse_response(stream(TEXTS[:2], finish=None, done=False),
                               steps=split_bytes(line, piece)),),
                 Expect(PARTIAL, "incomplete", "ResponseTooLarge", EXIT_PROVIDER,
                        "response too large"))


def f29(interval: float = 0.05) -> Fault:
    first = stream(TEXTS[:2], finish=None, done=False)
    rest = body(stream(TEXTS[2:]))
    return Fault("F29", "drip of one byte per 50 ms",
                 (sse_response(first, steps=drip(rest, interval)),),
                 Expect(PARTIAL, "cancelled", "Cancelled", 130, "stopped"))


def f31(target: str) -> Fault:
    return Fault("F31", "307 redirect to another host",
                 (FakeResponse(307, {"location": target, "content-type": "text/plain"},
                               [Send(b"moved")], chunked=False),),
                 Expect("", "error", "ProviderError", EXIT_PROVIDER, "redirect"))


def echo_stream(prompt: str, *, delay: float = 0.0) -> FakeResponse:
    """A reply that quotes the prompt, so concurrent streams can be told apart (F32)."""
    parts = [f"echo: {prompt} ", *TEXTS]
    return FakeResponse.sse(stream(parts), delay=delay)
