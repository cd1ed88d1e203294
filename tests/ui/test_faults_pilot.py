"""Fault injection in the app (issue 7, RELIABILITY §7 A): the scenarios of tests/fakes/faults.py
played by the fake OpenRouter while the chat screen streams.

Each asserts the three things of §7: (a) a clear one-line message naming the provider and the
cause (the reply's footer, and a notification), (b) nothing lost: the partial reply is shown
and saved, marked for how it ended, the prompt saved with it, (c) the app still responds and
the next prompt works. No automatic retries (`[quota] retries = 0`) and short timeouts keep
each test to a second or two.
"""

from __future__ import annotations

import time

import pytest
from textual.message import Message

from tests.fakes import faults
from tests.fakes.faults import Fault
from tests.fakes.openai_stream import openrouter_stream
from tests.fakes.server import FakeResponse, RecordedRequest
from tests.ui.conftest import R1
from tests.ui.pilot import (
    FAST,
    SIZE,
    answer_text,
    footer_text,
    last_reply,
    main,
    notes,
    responds,
    saved,
    send,
    settle,
    write_config,
)

RECOVERED = "Back to normal."


def _f24_openrouter() -> Fault:
    return faults.f24_openrouter(int((time.time() + 3 * 3600) * 1000))


SCENARIOS = {
    "F13": faults.f13, "F14": faults.f14, "F17": faults.f17, "F18": faults.f18,
    "F19": faults.f19, "F21": faults.f21, "F24-retry-after": faults.f24_retry_after,
    "F24-openrouter": _f24_openrouter, "F26": faults.f26, "F27": faults.f27,
}


async def play(make_app, server, home, fault: Fault) -> None:
    timeouts = "".join(f"{name} = {value}\n" for name, value in fault.timeouts.items())
    write_config(home, FAST + (f"[timeouts]\n{timeouts}" if timeouts else ""))
    # Routed by prompt, not by arrival order: under CI load a request cut short before it
    # reaches the server (e.g. by a 1 s first-byte limit) must not hand its fault to "again".
    faulty = list(fault.responses)
    recovered = FakeResponse.sse(openrouter_stream([RECOVERED]))

    def respond(request: RecordedRequest) -> FakeResponse:
        if request.json()["messages"][-1]["content"] == "again":
            return recovered
        return faulty.pop(0) if len(faulty) > 1 else faulty[0]

    server.route("POST", "/chat/completions", respond)
    app = make_app(model=R1)
    seen: list[Message] = []
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await settle(pilot)
        await send(pilot, "hi")
        await settle(pilot)
        expect = fault.expect
        reply = last_reply(app)
        footer = footer_text(reply)
        # (a) one clear line, naming the provider and the cause; and a notification
        assert "\n" not in footer and footer.startswith(("⚠ incomplete: openrouter:",
                                                         "✗ openrouter:")), footer
        assert expect.message.lower() in footer.lower(), footer
        assert any(n.startswith("openrouter:") and "try again" in n for n in notes(seen))
        assert "Traceback" not in app.export_screenshot()
        # (b) nothing lost: what arrived is shown, saved and marked
        assert answer_text(reply) == expect.text
        prompt, stored = saved(app).messages
        assert (prompt.role, prompt.content) == ("user", "hi")
        assert (stored.content, stored.status) == (expect.text, expect.status)
        assert stored.error is not None and stored.error.type == expect.error
        assert reply.has_class("-incomplete" if expect.status == "incomplete" else "-error")
        # (c) the app responds, and the next prompt goes through
        await responds(pilot)
        await send(pilot, "again")
        await settle(pilot)
        if expect.error == "QuotaExhausted":  # a used-up model: freechat warns once first
            assert main(app).prompt.text == "again"
            assert any(n.startswith("Quota used up:") for n in notes(seen))
            await pilot.press("enter")
            await settle(pilot)
        assert answer_text(last_reply(app)) == RECOVERED
        assert saved(app).messages[-1].status == "complete"


@pytest.mark.parametrize("fid", ["F13", "F14"])
async def test_F13_F14_inband_error_keeps_the_partial_reply(fid, make_app, openrouter,
                                                            isolated_env):
    await play(make_app, openrouter, isolated_env, SCENARIOS[fid]())


@pytest.mark.parametrize("fid", ["F17", "F18"])
async def test_F17_F18_connection_lost_mid_reply(fid, make_app, openrouter, isolated_env):
    await play(make_app, openrouter, isolated_env, SCENARIOS[fid]())


async def test_F19_silence_past_the_read_timeout(make_app, openrouter, isolated_env):
    await play(make_app, openrouter, isolated_env, SCENARIOS["F19"]())


async def test_F21_no_response_headers(make_app, openrouter, isolated_env):
    await play(make_app, openrouter, isolated_env, SCENARIOS["F21"]())


@pytest.mark.parametrize("fid", ["F24-retry-after", "F24-openrouter"])
async def test_F24_daily_quota_is_not_retried(fid, make_app, openrouter, isolated_env):
    await play(make_app, openrouter, isolated_env, SCENARIOS[fid]())
    chat = [r for r in openrouter.requests if r.path == "/chat/completions"]
    assert len(chat) == 2  # the 429 once (never retried), then the next prompt


@pytest.mark.parametrize("fid", ["F26", "F27"])
async def test_F26_F27_error_bodies_are_short_messages(fid, make_app, openrouter,
                                                       isolated_env):
    await play(make_app, openrouter, isolated_env, SCENARIOS[fid]())
