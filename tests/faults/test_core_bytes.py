"""F1–F12 at the core level: whatever shape the bytes take, the reply text is exact.

Each test streams one scenario of tests/fakes/faults.py from the real fake server through
Runtime → adapter → ChatSession and checks the text kept, the status and the events.
"""

from __future__ import annotations

import json

import pytest

from freechat.core.events import Finished, Waiting
from freechat.core.sse import SSEEvent, SSEParser
from tests.fakes import faults
from tests.faults.conftest import check_core


def test_F1_normal_stream_completes(core, fake_server):
    outcome = core(faults.f1())
    check_core(outcome, faults.f1().expect)
    assert outcome.reply.finish_reason == "stop"
    assert [e for e in outcome.events if isinstance(e, Finished)] == [Finished("stop")]
    assert outcome.reply.usage is not None and outcome.reply.usage.input_tokens == 9
    assert len(fake_server.requests) == 1


def test_F2_keepalive_comments_are_activity_not_errors(core):
    fault = faults.f2(count=5)
    outcome = core(fault)
    check_core(outcome, fault.expect)
    # 5 before the first token and 5 after each of the 4 text events
    assert outcome.waiting == 25
    assert all(e.comment == "OPENROUTER PROCESSING" for e in outcome.events
               if isinstance(e, Waiting))


def test_F3_data_keepalive_is_skipped_and_counted(core):
    fault = faults.f3()
    outcome = core(fault)
    check_core(outcome, fault.expect)
    assert outcome.waiting == 1 + len(faults.TEXTS)


def test_F4_empty_data_events_dispatch_nothing(core):
    fault = faults.f4()
    parser = SSEParser()
    items = parser.feed(b"retry: 3000\n\nid: 1\n\n: ping\n\nevent: ping\n\n")
    assert not [i for i in items if isinstance(i, SSEEvent)]
    assert parser.retry == 3000
    check_core(core(fault), fault.expect)


@pytest.mark.parametrize("ending", ["crlf", "cr", "mixed"])
def test_F5_any_line_endings_byte_by_byte(core, ending):
    fault = faults.f5(ending)
    outcome = core(fault)
    check_core(outcome, fault.expect)
    assert outcome.reply.finish_reason == "stop"


def test_F6_json_split_over_data_lines(core):
    fault = faults.f6()
    first_event = fault.responses[0].steps[0].data
    assert first_event.count(b"data: ") > 3  # one object really spans several lines
    check_core(core(fault), fault.expect)


def test_F7_data_without_space(core):
    fault = faults.f7()
    check_core(core(fault), fault.expect)


def test_F8_multibyte_utf8_split_across_chunks(core):
    fault = faults.f8()
    outcome = core(fault)
    check_core(outcome, fault.expect)
    assert "\ufffd" not in outcome.reply.text


def test_F9_unicode_separators_are_preserved(core):
    fault = faults.f9()
    outcome = core(fault)
    check_core(outcome, fault.expect)
    for char in "\u2028\u2029\u0085\x0c\x0b":
        assert char in outcome.reply.text


def test_F10_surrogate_halves_join_and_lone_ones_are_replaced(core):
    fault = faults.f10()
    outcome = core(fault)
    check_core(outcome, fault.expect)
    assert "😀" in outcome.reply.text
    # What saving does: UTF-8 JSON, strict.
    json.dumps({"text": outcome.reply.text}, ensure_ascii=False).encode("utf-8")


def test_F11_invalid_utf8_becomes_replacement_and_stream_continues(core):
    fault = faults.f11()
    outcome = core(fault)
    check_core(outcome, fault.expect)
    assert outcome.reply.finish_reason == "stop"


def test_F12_bom_before_first_event_keeps_it(core):
    fault = faults.f12()
    outcome = core(fault)
    check_core(outcome, fault.expect)
    assert outcome.reply.text.startswith(faults.TEXTS[0])


def test_F10_prompt_with_lone_surrogate_is_sent_and_kept(core, fake_server):
    # A terminal in a non-UTF-8 locale (or a stray byte in argv) gives Python "\udcff".
    fault = faults.f10()
    outcome = core(fault, prompt="hi \udcff there")
    check_core(outcome, fault.expect)
    assert fake_server.requests[0].json()["messages"][-1]["content"] == "hi \ufffd there"
