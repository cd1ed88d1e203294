"""The command line (DESIGN §5) and the composition root.

Every failure ends as one line on stderr and a contract exit code; never a traceback.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import NoReturn

from freechat.core.errors import EXIT_ERROR, EXIT_USAGE, FreechatError

STARTUP_GC_THRESHOLDS = (10_000, 10, 10)  # see entry()
# Subcommand modules under freechat.commands, in help order.
COMMANDS = ("chat", "ask", "compare", "models", "quota", "keys", "conversations", "doctor")


def _command_modules(names: Sequence[str] = COMMANDS) -> dict[str, ModuleType]:
    modules = {}
    for name in names:
        try:
            modules[name] = importlib.import_module(f"freechat.commands.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"freechat.commands.{name}":
                raise
    return modules


def _needed(args: Sequence[str]) -> Sequence[str]:
    """Only the named command's module: startup must not pay for every command's imports
    (the app's first frame, `ask`'s whole run). Anything else opens the app; help sees all."""
    if args and args[0] in COMMANDS:
        return (args[0],)
    return COMMANDS if args and args[0] in ("-h", "--help", "--version") else ("chat",)


def print_error(error: FreechatError) -> None:
    print(f"freechat: {error.one_line()}", file=sys.stderr, flush=True)


def entry() -> NoReturn:
    """The `freechat` program: run the command, then leave without tearing the interpreter
    down. Everything the command writes is closed or flushed by the time main() returns
    (asyncio.run, which `ask` and the app run in, joins its worker threads before it
    returns), so the ~25 ms Python spends freeing modules at exit buys nothing."""
    # A short command allocates a few hundred thousand objects while it imports, and a
    # collection every 700 of them re-walks the same young import graph many times over;
    # the app retunes for its long-lived heap in run_app (ui/gc_tuning.py).
    gc.set_threshold(*STARTUP_GC_THRESHOLDS)
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream: nothing more can be said
            code = code or EXIT_ERROR
    if "logging" in sys.modules:
        sys.modules["logging"].shutdown()
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    from freechat.core.secret import redact

    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        modules = _command_modules(_needed(args_list))
        if args_list in ([], ["chat"]):
            # The app with no options, as most starts are: argparse (and the gettext it
            # imports) would cost ~2.5 ms of the way to the first frame.
            args = modules["chat"].no_options()
        else:
            from freechat.cli_parser import parse

            args = parse(modules, args_list)
        from freechat.core.runtime import Runtime

        runtime = Runtime.from_env()
        return int(modules[args.command].run(args, runtime) or 0)
    except FreechatError as error:
        print_error(error)
        return error.exit_code
    except KeyboardInterrupt:
        print("freechat: stopped", file=sys.stderr)
        return 130
    except SystemExit as exit_:  # argparse --help / --version
        code = exit_.code
        return code if isinstance(code, int) else (EXIT_USAGE if code else 0)
    except BrokenPipeError:
        return EXIT_ERROR
    except Exception as error:  # a bug: one line, no traceback, no key
        message = redact(f"{type(error).__name__}: {error}")
        print(f"freechat: internal error ({message}) — please report it", file=sys.stderr)
        return EXIT_ERROR
