"""The command line's parser (DESIGN §5): every command module adds its own subparser.

Loaded only when there is something to parse: plain `freechat` (or `freechat chat`) opens
the app without it (cli.main).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from types import ModuleType

from freechat import __version__
from freechat.core.errors import UsageError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message, hint=f"see `{self.prog} --help`")


def build_parser(modules: dict[str, ModuleType]) -> argparse.ArgumentParser:
    parser = _Parser(
        prog="freechat",
        description="Chat with the strongest free AI models from your terminal.",
    )
    parser.add_argument("--version", action="version", version=f"freechat {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for module in modules.values():
        module.add_parser(sub)
    return parser


def parse(modules: dict[str, ModuleType], args_list: Sequence[str]) -> argparse.Namespace:
    """`args_list` parsed; anything that is not a command opens the app with it."""
    parser = build_parser(modules)
    if not args_list or (args_list[0] not in modules
                         and args_list[0] not in ("-h", "--help", "--version")):
        args_list = ["chat", *args_list]  # `freechat -m REF` opens the app on REF
    return parser.parse_args(args_list)
