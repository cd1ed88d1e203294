"""`freechat keys set ID | delete ID | list`: keys in the OS keyring (never on the command line).

`set` reads the key from stdin, or from a hidden prompt on a terminal, checks it with one cheap
authenticated call, and saves it in the OS keyring, or in a 0600 file with `--insecure-file`.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys

from freechat.core.catalog import ProviderSpec
from freechat.core.errors import AuthError, UsageError
from freechat.core.key_check import REJECTED, VALID, check_key
from freechat.core.keys import SOURCE_FILE, SOURCE_SESSION, KeyStoreUnavailable
from freechat.core.runtime import Runtime
from freechat.core.secret import Secret

MAX_KEY_BYTES = 16 * 1024


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("keys", help="set, delete or list API keys (OS keyring)")
    actions = parser.add_subparsers(dest="keys_command", metavar="ACTION")
    actions.required = True
    setter = actions.add_parser(
        "set", help="store a key: read from stdin, or a hidden prompt (never an argument)"
    )
    setter.add_argument("provider", metavar="ID", help="provider id, e.g. openrouter")
    setter.add_argument(
        "--insecure-file", action="store_true",
        help="store it in a 0600 plaintext file instead of the OS keyring",
    )
    setter.add_argument("--no-check", action="store_true", help="save without checking it")
    deleter = actions.add_parser("delete", help="remove a stored key")
    deleter.add_argument("provider", metavar="ID", help="provider id")
    lister = actions.add_parser("list", help="where each provider's key comes from")
    lister.add_argument("--json", action="store_true", help="print a JSON list")


def _say(text: str) -> None:
    print(f"freechat: {text}", file=sys.stderr, flush=True)


def read_key(spec: ProviderSpec) -> Secret:
    """The key from a hidden prompt (terminal) or stdin (pipe): never from argv."""
    if sys.stdin is not None and sys.stdin.isatty():
        try:
            text = getpass.getpass(f"{spec.name} API key (input hidden): ")
        except EOFError:
            text = ""
    else:
        data = sys.stdin.buffer.read(MAX_KEY_BYTES + 1) if sys.stdin is not None else b""
        if len(data) > MAX_KEY_BYTES:
            raise UsageError("that is too long to be an API key", hint="pipe only the key")
        text = data.decode("utf-8", "replace")
    text = text.strip()
    if not text:
        raise UsageError("no key given", hint=f"echo \"$KEY\" | freechat keys set {spec.id}")
    if any(ch.isspace() for ch in text):
        raise UsageError(
            "the key contains spaces or several lines", hint="pass exactly one key on stdin"
        )
    return Secret(text)


def cmd_set(args: argparse.Namespace, runtime: Runtime) -> int:
    spec = runtime.spec(args.provider)
    if not spec.needs_key:
        raise UsageError(f"{spec.id} needs no key", hint="it works without one")
    secret = read_key(spec)
    if not args.no_check:
        result = asyncio.run(check_key(runtime, spec.id, secret))
        if result.status == REJECTED:
            raise AuthError(
                f"{spec.name} rejected the key", provider=spec.id,
                hint="check that you copied the whole key; nothing was saved",
            )
        if result.status != VALID:
            _say(f"{spec.id}: {result.message}; saving it anyway")
    saved = runtime.keys.save(spec, secret, to_file=args.insecure_file)
    if saved.source == SOURCE_SESSION:  # a CLI process has no session to keep it in
        env = spec.key_envs[0] if spec.key_envs else f"{spec.env_prefix}_KEY"
        raise KeyStoreUnavailable(
            f"{spec.id}: key not saved: {saved.note}",
            hint=f"set {env} in your environment, or run `freechat keys set {spec.id} "
            "--insecure-file` to keep it in a 0600 file",
        )
    where = "a 0600 key file" if saved.source == SOURCE_FILE else "the OS keyring"
    masked = f" (…{secret.last4})" if secret.last4 else ""
    print(f"{spec.id}: key saved in {where}{masked}")
    if saved.source == SOURCE_FILE:
        _say(f"warning: {saved.note}")
    if saved.shadowed_by:
        _say(f"note: {saved.shadowed_by} is set in your environment and wins over the saved key")
    return 0


def cmd_delete(args: argparse.Namespace, runtime: Runtime) -> int:
    spec = runtime.spec(args.provider)
    result = runtime.keys.delete(spec)
    if result.removed:
        print(f"{spec.id}: key deleted from {', '.join(result.removed)}")
    elif result.problems:
        raise KeyStoreUnavailable(f"{spec.id}: {result.problems[0]}")
    else:
        print(f"{spec.id}: no key stored")
    for problem in result.problems if result.removed else ():
        _say(problem)
    if result.env_name:
        _say(f"note: {result.env_name} is still set in your environment (unset it there)")
    return 0


def cmd_list(args: argparse.Namespace, runtime: Runtime) -> int:
    specs = [runtime.spec(pid) for pid in runtime.config.all_provider_ids()]
    entries = runtime.keys.entries(specs)
    notice = runtime.keys.take_notice()
    if notice:
        _say(notice)
    if args.json:
        rows = [
            {"provider": spec.id, "source": found.source,
             "last4": found.secret.last4 if found.secret else None, "env": found.detail or None}
            for spec, found in entries
        ]
        sys.stdout.write(json.dumps(rows) + "\n")
        return 0
    width = max(len(spec.id) for spec, _ in entries)
    for spec, found in entries:
        detail = f" ({found.detail})" if found.detail else ""
        line = f"{spec.id:<{width}}  {found.source + detail:<28}  {found.masked}"
        print(line.rstrip())
    return 0


def run(args: argparse.Namespace, runtime: Runtime) -> int:
    handlers = {"set": cmd_set, "delete": cmd_delete, "list": cmd_list}
    return handlers[args.keys_command](args, runtime)
