"""F13–F22 through `freechat ask`: the contract exit code, exactly one stderr line naming the
provider and the cause, the partial text on stdout and in --json, never a traceback or a key."""

from __future__ import annotations

import json
import socket
import time

from tests.fakes import faults
from tests.fakes.server import Abort, FakeResponse
from tests.faults.conftest import MODEL, cli_env, interrupt, start_ask


def test_F13_cli_inband_error(ask):
    ask(faults.f13())
    ask(faults.f13(), as_json=True)


def test_F14_cli_event_error(ask):
    ask(faults.f14(), as_json=True)


def test_F15_cli_stream_ended_early(ask):
    ask(faults.f15())
    ask(faults.f15(), as_json=True)


def test_F16_cli_unterminated_last_event(ask):
    ask(faults.f16())


def test_F17_cli_connection_reset(ask):
    ask(faults.f17())
    ask(faults.f17(), as_json=True)


def test_F18_cli_closed_mid_body(ask):
    ask(faults.f18(), as_json=True)


def test_F19_cli_read_timeout_from_config(ask):
    ask(faults.f19(silence=3.0, read=1.0), as_json=True)


def test_F20_cli_keepalives_hold_timeout_open(ask):
    ask(faults.f20(total=2.0, every=0.5, read=1.0))


def test_F21_cli_no_headers(ask):
    ask(faults.f21(hang=2.0, first_byte=0.5), as_json=True)


def test_F21_cli_ctrl_c_while_waiting_for_headers(fake_server, home):
    fake_server.route("POST", "/chat/completions", *faults.f21(hang=30).responses)
    proc = start_ask(fake_server.url, home)
    deadline = time.monotonic() + 20
    while not fake_server.requests and time.monotonic() < deadline:
        time.sleep(0.02)
    result = interrupt(proc)
    assert result.returncode == 130 and result.out == ""
    assert result.err.splitlines() == ["freechat: openrouter: stopped by user"]


def test_F22_cli_connection_refused(run_cli, home):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = run_cli("ask", "-m", MODEL, "--json", "hi",
                     env=cli_env(f"http://127.0.0.1:{port}", home))
    assert result.returncode == 5
    lines = result.err.splitlines()
    assert len(lines) == 1 and "could not connect" in lines[0], result.err
    assert json.loads(result.out)["error"]["type"] == "NetworkError"


def test_F22_cli_reset_before_any_byte_is_retried_a_bounded_number_of_times(ask, fake_server):
    fault = faults.Fault("F22", "reset before the body", (FakeResponse(steps=[Abort()]),),
                         faults.Expect("", "error", "NetworkError", 5, "connection lost"))
    ask(fault, as_json=True)
    assert 1 <= len(fake_server.requests) <= 3
