"""The anatomy of an OpenAI-style chat.completion.chunk, whatever the provider put in it.

Usage (`usage`, with reasoning tokens and cost), reasoning (`reasoning`, `reasoning_content`,
`reasoning_details[]`, Mistral's list content with `thinking` parts), Vercel's routed-to
provider, and the events of one complete non-streamed reply.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from freechat.core.events import Finished, ReasoningDelta, StreamEvent, TextDelta, Usage
from freechat.core.text import clean_surrogates


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def parse_usage(usage: Mapping[str, Any]) -> Usage:
    details = usage.get("completion_tokens_details")
    reasoning = _int(details.get("reasoning_tokens")) if isinstance(details, dict) else None
    cost = usage.get("cost")
    return Usage(
        input_tokens=_int(usage.get("prompt_tokens")),
        output_tokens=_int(usage.get("completion_tokens")),
        reasoning_tokens=reasoning,
        cost=float(cost) if isinstance(cost, int | float) and not isinstance(cost, bool) else None,
    )


def split_delta(delta: Mapping[str, Any]) -> tuple[str, str]:
    """(reasoning, content) from one delta, whatever shape the provider uses."""
    reasoning = ""
    for key in ("reasoning", "reasoning_content"):
        value = delta.get(key)
        if isinstance(value, str) and value:
            reasoning = value
            break
    else:
        details = delta.get("reasoning_details")
        if isinstance(details, list):
            parts = []
            for item in details:
                if isinstance(item, dict):
                    piece = item.get("text") or item.get("summary")
                    if isinstance(piece, str):
                        parts.append(piece)
            reasoning = "".join(parts)
    content = delta.get("content")
    text = ""
    if isinstance(content, str):
        text = content
    elif isinstance(content, list):  # Mistral: [{"type":"text"|"thinking", ...}]
        for part in content:
            if not isinstance(part, dict):
                continue
            if part.get("type") == "thinking":
                inner = part.get("thinking")
                if isinstance(inner, list):
                    reasoning += "".join(
                        p.get("text", "") for p in inner if isinstance(p, dict)
                    )
                elif isinstance(inner, str):
                    reasoning += inner
            elif isinstance(part.get("text"), str):
                text += part["text"]
    return reasoning, text


def reply_events(reasoning: str, text: str, usage: Any, finish: Any) -> list[StreamEvent]:
    """The events of one complete (non-streamed) reply."""
    events: list[StreamEvent] = []
    if reasoning:
        events.append(ReasoningDelta(clean_surrogates(reasoning)))
    if text:
        events.append(TextDelta(clean_surrogates(text)))
    if isinstance(usage, dict):
        events.append(parse_usage(usage))
    events.append(Finished(finish if isinstance(finish, str) and finish else "stop"))
    return events


def str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def vercel_upstream(chunk: Mapping[str, Any]) -> str | None:
    """Vercel names the provider it routed to in the finish chunk's provider_metadata."""
    for choice in chunk.get("choices") or []:
        delta = choice.get("delta") if isinstance(choice, dict) else None
        meta = delta.get("provider_metadata") if isinstance(delta, dict) else None
        gateway = meta.get("gateway") if isinstance(meta, dict) else None
        routing = gateway.get("routing") if isinstance(gateway, dict) else None
        if isinstance(routing, dict) and str_or_none(routing.get("resolvedProvider")):
            return routing["resolvedProvider"]
    return None
