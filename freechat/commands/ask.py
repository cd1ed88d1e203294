"""`freechat ask`: one prompt, the reply streamed to stdout (or one JSON object with --json)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import time
from typing import TYPE_CHECKING, Any

from freechat.core.errors import FreechatError, UsageError
from freechat.core.events import ReasoningDelta, TextDelta
from freechat.core.models import ModelRef
from freechat.core.quota import open_book, quota_json_for
from freechat.core.retry import QuotaGuard
from freechat.core.runtime import Runtime
from freechat.core.session import STATUS_CANCELLED, ChatSession, Reply
from freechat.core.text import clean_surrogates
from freechat.core.throttle import Throttled

if TYPE_CHECKING:  # turns (conversations, journal, store) load only for --save
    from freechat.core.turns import Turn

FLUSH_EVERY = 0.03  # seconds: streamed text reaches a terminal or a pipe at least this often


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("ask", help="ask one question; the reply streams to stdout")
    parser.add_argument("-m", "--model", help="provider/model, e.g. openrouter/x:free")
    parser.add_argument("-s", "--system", help="system prompt")
    parser.add_argument("--json", action="store_true", help="print one JSON object at the end")
    parser.add_argument("--save", action="store_true", help="save as a conversation")
    parser.add_argument("prompt", nargs="*", help="the prompt (read from stdin if absent)")


def read_prompt(words: list[str]) -> str:
    if words:
        return " ".join(words)
    if sys.stdin is None or sys.stdin.isatty():
        raise UsageError("no prompt", hint='pass it as an argument or pipe it: echo "hi" | '
                         "freechat ask -m provider/model")
    data = sys.stdin.buffer.read()
    prompt = data.decode("utf-8", "replace").strip()
    if not prompt:
        raise UsageError("the prompt is empty")
    return prompt


def reply_json(
    reply: Reply, runtime: Runtime, conversation_id: str | None = None
) -> dict[str, Any]:
    """The `ask --json` object; `conversation_id` only when the reply was saved (--save)."""
    usage = reply.usage
    error = reply.error
    saved = {} if conversation_id is None else {"conversation_id": conversation_id}
    return saved | {
        "model": reply.model.model,
        "provider": reply.model.provider,
        "ref": str(reply.model),
        "text": reply.text,
        "reasoning": reply.reasoning,
        "finish_reason": reply.finish_reason,
        "status": reply.status,
        "usage": {
            "input_tokens": usage.input_tokens if usage else None,
            "output_tokens": usage.output_tokens if usage else None,
            "reasoning_tokens": usage.reasoning_tokens if usage else None,
            "cost": usage.cost if usage else None,
        },
        "ttft_ms": reply.ttft_ms,
        "total_ms": reply.total_ms,
        "upstream_provider": reply.meta.upstream_provider,
        "generation_id": reply.meta.generation_id,
        "quota": quota_json_for(runtime, reply.model, reply.rate_windows),
        "error": None if error is None else {"type": error.type_name, "message": error.one_line()},
    }


async def stream_reply(
    session: ChatSession, prompt: str, reply: Reply, echo: bool, turn: Turn | None = None
) -> None:
    out = sys.stdout
    reasoning_open = False  # reasoning written to stderr without its closing newline
    flushed = 0.0
    try:
        async for event in session.send(prompt, reply):
            if turn is not None:
                turn.record(event)  # journaled, so a kill loses at most a fraction of a second
            if not echo:
                continue
            if isinstance(event, TextDelta):
                if reasoning_open:
                    reasoning_open = _end_reasoning()
                out.write(event.text)
                # At most ~30 flushes a second (a syscall per token was ~10 ms of 2,000).
                if (now := time.monotonic()) - flushed >= FLUSH_EVERY or "\n" in event.text:
                    out.flush()
                    flushed = now
            elif isinstance(event, ReasoningDelta):
                sys.stderr.write(event.text)
                sys.stderr.flush()
                reasoning_open = not event.text.endswith("\n")
            elif isinstance(event, Throttled) and sys.stderr.isatty():  # status, not an error
                sys.stderr.write(f"[waiting {event.seconds:.0f} s: {event.reason}]\n")
                sys.stderr.flush()
    finally:
        if echo:
            out.flush()
        if reasoning_open:
            _end_reasoning()


def _end_reasoning() -> bool:
    """Close the reasoning line on stderr so status and error lines start on their own."""
    sys.stderr.write("\n")
    sys.stderr.flush()
    return False


def begin_saved_turn(runtime: Runtime, ref: ModelRef, prompt: str, system: str | None) -> Turn:
    """A new conversation holding the prompt, and the turn that will save the reply."""
    from freechat.core.conversation import new_conversation, title_from_prompt
    from freechat.core.store import ConversationStore
    from freechat.core.turns import Turn

    store = ConversationStore.from_paths(runtime.paths)
    conv = store.create(new_conversation(title_from_prompt(prompt), system=system))
    return Turn.begin(store, conv.id, model=ref, prompt=prompt)


async def ask(
    runtime: Runtime, args: argparse.Namespace, prompt: str
) -> tuple[Reply, str | None]:
    """Stream one reply. Returns it and, with --save, the id of the conversation it is in."""
    ref = runtime.resolve_model(args.model)
    async with runtime.make_client() as client:
        adapter = runtime.adapter(ref.provider, client)
        guard = QuotaGuard.from_settings(open_book(runtime))  # throttle, retries, ledger
        session = ChatSession(ref, adapter, system=args.system, guard=guard)
        turn = begin_saved_turn(runtime, ref, prompt, args.system) if args.save else None
        reply = Reply(ref, time.monotonic())
        try:
            with contextlib.suppress(FreechatError):  # recorded on the reply
                await stream_reply(session, prompt, reply, echo=not args.json, turn=turn)
        except asyncio.CancelledError:
            # Ctrl-C (asyncio.run cancels this task): the session marked the reply cancelled,
            # so it ends like any other failure, with its partial text and --json object.
            if reply.status != STATUS_CANCELLED:
                raise
        finally:  # also on Ctrl-C: the reply is saved, marked cancelled
            if turn is not None:
                turn.finish(reply)
        return reply, None if turn is None else turn.conversation.id


def run(args: argparse.Namespace, runtime: Runtime) -> int:
    prompt = read_prompt(args.prompt)
    reply, conversation_id = asyncio.run(ask(runtime, args, prompt))
    if not args.json and sys.stdout.isatty() and reply.text and not reply.text.endswith("\n"):
        sys.stdout.write("\n")
    if args.json:
        # Cleaned: a lone surrogate from argv or provider metadata must not crash the output.
        sys.stdout.write(clean_surrogates(json.dumps(reply_json(reply, runtime, conversation_id),
                                                     ensure_ascii=False)) + "\n")
    sys.stdout.flush()
    if conversation_id is not None and not args.json:
        print(f"freechat: saved as conversation {conversation_id}", file=sys.stderr)
    if reply.error is not None:
        from freechat.cli import print_error

        print_error(reply.error)
        return reply.error.exit_code
    return 0
