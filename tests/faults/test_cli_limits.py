"""F23–F32 through `freechat ask`: rate limits, keys, error pages, oversized and endless
replies, Ctrl-C, redirects and concurrency, each ending in the contract exit code and one
stderr line, with the partial text kept."""

from __future__ import annotations

import itertools
import json
import time

import pytest

from tests.fakes import faults
from tests.faults.conftest import interrupt, start_ask


def test_F23_cli_retry_after(ask, fake_server):
    # 1 s rather than 7 keeps the test fast; the wait is honoured the same way.
    _, obj = ask(faults.f23("1"), as_json=True)
    assert obj["error"]["type"] == "RateLimited"
    # No request before the time the provider asked for (a retry, if any, waits for it).
    times = [r.received_at for r in fake_server.requests]
    assert 1 <= len(times) <= 4
    assert all(b - a >= 1 for a, b in itertools.pairwise(times))


@pytest.mark.parametrize("variant", ["retry-after", "openrouter", "gemini"])
def test_F24_cli_daily_quota_no_retry(ask, fake_server, variant):
    fault = {"retry-after": faults.f24_retry_after,
             "openrouter": lambda: faults.f24_openrouter(int((time.time() + 3600) * 1000)),
             "gemini": faults.f24_gemini}[variant]()
    result, _ = ask(fault, as_json=True)
    assert len(fake_server.requests) == 1
    if variant != "gemini":
        assert "resets at" in result.err


def test_F25_cli_echoed_key_is_redacted_everywhere(ask, fake_server, home):
    result, _ = ask(faults.f25(), as_json=True, key=faults.CANARY_KEY)
    assert len(fake_server.requests) == 1
    assert fake_server.requests[0].headers["authorization"] == f"Bearer {faults.CANARY_KEY}"
    assert faults.CANARY_KEY.encode() not in result.stdout + result.stderr
    assert "[redacted]" in result.err
    for path in home.rglob("*"):
        if path.is_file():
            assert faults.CANARY_KEY.encode() not in path.read_bytes(), path


@pytest.mark.parametrize("status", [502, 503])
def test_F26_cli_html_error_page(ask, fake_server, status):
    result, _ = ask(faults.f26(status), as_json=True)
    assert "<" not in result.err and "cloudflare" not in result.err.lower()
    assert 1 <= len(fake_server.requests) <= 3  # a bounded number of retries, never a loop


def test_F27_cli_json_error_on_200(ask):
    ask(faults.f27(), as_json=True)


def test_F28_cli_huge_line(ask):
    ask(faults.f28())


def test_F29_cli_ctrl_c_during_drip_keeps_partial(fake_server, home):
    fake_server.route("POST", "/chat/completions", *faults.f29().responses)
    proc = start_ask(fake_server.url, home)
    result = interrupt(proc, wait_for=faults.PARTIAL.encode())
    assert result.returncode == 130, result.err
    assert result.out == faults.PARTIAL
    assert result.err.splitlines() == ["freechat: openrouter: stopped by user"]
    assert "Traceback" not in result.err


def test_F29_cli_ctrl_c_json_reports_the_partial_reply(fake_server, home):
    fake_server.route("POST", "/chat/completions", *faults.f29().responses)
    proc = start_ask(fake_server.url, home, "--json")
    deadline = time.monotonic() + 20
    while not fake_server.requests and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(1.0)  # the first two events arrive at once; the next one takes ~10 s to drip
    result = interrupt(proc)
    assert result.returncode == 130, result.err
    obj = json.loads(result.out)
    assert obj["text"] == faults.PARTIAL and obj["status"] == "cancelled"
    assert obj["error"]["type"] == "Cancelled"
    assert result.err.splitlines() == ["freechat: openrouter: stopped by user"]


def test_F31_cli_redirect_not_followed(ask, second_server):
    second_server.route("POST", "/chat/completions", *faults.f1().responses)
    ask(faults.f31(second_server.url + "/chat/completions"), as_json=True)
    assert second_server.requests == []


def test_F32_cli_two_concurrent_asks(fake_server, home):
    fake_server.route_pattern(
        "POST", "/chat/completions",
        lambda request: faults.echo_stream(request.json()["messages"][-1]["content"],
                                           delay=0.05))
    procs = {name: start_ask(fake_server.url, home, prompt=name) for name in ("left", "right")}
    for name, proc in procs.items():
        out, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, err
        assert out.decode() == f"echo: {name} {faults.FULL}" and err == b""
    assert len(fake_server.requests) == 2

