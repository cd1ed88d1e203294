"""Cloudflare Workers AI native `/ai/run/{model}` bytes (fact sheet A §3.2), error envelopes
(§3.5) and the model search payload (§3.3).

Older models stream `{"response": "...", "p": "<random padding>"}` events, newer ones
OpenAI-style chunks (reasoning in `reasoning_content`), both ending with a cumulative
`{"response": "", "usage": {...}}` and `data: [DONE]`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tests.fakes.openai_stream import DONE, sse

PAD = "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123"


def usage(prompt: int, completion: int, neurons: float | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"prompt_tokens": prompt, "completion_tokens": completion,
                             "total_tokens": prompt + completion}
    if neurons is not None:
        found["neurons"] = neurons
    return found


def response_stream(texts: Sequence[str], *, prompt_tokens: int = 755,
                    completion_tokens: int = 10, done: bool = True) -> list[bytes]:
    events = [sse({"response": text, "p": PAD[: 8 + 7 * i % 50]}) for i, text in enumerate(texts)]
    events.append(sse({"response": ""}))
    events.append(sse({"response": "", "usage": usage(prompt_tokens, completion_tokens)}))
    if done:
        events.append(DONE)
    return events


def chunk_stream(texts: Sequence[str], *, reasoning: Sequence[str] = (),
                 prompt_tokens: int = 40, completion_tokens: int = 12,
                 model: str = "@cf/openai/gpt-oss-120b") -> list[bytes]:
    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {"id": "chatcmpl-cf1", "object": "chat.completion.chunk", "created": 1780000000,
                "model": model, "p": PAD[:13],
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

    events = [sse(chunk({"role": "assistant", "content": ""}))]
    events += [sse(chunk({"reasoning_content": r})) for r in reasoning]
    events += [sse(chunk({"content": t})) for t in texts]
    events.append(sse(chunk({}, "stop")))
    events.append(sse({"response": "", "usage": usage(prompt_tokens, completion_tokens, 1.77)}))
    events.append(DONE)
    return events


def envelope(code: int, message: str) -> dict[str, Any]:
    return {"result": None, "success": False, "errors": [{"code": code, "message": message}],
            "messages": []}


DAILY_NEURONS = envelope(3036, "You have used up your daily free allocation of 10,000 neurons, "
                         "please upgrade to Cloudflare's Workers Paid plan if you would like to "
                         "continue usage.")
BAD_TOKEN = envelope(10000, "Authentication error")
NO_SUCH_MODEL = envelope(5007, "No such model @cf/meta/nope or task")
BAD_ACCOUNT = envelope(7003, "Could not route to /client/v4/accounts/nope/ai/run/@cf/x, perhaps "
                       "your object identifier is invalid?")
CAPACITY = envelope(3040, "Capacity temporarily exceeded, please try again.")
TOO_LARGE = envelope(3006, "Request is too large")
PERMISSION = envelope(5018, "This account is not allowed to access this model")


def search_model(name: str, *, task: str = "Text Generation", paid: bool = False,
                 reasoning: bool = False, context: str = "128000") -> dict[str, Any]:
    props: list[dict[str, Any]] = [{"property_id": "context_window", "value": context}]
    if reasoning:
        props.append({"property_id": "reasoning", "value": "true"})
    if paid:
        props.append({"property_id": "require_workers_paid", "value": "true"})
    props.append({"property_id": "price", "value": [
        {"unit": "per M input tokens", "price": 0.045, "currency": "USD"},
        {"unit": "per M output tokens", "price": 0.384, "currency": "USD"}]})
    return {"id": f"uuid-{name}", "name": name, "description": "…", "source": 1,
            "task": {"id": "t1", "name": task, "description": "…"},
            "created_at": "2025-01-01 00:00:00", "tags": [], "properties": props}


def search_page(models: list[dict[str, Any]], page: int, total: int,
                per_page: int = 100) -> dict[str, Any]:
    return {"success": True, "errors": [], "messages": [], "result": models,
            "result_info": {"count": len(models), "page": page, "per_page": per_page,
                            "total_count": total}}


MODELS = [
    search_model("@cf/meta/llama-3.1-8b-instruct-fp8-fast"),
    search_model("@cf/openai/gpt-oss-120b", reasoning=True),
    search_model("@cf/moonshotai/kimi-k2.6", paid=True, reasoning=True),
    search_model("@cf/baai/bge-m3", task="Text Embeddings"),
]
MODELS_FREE = {"@cf/meta/llama-3.1-8b-instruct-fp8-fast", "@cf/openai/gpt-oss-120b"}
