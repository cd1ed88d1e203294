"""`freechat compare`: one prompt, several models at once, each answer with its figures.

Answers are printed as each model finishes (a slow model never holds up a fast one), each
under a header naming the model and over a line of figures. `--json` prints one list of `ask`
objects instead, in the order the models were given. The quota plan (what it will cost each
provider, and any model refused because its provider is out of quota) goes to stderr first.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time

from freechat.commands.ask import read_prompt, reply_json
from freechat.core.compare_figures import figure_parts, measure
from freechat.core.compare_quota import open_guard, plan_quota
from freechat.core.comparison import MIN_MODELS, Column, Comparison
from freechat.core.errors import EXIT_ERROR, FreechatError, UsageError
from freechat.core.models import ModelRef
from freechat.core.runtime import Runtime
from freechat.core.session import STATUS_COMPLETE, Reply
from freechat.core.throttle import Throttled


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("compare", help="one prompt to several models, side by side")
    parser.add_argument("-m", "--model", action="append", dest="models", default=[],
                        metavar="REF", help="provider/model; give it two or more times")
    parser.add_argument("-s", "--system", help="system prompt (sent to every model)")
    parser.add_argument("--json", action="store_true", help="print a JSON list of ask objects")
    parser.add_argument("--save", action="store_true",
                        help="save each model's answer as a conversation")
    parser.add_argument("prompt", nargs="*", help="the prompt (read from stdin if absent)")


def _stderr(line: str) -> None:
    print(f"freechat: {line}", file=sys.stderr, flush=True)


def _print_answer(column: Column, reply: Reply, *, sent: bool) -> None:
    out = sys.stdout
    out.write(f"━━ {column.label} · {column.ref} ━━\n")
    text = reply.text
    if text:
        out.write(text if text.endswith("\n") else text + "\n")
    figures = measure(reply, reply.ended_at or time.monotonic(), sent=sent)
    out.write("   " + " · ".join(figure_parts(figures)) + "\n\n")
    out.flush()


async def compare(runtime: Runtime, refs: list[ModelRef], prompt: str,
                  args: argparse.Namespace) -> Comparison:
    guard = open_guard(runtime)
    tiers = {ref.provider: runtime.spec(ref.provider).tier for ref in refs}
    plan = plan_quota(guard.book if guard is not None else None, refs, tiers)
    _stderr(plan.summary())
    store = None
    if args.save:
        from freechat.core.store import ConversationStore

        store = ConversationStore.from_paths(runtime.paths)
    async with runtime.make_client() as client:
        comparison = Comparison(
            refs, lambda ref: runtime.adapter(ref.provider, client), system=args.system,
            guard=guard, store=store,
        )
        for index, reason in plan.refused.items():
            comparison.columns[index].refused = reason
            _stderr(reason.one_line())

        def done(column: Column, reply: Reply) -> None:
            if not args.json:
                _print_answer(column, reply, sent=column.refused is None)

        def event(column: Column, event: object) -> None:
            if isinstance(event, Throttled):  # say why nothing seems to happen
                _stderr(f"{column.ref}: waiting {event.seconds:.0f} s — {event.reason}")

        await comparison.send(prompt, on_event=event, on_done=done)
    return comparison


def exit_code(replies: list[Reply]) -> int:
    """0 if at least one model answered, else the exit code of the first error."""
    if any(r.status == STATUS_COMPLETE for r in replies):
        return 0
    errors = [r.error for r in replies if r.error is not None]
    return errors[0].exit_code if errors else EXIT_ERROR


def run(args: argparse.Namespace, runtime: Runtime) -> int:
    if len(args.models) < MIN_MODELS:
        raise UsageError("compare needs at least two models",
                         hint="give -m provider/model two or more times")
    refs = [runtime.resolve_model(text) for text in args.models]
    prompt = read_prompt(args.prompt)
    comparison = asyncio.run(compare(runtime, refs, prompt, args))
    replies = [column.reply for column in comparison.columns if column.reply is not None]
    if args.json:
        objects = [reply_json(reply, runtime, column.conversation_id)
                   for column, reply in zip(comparison.columns, replies, strict=True)]
        sys.stdout.write(json.dumps(objects, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    for column in comparison.columns:
        if args.save and column.conversation_id and not args.json:
            _stderr(f"{column.ref}: saved as conversation {column.conversation_id}")
    code = exit_code(replies)
    if code:
        first = next((r.error for r in replies if r.error is not None), None)
        if isinstance(first, FreechatError):
            _stderr(f"no model answered; first error: {first.one_line()}")
    return code
