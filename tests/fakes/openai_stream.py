"""Byte builders for OpenAI-style SSE streams, shaped as the fact sheets record them.

`openrouter_stream` follows the pydantic-ai OpenRouter cassettes: `: OPENROUTER PROCESSING`
keep-alives, `role` repeated in every delta, `provider` and `native_finish_reason` fields, a
finish chunk, then a usage chunk that still carries one choice, then `data: [DONE]`.
`openai_stream` covers the four usage placements of dossier B §0.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

KEEPALIVE = b": OPENROUTER PROCESSING\n\n"
DONE = b"data: [DONE]\n\n"


def sse(payload: Any, *, event: str | None = None, newline: str = "\n") -> bytes:
    data = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False,
                                                                separators=(",", ":"))
    head = f"event: {event}{newline}" if event else ""
    return f"{head}data: {data}{newline}{newline}".encode()


def openrouter_chunk(
    *, content: str | None = "", reasoning: str | None = None, finish: str | None = None,
    usage: dict[str, Any] | None = None, model: str = "deepseek/deepseek-r1:free",
    gen_id: str = "gen-1762141316-q3fB64DDMstJO0ZakdSK", provider: str = "Chutes",
) -> dict[str, Any]:
    delta: dict[str, Any] = {"role": "assistant", "content": content}
    if reasoning is not None:
        delta["reasoning"] = reasoning
        delta["reasoning_details"] = [
            {"type": "reasoning.text", "text": reasoning, "index": 0, "format": None}
        ]
    chunk: dict[str, Any] = {
        "id": gen_id, "provider": provider, "model": model,
        "object": "chat.completion.chunk", "created": 1762141317,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish,
                     "native_finish_reason": finish, "logprobs": None}],
    }
    if usage is not None:
        chunk["usage"] = usage
    return chunk


def openrouter_usage(prompt: int, completion: int, reasoning: int = 0) -> dict[str, Any]:
    return {
        "prompt_tokens": prompt, "completion_tokens": completion,
        "total_tokens": prompt + completion, "cost": 0, "is_byok": False,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "cost_details": {"upstream_inference_cost": None},
        "completion_tokens_details": {"reasoning_tokens": reasoning, "image_tokens": 0},
    }


def openrouter_stream(
    texts: Sequence[str], *, reasoning: Sequence[str] = (), prompt_tokens: int = 9,
    completion_tokens: int | None = None, keepalives: int = 2,
    model: str = "deepseek/deepseek-r1:free", finish: str = "stop", done: bool = True,
) -> list[bytes]:
    events = [KEEPALIVE] * keepalives
    events.append(sse(openrouter_chunk(content="", model=model)))
    events += [sse(openrouter_chunk(content="", reasoning=r, model=model)) for r in reasoning]
    events += [sse(openrouter_chunk(content=t, model=model)) for t in texts]
    events.append(sse(openrouter_chunk(content="", finish=finish, model=model)))
    usage = openrouter_usage(prompt_tokens, completion_tokens or max(len(texts), 1))
    events.append(sse(openrouter_chunk(content="", usage=usage, model=model)))
    if done:
        events.append(DONE)
    return events


def openrouter_error_chunk(message: str, code: int | str = 502, *, finish: str | None = "error"):
    chunk = openrouter_chunk(content="", finish=finish)
    chunk["error"] = {"code": code, "message": message}
    return chunk


def openai_chunk(content: str | None = None, *, finish: str | None = None,
                 usage: dict[str, Any] | str | None = "omit", role: bool = False,
                 model: str = "gpt-4o-mini", extra_delta: dict[str, Any] | None = None,
                 choices: bool = True) -> dict[str, Any]:
    delta: dict[str, Any] = {}
    if role:
        delta["role"] = "assistant"
    if content is not None:
        delta["content"] = content
    delta.update(extra_delta or {})
    chunk: dict[str, Any] = {
        "id": "chatcmpl-abc123", "object": "chat.completion.chunk", "created": 1700000000,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}]
        if choices else [],
    }
    if usage != "omit":
        chunk["usage"] = usage
    return chunk


def openai_usage(prompt: int, completion: int) -> dict[str, int]:
    return {"prompt_tokens": prompt, "completion_tokens": completion,
            "total_tokens": prompt + completion}


def openai_stream(
    texts: Iterable[str], *, usage_placement: str = "separate", prompt_tokens: int = 5,
    completion_tokens: int = 7, model: str = "gpt-4o-mini",
) -> list[bytes]:
    """usage_placement: separate (choices: []), finish (on the finish chunk), cumulative
    (on every chunk), null (usage: null on all but the separate final chunk)."""
    texts = list(texts)
    final = openai_usage(prompt_tokens, completion_tokens)
    events = []
    for i, text in enumerate(texts):
        kwargs: dict[str, Any] = {"role": i == 0, "model": model}
        if usage_placement == "cumulative":
            kwargs["usage"] = openai_usage(prompt_tokens, i + 1)
        elif usage_placement == "null":
            kwargs["usage"] = None
        events.append(sse(openai_chunk(text, **kwargs)))
    finish_usage: Any = "omit"
    if usage_placement in ("finish", "cumulative"):
        finish_usage = final
    elif usage_placement == "null":
        finish_usage = None
    events.append(sse(openai_chunk(None, finish="stop", usage=finish_usage, model=model)))
    if usage_placement in ("separate", "null"):
        events.append(sse(openai_chunk(None, usage=final, model=model, choices=False)))
    events.append(DONE)
    return events
