"""`freechat ask`: one prompt, the reply streamed to stdout (or one JSON object with --json)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from typing import Any

from freechat.core.errors import FreechatError, UsageError
from freechat.core.events import ReasoningDelta, TextDelta
from freechat.core.quota import provider_quota_json
from freechat.core.runtime import Runtime
from freechat.core.session import ChatSession, Reply


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


def reply_json(reply: Reply, runtime: Runtime) -> dict[str, Any]:
    usage = reply.usage
    error = reply.error
    return {
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
        "quota": provider_quota_json(runtime.spec(reply.model.provider), reply.rate_windows),
        "error": None if error is None else {"type": error.type_name, "message": error.one_line()},
    }


async def stream_reply(session: ChatSession, prompt: str, reply: Reply, echo: bool) -> None:
    out = sys.stdout
    async for event in session.send(prompt, reply):
        if not echo:
            continue
        if isinstance(event, TextDelta):
            out.write(event.text)
            out.flush()
        elif isinstance(event, ReasoningDelta):
            sys.stderr.write(event.text)
            sys.stderr.flush()


async def ask(runtime: Runtime, args: argparse.Namespace, prompt: str) -> tuple[Reply, int]:
    import time

    ref = runtime.resolve_model(args.model)
    async with runtime.make_client() as client:
        adapter = runtime.adapter(ref.provider, client)
        session = ChatSession(ref, adapter, system=args.system)
        reply = Reply(ref, time.monotonic())
        with contextlib.suppress(FreechatError):  # recorded on the reply
            await stream_reply(session, prompt, reply, echo=not args.json)
        return reply, 0


def run(args: argparse.Namespace, runtime: Runtime) -> int:
    prompt = read_prompt(args.prompt)
    reply, _ = asyncio.run(ask(runtime, args, prompt))
    if not args.json and sys.stdout.isatty() and reply.text and not reply.text.endswith("\n"):
        sys.stdout.write("\n")
    if args.json:
        sys.stdout.write(json.dumps(reply_json(reply, runtime), ensure_ascii=False) + "\n")
    sys.stdout.flush()
    if reply.error is not None:
        from freechat.cli import print_error

        print_error(reply.error)
        return reply.error.exit_code
    return 0
