"""OpenAI-style `/chat/completions` streaming: most providers speak it, each with quirks.

Handled here: `stream_options.include_usage`; usage as a separate `choices: []` chunk, on the
finish chunk, cumulative on every chunk, or `null` (the last non-null one wins); reasoning as
`delta.reasoning`, `delta.reasoning_content`, `delta.reasoning_details[]`, Mistral's list
content with `thinking` parts, or a leading `<think>` block; OpenRouter's in-band `error`
chunks and `finish_reason: "error"`; keep-alive comments and non-JSON `data:` keep-alives.
A stream is complete when it carried a finish reason or `[DONE]`; anything else is interrupted.

Adapters for other wire formats (gemini.py, cloudflare.py) subclass this one and override
`chat_url`, `build_body` and `normalize_chunk`, which turns their chunks into this shape.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Mapping
from typing import Any

from freechat.core.catalog import suggest_free_model
from freechat.core.errors import (
    FreechatError,
    ModelUnavailable,
    ProtocolError,
    ProviderError,
    StreamInterrupted,
)
from freechat.core.events import (
    Finished,
    Meta,
    ReasoningDelta,
    StreamEvent,
    TextDelta,
    Usage,
    Waiting,
)
from freechat.core.providers.base import ChatRequest
from freechat.core.providers.chunks import (
    parse_usage,
    reply_events,
    split_delta,
    str_or_none,
    vercel_upstream,
)
from freechat.core.providers.error_map import error_from_response, extract_error
from freechat.core.providers.error_rules import classify
from freechat.core.providers.listing import ModelListing
from freechat.core.ratelimit_headers import rate_limits_from_headers
from freechat.core.text import SurrogateJoiner, ThinkTagSplitter

__all__ = ["OpenAICompatAdapter", "parse_usage", "reply_events", "split_delta"]

# HF model suffixes that pick a routing policy rather than an upstream provider.
HF_POLICIES = ("fastest", "cheapest", "preferred")


class OpenAICompatAdapter(ModelListing):
    chat_path = "/chat/completions"
    # Where provider-specific settings (account ids, extra URLs) are read; build_adapter
    # replaces it with the runtime's environment.
    environ: Mapping[str, str] = os.environ
    # Whether a 200 JSON body to a stream request may be a whole reply (see json_reply).
    json_replies = False

    # --- the request ----------------------------------------------------------------------
    def chat_url(self, request: ChatRequest) -> str:
        return self.base_url + self.chat_path

    def build_body(self, request: ChatRequest) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": request.model,
            "messages": [{"role": m.role, "content": m.content} for m in request.messages],
            "stream": True,
        }
        if self.spec.stream_options:
            body["stream_options"] = {"include_usage": True}
        max_tokens = request.max_tokens or self.spec.default_max_tokens
        if max_tokens is not None:
            body[self.spec.max_tokens_field] = max_tokens
        if request.temperature is not None:
            body["temperature"] = request.temperature
        return body

    def extra_headers(self) -> dict[str, str]:
        if self.spec.id == "openrouter":  # attribution, as OpenRouter asks
            return {"HTTP-Referer": "https://github.com/freechat", "X-Title": "freechat"}
        return {}

    def normalize_chunk(self, chunk: dict[str, Any]) -> dict[str, Any]:
        """Hook: turn a provider's own chunk shape into an OpenAI chat.completion.chunk."""
        return chunk

    def upstream_from_request(self, request: ChatRequest) -> str | None:
        if self.spec.id == "huggingface":  # `org/model:groq` forces that upstream provider
            _, sep, suffix = request.model.rpartition(":")
            if sep and suffix and suffix not in HF_POLICIES:
                return suffix
        return None

    # --- errors ---------------------------------------------------------------------------
    def map_error(self, provider: str, status: int, message: str | None, code: Any = None,
                  metadata: Mapping[str, Any] | None = None,
                  headers: Mapping[str, str] | None = None,
                  now: float | None = None) -> FreechatError:
        return classify(self.spec, status, message, code, metadata, headers,
                        self._clock() if now is None else now)

    def error_from_response(
        self, status: int, headers: Mapping[str, str], body: bytes, reason: str = ""
    ) -> FreechatError:
        return error_from_response(self.spec.id, status, headers, body, reason,
                                   mapper=self.map_error)

    def _in_band_error(self, chunk: Mapping[str, Any]) -> FreechatError:
        message, code, metadata = extract_error(chunk)
        status = code if isinstance(code, int) and 400 <= code < 600 else 502
        error = self.map_error(self.spec.id, status,
                               message or "the provider reported an error", code, metadata)
        error.message = f"{error.message} (after the reply had started)"
        return error

    def rate_limits_from_headers(self, headers: Mapping[str, str]) -> list[StreamEvent]:
        """Hook for the quota book: rate-limit headers → RateLimits events."""
        event = rate_limits_from_headers(headers, now=self._clock(), provider=self.spec.id)
        return [event] if event is not None else []

    # --- the stream -----------------------------------------------------------------------
    def json_reply(self, payload: Any) -> list[StreamEvent] | None:
        """Hook: events for a whole (non-streamed) JSON reply, for providers that may send
        one to a stream request. None means "not a reply" (it is then treated as an error)."""
        return None

    async def stream_chat(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        try:
            async for event in self._stream(request):
                yield event
        except ModelUnavailable as error:
            # A model gone (free variants vanish often): name a free one that should work.
            other = suggest_free_model(self.spec.id, request.model)
            if other and error.hint and error.hint.startswith("pick another model"):
                see = f"freechat models --provider {self.spec.id} --free"
                error.hint = f"try {other}, or see `{see}`"
            raise

    async def _stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        url = self.chat_url(request)
        headers = {"Accept": "text/event-stream", **self.extra_headers()}
        async with self.open_stream(
            "POST", url, json_body=self.build_body(request), headers=headers,
            expect_sse=not self.json_replies,
        ) as response:
            for event in self.rate_limits_from_headers(response.headers):
                yield event
            if self.json_replies and "json" in response.headers.get("content-type", "").lower():
                body = await self.read_body(response)  # whole: a long reply is over 64 KiB
                try:
                    events = self.json_reply(json.loads(body.decode("utf-8", "replace")))
                except ValueError:
                    events = None
                if events is None:  # an error body, as the base would treat it
                    error = self.error_from_response(response.status_code, response.headers,
                                                     body, response.reason_phrase)
                    if type(error) is ProviderError:
                        error = ProtocolError(f"expected a reply, got: {error.message}",
                                              provider=self.spec.id,
                                              hint="try again or pick another model")
                    raise error
                for event in events:
                    yield event
                return
            generation_id = response.headers.get("x-generation-id")
            upstream = self.upstream_from_request(request)
            meta: Meta | None = None
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
                if isinstance(chunk, list) and len(chunk) == 1:  # Google wraps errors
                    chunk = chunk[0]
                if not isinstance(chunk, dict):
                    continue
                if item.event == "error" or chunk.get("error"):
                    raise self._in_band_error(chunk)
                chunk = self.normalize_chunk(chunk)
                found = Meta(
                    upstream_provider=str_or_none(chunk.get("provider")) or vercel_upstream(chunk)
                    or (meta.upstream_provider if meta else upstream),
                    generation_id=(meta.generation_id if meta else None) or generation_id
                    or str_or_none(chunk.get("generationId")) or str_or_none(chunk.get("id")),
                    model_reported=(meta.model_reported if meta else None)
                    or str_or_none(chunk.get("model")),
                )
                if found != meta and any((found.upstream_provider, found.generation_id,
                                          found.model_reported)):
                    meta = found
                    yield meta
                usage = chunk.get("usage")
                x_groq = chunk.get("x_groq")
                if not isinstance(usage, dict) and isinstance(x_groq, dict):
                    usage = x_groq.get("usage")  # older Groq responses put it only there
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
