"""`freechat chat` (also plain `freechat`): open the app."""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from freechat.core.runtime import Runtime

if TYPE_CHECKING:  # the parser loads only when there are options to parse (cli.main)
    import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("chat", help="open the app (the default)")
    parser.add_argument("-m", "--model", help="start on this provider/model")
    parser.add_argument("--resume", metavar="ID", help="reopen a saved conversation")


def no_options() -> Any:
    """What the parser makes of `freechat chat` alone (a test keeps the two the same)."""
    return SimpleNamespace(command="chat", model=None, resume=None)


def run(args: Any, runtime: Runtime) -> int:
    from freechat.ui import gc_tuning

    gc_tuning.pause()  # until the first frame (gc_tuning.freeze)
    from freechat.ui.app import run_app  # Textual is imported only when the app opens

    return run_app(runtime, model=args.model, resume=args.resume)
