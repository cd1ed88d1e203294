"""F1–F12 through `freechat ask` (a subprocess, as a user's shell runs it): stdout carries the
exact reply text, --json the same text, and nothing at all goes to stderr."""

from __future__ import annotations

import pytest

from tests.fakes import faults


def test_F1_cli_normal_stream(ask, fake_server):
    _, obj = ask(faults.f1(), as_json=True)
    assert obj["finish_reason"] == "stop" and obj["usage"]["input_tokens"] == 9
    ask(faults.f1())
    assert len(fake_server.requests) == 2


def test_F2_cli_keepalives(ask):
    ask(faults.f2(), as_json=True)


def test_F3_cli_data_keepalive(ask):
    ask(faults.f3())


def test_F4_cli_empty_data_events(ask):
    ask(faults.f4())


@pytest.mark.parametrize("ending", ["crlf", "cr", "mixed"])
def test_F5_cli_line_endings_byte_by_byte(ask, ending):
    ask(faults.f5(ending))


def test_F6_cli_json_over_data_lines(ask):
    ask(faults.f6())


def test_F7_cli_data_without_space(ask):
    ask(faults.f7())


def test_F8_cli_multibyte_split(ask):
    result, _ = ask(faults.f8())
    assert result.stdout == "".join(faults.MULTIBYTE).encode("utf-8")


def test_F9_cli_separators_preserved(ask):
    result, obj = ask(faults.f9(), as_json=True)
    assert "\\u2028" in result.out or "\u2028" in result.out
    assert obj["text"] == "".join(faults.SEPARATORS)


def test_F10_cli_surrogates_never_crash_output(ask):
    ask(faults.f10())
    ask(faults.f10(), as_json=True)


def test_F11_cli_invalid_utf8(ask):
    ask(faults.f11(), as_json=True)


def test_F12_cli_bom(ask):
    ask(faults.f12())


def test_F10_cli_prompt_bytes_that_are_not_utf8_are_saved(run_cli, fake_server, home):
    from tests.faults.conftest import MODEL, cli_env

    fake_server.route("POST", "/chat/completions", *faults.f10().responses)
    env = cli_env(fake_server.url, home)
    result = run_cli("ask", "--save", "-m", MODEL, "hi \udcff there", env=env)  # argv b"\xff"
    assert result.returncode == 0, result.err
    assert result.out == faults.f10().expect.text
    listed = run_cli("conversations", "list", "--json", env=env)
    assert listed.returncode == 0 and "hi \ufffd there" in listed.out
