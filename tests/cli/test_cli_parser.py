"""Plain `freechat` opens the app without building the parser (cli.main): what it passes
must be exactly what the parser would have made of `freechat chat`."""

from __future__ import annotations

import sys

import pytest

from freechat.cli import _command_modules, main
from freechat.cli_parser import parse
from freechat.commands import chat


def test_no_options_is_what_the_parser_makes_of_plain_chat():
    parsed = parse(_command_modules(("chat",)), ["chat"])
    assert vars(chat.no_options()) == vars(parsed)
    assert vars(parse(_command_modules(("chat",)), [])) == vars(parsed)


@pytest.mark.parametrize("argv", [[], ["chat"]])
def test_plain_start_skips_the_parser(argv: list[str], isolated_env, monkeypatch):
    seen = []
    monkeypatch.setattr(chat, "run", lambda args, runtime: seen.append(vars(args)) or 0)
    sys.modules.pop("freechat.cli_parser", None)
    assert main(argv) == 0
    assert seen == [{"command": "chat", "model": None, "resume": None}]
    assert "freechat.cli_parser" not in sys.modules


def test_options_still_go_through_the_parser(isolated_env, monkeypatch):
    seen = []
    monkeypatch.setattr(chat, "run", lambda args, runtime: seen.append(vars(args)) or 0)
    assert main(["-m", "openrouter/x"]) == 0
    assert seen == [{"command": "chat", "model": "openrouter/x", "resume": None}]
    assert main(["chat", "--bogus"]) == 2  # a usage error, from the parser
