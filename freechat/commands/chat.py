"""`freechat chat` (also plain `freechat`): open the app."""

from __future__ import annotations

import argparse

from freechat.core.runtime import Runtime


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("chat", help="open the app (the default)")
    parser.add_argument("-m", "--model", help="start on this provider/model")
    parser.add_argument("--resume", metavar="ID", help="reopen a saved conversation")


def run(args: argparse.Namespace, runtime: Runtime) -> int:
    from freechat.ui import gc_tuning

    gc_tuning.pause()  # until the first frame (gc_tuning.freeze)
    from freechat.ui.app import run_app  # Textual is imported only when the app opens

    return run_app(runtime, model=args.model, resume=args.resume)
