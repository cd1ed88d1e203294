"""OpenAI-compatible streams in each provider's recorded shape (fact sheets A §2, §5, §6 and
B §1-§6, §9). Every builder takes (texts, reasoning, prompt_tokens, completion_tokens) and
returns the SSE events as bytes, with usage, reasoning and finish where that provider puts them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from tests.fakes.openai_stream import DONE, openrouter_stream, sse

Builder = Callable[[Sequence[str], Sequence[str], int, int], list[bytes]]


def _chunk(cid: str, model: str, delta: dict[str, Any], finish: str | None = None,
           **extra: Any) -> dict[str, Any]:
    return {"id": cid, "object": "chat.completion.chunk", "created": 1770000000, "model": model,
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
            **extra}


def _usage(prompt: int, completion: int, **extra: Any) -> dict[str, Any]:
    return {"prompt_tokens": prompt, "completion_tokens": completion,
            "total_tokens": prompt + completion, **extra}


def openrouter(texts, reasoning, prompt, completion) -> list[bytes]:
    return openrouter_stream(texts, reasoning=reasoning, prompt_tokens=prompt,
                             completion_tokens=completion)


def cerebras(texts, reasoning, prompt, completion) -> list[bytes]:
    """`delta.reasoning`; usage + time_info on the finish chunk; no logprobs key."""
    def chunk(delta: dict[str, Any], **extra: Any) -> dict[str, Any]:
        return {"id": "chatcmpl-x", "choices": [{"delta": delta, "index": 0, **extra.pop(
            "choice", {})}], "created": 1782514735, "model": "gpt-oss-120b",
            "system_fingerprint": "fp_1", "object": "chat.completion.chunk", **extra}

    events = [sse(chunk({"role": "assistant"}))]
    events += [sse(chunk({"reasoning": r})) for r in reasoning]
    events += [sse(chunk({"content": t})) for t in texts]
    events.append(sse(chunk({}, choice={"finish_reason": "stop"}, usage=_usage(
        prompt, completion, completion_tokens_details={"reasoning_tokens": 8}),
        time_info={"queue_time": 0.001, "total_time": 0.09})))
    return [*events, DONE]


def _go_json(payload: Any) -> bytes:
    """Go's encoding/json: compact, non-ASCII kept, but <, > and & escaped (\u003cthink\u003e)."""
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return b"data: " + text.encode() + b"\n\n"


def groq(texts, reasoning, prompt, completion) -> list[bytes]:
    """Raw reasoning: `<think>` JSON-escaped inside content; usage twice (x_groq + top)."""
    model, cid = "qwen/qwen3-32b", "chatcmpl-e5a2d9a2"
    events = [_go_json(_chunk(cid, model, {"role": "assistant", "content": ""},
                              system_fingerprint="fp_f5", x_groq={"id": "req_01kg", "seed": 1}))]
    pieces = ["<think>", *reasoning, "</think>\n\n"] if reasoning else []
    events += [_go_json(_chunk(cid, model, {"content": p})) for p in [*pieces, *texts]]
    usage = _usage(prompt, completion, queue_time=0.03, total_time=6.2)
    events.append(_go_json(_chunk(cid, model, {}, "stop", x_groq={"id": "req_01kg",
                                                                  "usage": usage}, usage=usage)))
    return [*events, DONE]


def mistral(texts, reasoning, prompt, completion) -> list[bytes]:
    """Thinking as a list-typed content chunk; usage on the finish chunk."""
    model, cid = "magistral-medium-latest", "1474ffaa42904bf3b040345bc85c775b"
    events = [sse(_chunk(cid, model, {"role": "assistant", "content": ""}))]
    events += [sse(_chunk(cid, model, {"content": [
        {"type": "thinking", "thinking": [{"type": "text", "text": r}]}]})) for r in reasoning]
    events += [sse(_chunk(cid, model, {"content": t})) for t in texts]
    events.append(sse(_chunk(cid, model, {"content": ""}, "stop",
                             usage=_usage(prompt, completion))))
    return [*events, DONE]


def huggingface(texts, reasoning, prompt, completion) -> list[bytes]:
    """The groq route: usage on the finish chunk AND a following `choices: []` chunk;
    reasoning (if any) inline as `<think>` (together route, DeepSeek-R1)."""
    model, cid = "moonshotai/kimi-k2-instruct-0905", "chatcmpl-571992ac"
    events = [sse(_chunk(cid, model, {"role": "assistant", "content": ""},
                         x_groq={"id": "req_01kk", "seed": 1}))]
    if reasoning:
        events.append(sse(_chunk(cid, model, {"content": "<think>\n" + "".join(reasoning)
                                              + "\n</think>\n\n"})))
    events += [sse(_chunk(cid, model, {"content": t})) for t in texts]
    usage = _usage(prompt, completion, queue_time=0.07)
    events.append(sse(_chunk(cid, model, {}, "stop", x_groq={"id": "r", "usage": usage},
                             usage=usage)))
    events.append(sse({"id": cid, "object": "chat.completion.chunk", "created": 1, "model": model,
                       "choices": [], "usage": usage, "service_tier": "on_demand"}))
    return [*events, DONE]


def vercel(texts, reasoning, prompt, completion) -> list[bytes]:
    """Encrypted reasoning_details (no text), reasoning + details for Claude; usage and cost on
    the finish chunk, whose provider_metadata names the upstream."""
    model, cid = "anthropic/claude-sonnet-4", "gen_01KKHTPVSAYPGBCBH3AE1FZJSQ"
    events = [sse(_chunk(cid, model, {"role": "assistant"}, system_fingerprint="fp_d3"))]
    events.append(sse(_chunk(cid, model, {"reasoning_details": [
        {"type": "reasoning.encrypted", "data": "gAAAABp", "id": "rs_0123",
         "format": "openai-responses-v1", "index": 0}]})))
    events += [sse(_chunk(cid, model, {"reasoning": r, "reasoning_details": [
        {"type": "reasoning.text", "text": r, "signature": None,
         "format": "anthropic-claude-v1", "index": 0}]})) for r in reasoning]
    events += [sse(_chunk(cid, model, {"content": t})) for t in texts]
    meta = {"gateway": {"routing": {"originalModelId": model, "resolvedProvider": "anthropic"},
                        "cost": "0.00159375", "generationId": cid}}
    events.append(sse(_chunk(cid, model, {"provider_metadata": meta}, "stop", usage=_usage(
        prompt, completion, cost=0.00159375, is_byok=False), generationId=cid)))
    return [*events, DONE]


def nvidia(texts, reasoning, prompt, completion) -> list[bytes]:
    """vLLM shape: reasoning_content, stop_reason, penultimate `choices: []` usage."""
    model, cid = "deepseek-ai/deepseek-r1", "chatcmpl-nv1"
    events = [sse(_chunk(cid, model, {"role": "assistant", "content": ""}))]
    events += [sse(_chunk(cid, model, {"reasoning_content": r})) for r in reasoning]
    events += [sse(_chunk(cid, model, {"content": t})) for t in texts]
    events.append(sse({**_chunk(cid, model, {"content": ""}, "stop"), "nvext": {"w": 1}}))
    events.append(sse({"id": cid, "object": "chat.completion.chunk", "created": 1, "model": model,
                       "choices": [], "usage": _usage(prompt, completion)}))
    return [*events, DONE]


def _spaced(payload: Any) -> bytes:
    return b"data: " + json.dumps(payload, ensure_ascii=False).encode() + b"\n\n"


def hyperbolic(texts, reasoning, prompt, completion) -> list[bytes]:
    """Python json.dumps spacing; cumulative usage on every chunk, even without the flag."""
    model, cid = "meta-llama/Llama-3.3-70B-Instruct", "chatcmpl-f0d655c6"
    parts = [("", None)] + [(t, None) for t in texts]
    events = []
    for i, (text, _) in enumerate(parts):
        delta = {"role": "assistant", "content": text} if i == 0 else {"content": text}
        events.append(_spaced(_chunk(cid, model, delta, usage=_usage(prompt, i))))
    events.append(_spaced({**_chunk(cid, model, {"content": ""}, "stop",
                                    usage=_usage(prompt, completion))}))
    return [*events, DONE]


def fireworks(texts, reasoning, prompt, completion) -> list[bytes]:
    """`usage: null` on every chunk but the finish one; R1 reasoning inline as <think>."""
    model, cid = "accounts/fireworks/models/deepseek-r1", "fff5db6d-cfe7-4ab0-b064-93dabdf20085"

    def chunk(delta: dict[str, Any], finish: str | None = None, usage: Any = None):
        return {"id": cid, "object": "chat.completion.chunk", "created": 1738851194,
                "model": model, "choices": [{"index": 0, "delta": delta, "finish_reason":
                                             finish}], "usage": usage}

    events = [sse(chunk({"role": "assistant"}))]
    if reasoning:
        events += [sse(chunk({"content": p})) for p in ["<think>\n", *reasoning, "\n</think>"]]
    events += [sse(chunk({"content": t})) for t in texts]
    events.append(sse(chunk({}, "stop", _usage(prompt, completion))))
    return [*events, DONE]


def openai(texts, reasoning, prompt, completion) -> list[bytes]:
    """usage: null everywhere, `obfuscation` padding, then a `choices: []` usage chunk."""
    model, cid = "gpt-4o-mini-2024-07-18", "chatcmpl-Dx0XpqH8w09uBXwq1zFGYdETjtnEl"
    extra = {"service_tier": "default", "system_fingerprint": "fp_d0", "usage": None}
    events = [sse({**_chunk(cid, model, {"role": "assistant", "content": "", "refusal": None}),
                   **extra, "obfuscation": "C63r"})]
    events += [sse({**_chunk(cid, model, {"content": t}), **extra, "obfuscation": "qfQ"})
               for t in texts]
    events.append(sse({**_chunk(cid, model, {}, "stop"), **extra, "obfuscation": "Vsk"}))
    events.append(sse({"id": cid, "object": "chat.completion.chunk", "created": 1, "model": model,
                       "choices": [], "usage": _usage(prompt, completion, completion_tokens_details=
                                                      {"reasoning_tokens": 0}),
                       "obfuscation": "khV"}))
    return [*events, DONE]


def ollama(texts, reasoning, prompt, completion) -> list[bytes]:
    """Role only first, `delta.reasoning`, finish chunk, then a `choices: []` usage copy."""
    model, cid = "qwen3:8b", "chatcmpl-42"
    fp = {"system_fingerprint": "fp_ollama"}
    first = {"role": "assistant", "content": ""}
    events = [sse(_chunk(cid, model, first, **fp))]
    events += [sse(_chunk(cid, model, {"content": "", "reasoning": r}, **fp)) for r in reasoning]
    events += [sse(_chunk(cid, model, {"content": t}, **fp)) for t in texts]
    events.append(sse(_chunk(cid, model, {}, "stop", **fp)))
    events.append(sse({"id": cid, "object": "chat.completion.chunk", "created": 1, "model": model,
                       **fp, "choices": [], "usage": _usage(prompt, completion)}))
    return [*events, DONE]


def llamacpp(texts, reasoning, prompt, completion) -> list[bytes]:
    """`choices` first, no logprobs, `reasoning_content`, `timings` on the usage chunk."""
    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {"choices": [{"finish_reason": finish, "index": 0, "delta": delta}],
                "created": 1762855698, "id": "chatcmpl-rd0J", "model": "openai/gpt-oss-20b",
                "system_fingerprint": "b7010-c27efd2bd", "object": "chat.completion.chunk"}

    events = [sse(chunk({"role": "assistant", "content": None}))]
    events += [sse(chunk({"reasoning_content": r})) for r in reasoning]
    events += [sse(chunk({"content": t})) for t in texts]
    events.append(sse(chunk({}, "stop")))
    events.append(sse({"choices": [], "created": 1762855699, "id": "chatcmpl-rd0J",
                       "model": "openai/gpt-oss-20b", "object": "chat.completion.chunk",
                       "usage": _usage(prompt, completion),
                       "timings": {"prompt_n": 1, "predicted_n": completion}}))
    return [*events, DONE]


BUILDERS: dict[str, Builder] = {
    "openrouter": openrouter, "cerebras": cerebras, "groq": groq, "mistral": mistral,
    "huggingface": huggingface, "vercel": vercel, "nvidia": nvidia, "hyperbolic": hyperbolic,
    "fireworks": fireworks, "openai": openai, "ollama": ollama, "lmstudio": ollama,
    "llamacpp": llamacpp,
}
