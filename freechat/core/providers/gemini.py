"""Google Gemini, native: `models/{model}:streamGenerateContent?alt=sse` (fact sheet A §4).

The key goes ONLY in the `x-goog-api-key` header: a `?key=` URL ends up in httpx's logs and
exception messages. The stream has CRLF event endings, no `[DONE]` (it closes after the chunk
that carries `finishReason`), cumulative `usageMetadata` on every chunk, and thinking as parts
flagged `"thought": true`. Each chunk is turned into an OpenAI-style chunk so the shared loop
in openai_compat.py does the rest (surrogates, keep-alives, interruption, in-band errors).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from freechat.core.events import StreamEvent
from freechat.core.models import ModelInfo
from freechat.core.providers.base import ChatRequest
from freechat.core.providers.model_lists import gemini_model, parse_items
from freechat.core.providers.openai_compat import OpenAICompatAdapter, reply_events

API_VERSION = "v1beta"
FINISH_REASONS = {
    "STOP": "stop",
    "MAX_TOKENS": "length",
    "SAFETY": "content_filter",
    "RECITATION": "content_filter",
    "BLOCKLIST": "content_filter",
    "PROHIBITED_CONTENT": "content_filter",
    "SPII": "content_filter",
    "IMAGE_SAFETY": "content_filter",
    "FINISH_REASON_UNSPECIFIED": "other",
}
# Models that think and can return their thoughts; asking others for thoughts is an error.
_THINKING = re.compile(r"gemini-(?:2\.5|[3-9])|gemini-(?:flash|flash-lite|pro)-latest")


def gemini_usage(meta: Mapping[str, Any]) -> dict[str, Any]:
    """usageMetadata → OpenAI usage. candidatesTokenCount excludes the thoughts."""
    usage: dict[str, Any] = {
        "prompt_tokens": meta.get("promptTokenCount"),
        "completion_tokens": meta.get("candidatesTokenCount"),
    }
    if meta.get("thoughtsTokenCount") is not None:
        usage["completion_tokens_details"] = {"reasoning_tokens": meta["thoughtsTokenCount"]}
    return usage


def gemini_chunk(chunk: Mapping[str, Any]) -> dict[str, Any]:
    """One native response chunk → one OpenAI chat.completion.chunk."""
    text, thought, finish = [], [], None
    candidates = chunk.get("candidates")
    first = candidates[0] if isinstance(candidates, list) and candidates else None
    if isinstance(first, dict):
        content = first.get("content") if isinstance(first.get("content"), dict) else {}
        for part in content.get("parts") or []:
            piece = part.get("text") if isinstance(part, dict) else None
            if isinstance(piece, str) and piece:  # empty parts carry only a thoughtSignature
                (thought if part.get("thought") is True else text).append(piece)
        reason = first.get("finishReason")
        if isinstance(reason, str) and reason:
            finish = FINISH_REASONS.get(reason, reason.lower())
    feedback = chunk.get("promptFeedback")
    if finish is None and isinstance(feedback, dict) and feedback.get("blockReason"):
        finish = "content_filter"  # the prompt itself was blocked: no candidates at all
    out: dict[str, Any] = {
        "id": chunk.get("responseId"),
        "model": chunk.get("modelVersion"),
        "choices": [{"index": 0, "finish_reason": finish,
                     "delta": {"content": "".join(text), "reasoning": "".join(thought)}}],
    }
    if isinstance(chunk.get("usageMetadata"), dict):
        out["usage"] = gemini_usage(chunk["usageMetadata"])
    return out


class GeminiAdapter(OpenAICompatAdapter):
    def auth_headers(self) -> dict[str, str]:
        if self._key is None:
            return {}
        return {"x-goog-api-key": self._key.reveal()}

    def api_root(self) -> str:
        """The base URL plus the API version, unless the configured URL already has one."""
        if re.search(r"/v1(?:alpha|beta)?\d*$", self.base_url):
            return self.base_url
        return f"{self.base_url}/{API_VERSION}"

    def chat_url(self, request: ChatRequest) -> str:
        model = quote(request.model.removeprefix("models/"), safe="-._~@")
        return f"{self.api_root()}/models/{model}:streamGenerateContent?alt=sse"

    def build_body(self, request: ChatRequest) -> dict[str, Any]:
        system: list[dict[str, str]] = []
        contents: list[dict[str, Any]] = []
        for message in request.messages:
            if message.role == "system":
                system.append({"text": message.content})
                continue
            role = "model" if message.role == "assistant" else "user"
            if contents and contents[-1]["role"] == role:  # turns must alternate
                contents[-1]["parts"].append({"text": message.content})
            else:
                contents.append({"role": role, "parts": [{"text": message.content}]})
        body: dict[str, Any] = {"contents": contents}
        if system:
            body["systemInstruction"] = {"parts": system}
        config: dict[str, Any] = {}
        if request.max_tokens is not None:
            config["maxOutputTokens"] = request.max_tokens
        if request.temperature is not None:
            config["temperature"] = request.temperature
        if _THINKING.search(request.model):
            config["thinkingConfig"] = {"includeThoughts": True}
        if config:
            body["generationConfig"] = config
        return body

    def extra_headers(self) -> dict[str, str]:
        return {}

    def normalize_chunk(self, chunk: dict[str, Any]) -> dict[str, Any]:
        return gemini_chunk(chunk)

    # Without alt=sse (a proxy dropping the query) the answer is one JSON array of chunks.
    json_replies = True

    def json_reply(self, payload: Any) -> list[StreamEvent] | None:
        chunks = payload if isinstance(payload, list) else [payload]
        if not chunks or not all(
            isinstance(c, dict) and ("candidates" in c or "promptFeedback" in c) for c in chunks
        ):
            return None  # e.g. a list-wrapped error
        text, thought, usage, finish = [], [], None, None
        for chunk in map(gemini_chunk, chunks):
            choice = chunk["choices"][0]
            text.append(choice["delta"]["content"])
            thought.append(choice["delta"]["reasoning"])
            usage = chunk.get("usage", usage)
            finish = choice["finish_reason"] or finish
        if finish is None:
            return None
        return reply_events("".join(thought), "".join(text), usage, finish)

    async def list_models(self) -> list[ModelInfo]:
        base = f"{self.api_root()}/models?pageSize=1000"

        def next_url(payload: Mapping[str, Any], url: str) -> str | None:
            token = payload.get("nextPageToken")
            return f"{base}&pageToken={quote(token)}" if isinstance(token, str) and token else None

        items = await self.get_pages(base, "models", next_url)
        return parse_items(self.spec, items, gemini_model)
