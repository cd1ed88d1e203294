"""How a finished reply is summed up in its footer (pure functions, no app)."""

from __future__ import annotations

from freechat.core.errors import AuthError, Cancelled, StreamInterrupted
from freechat.core.events import Finished, Meta, TextDelta, Usage
from freechat.core.models import ModelRef
from freechat.core.session import Reply
from freechat.ui.widgets.message import format_ms, outcome

REF = ModelRef("openrouter", "x:free")


def reply_with(*events: object, start: float = 10.0) -> Reply:
    reply = Reply(REF, start)
    for i, event in enumerate(events, 1):
        reply.record(event, start + i * 0.25)  # type: ignore[arg-type]
    return reply


def test_complete_reply_lists_finish_tokens_and_times():
    reply = reply_with(TextDelta("hi"), Usage(12, 34, 5), Meta("Chutes"), Finished("stop"))
    reply.ended_at = 12.5
    assert outcome(reply) == (
        "✓ stop · 12 in · 34 out (5 reasoning) · first token 0.25 s · total 2.5 s · via Chutes",
        "-complete",
    )


def test_length_finish_is_a_warning():
    text, css = outcome(reply_with(TextDelta("hi"), Finished("length")))
    assert text.startswith("⚠ cut off at the length limit") and css == "-warning"


def test_stopped_by_user():
    reply = reply_with(TextDelta("part"))
    reply.fail(Cancelled("stopped by user"), 11.0)
    text, css = outcome(reply)
    assert text.startswith("■ stopped by user · partial reply kept") and css == "-stopped"


def test_interrupted_stream_keeps_partial_and_says_why():
    reply = reply_with(TextDelta("part"))
    reply.fail(StreamInterrupted("connection lost", provider="openrouter", hint="try again"), 11)
    text, css = outcome(reply)
    assert text.startswith("⚠ incomplete: openrouter: connection lost — try again")
    assert css == "-incomplete"


def test_error_before_any_text_is_one_line_with_hint():
    reply = reply_with()
    reply.fail(AuthError("key rejected", provider="openrouter", hint="check the key"), 11)
    assert outcome(reply) == ("✗ openrouter: key rejected — check the key", "-error")


def test_durations_read_naturally():
    assert [format_ms(v) for v in (None, 420, 9_999, 12_345, 59_990, 61_000, 3_725_000)] == [
        "?", "0.42 s", "10.0 s", "12.3 s", "1m00s", "1m01s", "62m05s",
    ]
