"""OpenAI-style `/chat/completions` streaming: most providers speak it, each with quirks.

Handled here: `stream_options.include_usage`; usage as a separate `choices: []` chunk, on the
finish chunk, cumulative on every chunk, or `null` (the last non-null one wins); reasoning as
`delta.reasoning`, `delta.reasoning_content`, `delta.reasoning_details[]`, Mistral's list
content with `thinking` parts, or a leading `<think>` block; OpenRouter's in-band `error`
chunks and `finish_reason: "error"`; keep-alive comments and non-JSON `data:` keep-alives.
A stream is complete when it carried a finish reason or `[DONE]`; anything else is interrupted.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from typing import Any

from freechat.core.errors import ProtocolError, StreamInterrupted
from freechat.core.events import (
    Finished,
    Meta,
    ReasoningDelta,
    StreamEvent,
    TextDelta,
    Usage,
    Waiting,
)
from freechat.core.models import TIER_FREE, TIER_PAID, ModelInfo, ModelRef
from freechat.core.providers.base import ChatRequest, HTTPAdapter, extract_error, map_error
from freechat.core.ratelimit_headers import rate_limits_from_headers
from freechat.core.text import SurrogateJoiner, ThinkTagSplitter


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


class OpenAICompatAdapter(HTTPAdapter):
    chat_path = "/chat/completions"
    models_path = "/models"

    def build_body(self, request: ChatRequest) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": request.model,
            "messages": [{"role": m.role, "content": m.content} for m in request.messages],
            "stream": True,
        }
        if self.spec.stream_options:
            body["stream_options"] = {"include_usage": True}
        if request.max_tokens is not None:
            body["max_tokens"] = request.max_tokens
        if request.temperature is not None:
            body["temperature"] = request.temperature
        return body

    def extra_headers(self) -> dict[str, str]:
        if self.spec.id == "openrouter":  # attribution, as OpenRouter asks
            return {"HTTP-Referer": "https://github.com/freechat", "X-Title": "freechat"}
        return {}

    def rate_limits_from_headers(self, headers: Mapping[str, str]) -> list[StreamEvent]:
        """Hook for the quota book: rate-limit headers → RateLimits events."""
        event = rate_limits_from_headers(headers, now=self._clock(), provider=self.spec.id)
        return [event] if event is not None else []

    async def stream_chat(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        url = self.base_url + self.chat_path
        async with self.open_stream(
            "POST", url, json_body=self.build_body(request), headers=self.extra_headers()
        ) as response:
            for event in self.rate_limits_from_headers(response.headers):
                yield event
            generation_id = response.headers.get("x-generation-id")
            meta_sent = False
            finish: str | None = None
            done = False
            text_joiner, reasoning_joiner = SurrogateJoiner(), SurrogateJoiner()
            think = ThinkTagSplitter()
            last_usage: Usage | None = None
            async for item in self.iter_sse(response):
                if isinstance(item, Waiting):
                    yield item
                    continue
                data = item.data.strip()
                if data == "[DONE]":
                    done = True
                    break
                try:
                    chunk = json.loads(data)
                except ValueError:
                    if item.event == "error":
                        raise self._in_band_error({"error": {"message": data}}) from None
                    yield Waiting(data[:40])  # e.g. "data: : keepalive" (Vertex-style)
                    continue
                if not isinstance(chunk, dict):
                    continue
                if item.event == "error" or chunk.get("error"):
                    raise self._in_band_error(chunk)
                if not meta_sent and (chunk.get("provider") or chunk.get("id") or generation_id):
                    meta_sent = True
                    yield Meta(
                        upstream_provider=_str(chunk.get("provider")),
                        generation_id=generation_id or _str(chunk.get("id")),
                        model_reported=_str(chunk.get("model")),
                    )
                usage = chunk.get("usage")
                if isinstance(usage, dict):
                    parsed = parse_usage(usage)
                    if parsed != last_usage:
                        last_usage = parsed
                        yield parsed
                choices = chunk.get("choices")
                if not isinstance(choices, list) or not choices:
                    continue
                choice = choices[0]
                if not isinstance(choice, dict):
                    continue
                delta = choice.get("delta")
                if isinstance(delta, dict):
                    reasoning, content = split_delta(delta)
                    thought, content = think.feed(content) if content else ("", "")
                    reasoning = reasoning_joiner.feed(reasoning + thought)
                    if reasoning:
                        yield ReasoningDelta(reasoning)
                    content = text_joiner.feed(content)
                    if content:
                        yield TextDelta(content)
                reason = choice.get("finish_reason")
                if reason == "error":
                    raise self._in_band_error(chunk)
                if isinstance(reason, str) and reason and finish is None:
                    finish = reason
            thought, content = think.flush()
            tail_reasoning = reasoning_joiner.feed(thought) + reasoning_joiner.flush()
            if tail_reasoning:
                yield ReasoningDelta(tail_reasoning)
            tail_text = text_joiner.feed(content) + text_joiner.flush()
            if tail_text:
                yield TextDelta(tail_text)
            if finish is None and not done:
                raise StreamInterrupted(
                    "the reply stream ended early, before the provider said it was finished",
                    provider=self.spec.id, hint="the partial reply was kept; try again",
                )
            yield Finished(finish or "stop")

    def _in_band_error(self, chunk: Mapping[str, Any]) -> Exception:
        message, code, metadata = extract_error(chunk)
        status = code if isinstance(code, int) and 400 <= code < 600 else 502
        error = map_error(self.spec.id, status, message or "the provider reported an error",
                          code, metadata, now=self._clock())
        error.message = f"{error.message} (after the reply had started)"
        return error

    def model_tier(self, item: Mapping[str, Any]) -> str:
        """Free / paid label for one `/models` entry. Providers refine this (issue: providers)."""
        if self.spec.id == "openrouter":
            model_id = str(item.get("id", ""))
            pricing = item.get("pricing") if isinstance(item.get("pricing"), dict) else {}
            zero = str(pricing.get("prompt")) == "0" and str(pricing.get("completion")) == "0"
            return TIER_FREE if model_id.endswith(":free") or zero else TIER_PAID
        return self.spec.tier

    def include_model(self, item: Mapping[str, Any]) -> bool:
        model_id = str(item.get("id", ""))
        return bool(model_id) and model_id not in ("openrouter/auto", "openrouter/free")

    async def list_models(self) -> list[ModelInfo]:
        payload = await self.get_json(
            self.base_url + self.models_path, authenticated=self._key is not None
        )
        items = payload.get("data") if isinstance(payload, dict) else payload
        if not isinstance(items, list):
            raise ProtocolError("the model list has an unexpected shape", provider=self.spec.id)
        models = []
        for item in items:
            if not isinstance(item, dict) or not self.include_model(item):
                continue
            context = item.get("context_length")
            params = item.get("supported_parameters")
            models.append(
                ModelInfo(
                    ref=ModelRef(self.spec.id, str(item["id"])),
                    name=str(item.get("name") or item["id"]),
                    tier=self.model_tier(item),
                    context_length=context if isinstance(context, int) else None,
                    reasoning=isinstance(params, list) and "reasoning" in params,
                )
            )
        return models


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
