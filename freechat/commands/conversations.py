"""`freechat conversations list|show|export|delete` (DESIGN §5)."""

from __future__ import annotations

import argparse
import json
import sys

from freechat.core.errors import UsageError
from freechat.core.runtime import Runtime
from freechat.core.store import ConversationStore, ConversationSummary


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("conversations", help="list, show, export or delete saved chats")
    actions = parser.add_subparsers(dest="action", metavar="ACTION",
                                    parser_class=type(parser))
    listing = actions.add_parser("list", help="saved conversations, newest first")
    listing.add_argument("--json", action="store_true", help="print a JSON list")
    listing.add_argument("--search", metavar="TEXT", help="only those whose text contains TEXT")
    show = actions.add_parser("show", help="print a conversation")
    show.add_argument("id", help="conversation id (or a unique prefix)")
    export = actions.add_parser("export", help="write a conversation to stdout")
    export.add_argument("id", help="conversation id (or a unique prefix)")
    export.add_argument("--format", choices=("md", "json"), default="md")
    delete = actions.add_parser("delete", help="delete a conversation")
    delete.add_argument("id", help="conversation id (or a unique prefix)")


def _notices(store: ConversationStore) -> None:
    for notice in store.take_notices():
        print(f"freechat: notice: {notice}", file=sys.stderr)


def _size(size: int) -> str:
    return f"{size} B" if size < 1024 else f"{size / 1024:.0f} KB"


def _print_list(summaries: list[ConversationSummary]) -> None:
    if not summaries:
        print("no saved conversations (use `freechat ask --save` or the app)", file=sys.stderr)
        return
    for s in summaries:
        updated = s.updated_at[:16].replace("T", " ")
        models = ", ".join(s.models) or "-"
        print(f"{s.id}  {updated}  {s.messages:>4} msgs  {_size(s.size):>7}  {s.title}"
              f"  [{models}]")


def run(args: argparse.Namespace, runtime: Runtime) -> int:
    from freechat.core.export import export_json, export_markdown

    store = ConversationStore.from_paths(runtime.paths)
    action = getattr(args, "action", None)
    try:
        if action is None:
            raise UsageError("say what to do", hint="list, show ID, export ID or delete ID")
        if action == "list":
            found = store.search(args.search) if args.search else store.list()
            if args.json:
                payload = [s.to_json() for s in found]
                sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
            else:
                _print_list(found)
        elif action in ("show", "export"):
            conv = store.load(args.id)
            fmt = "md" if action == "show" else args.format
            text = export_json(conv) if fmt == "json" else export_markdown(conv)
            sys.stdout.write(text)
        elif action == "delete":
            conv_id = store.resolve(args.id)
            store.delete(conv_id)
            print(f"deleted {conv_id}", file=sys.stderr)
    finally:
        _notices(store)
    sys.stdout.flush()
    return 0
