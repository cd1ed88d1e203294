"""Cloudflare Workers AI, native: `POST /accounts/{account_id}/ai/run/{model}` (fact sheet A §3).

The account id is not a secret but is required: it comes from FREECHAT_CLOUDFLARE_ACCOUNT_ID,
CLOUDFLARE_ACCOUNT_ID or `account_id` under `[providers.cloudflare]` in config, and its
absence is a MissingKey-like error before any request.
The same endpoint streams `{"response": "...", "p": "<padding>"}` events (older models) or
OpenAI-style chunks (newer ones), and ends with a cumulative `{"response": "", "usage": ...}`
and `[DONE]`. A whole JSON reply (`{"result": {...}, "success": true}`) is accepted too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any
from urllib.parse import quote

from freechat.core.catalog import resolve_account_id
from freechat.core.errors import MissingKey
from freechat.core.events import StreamEvent
from freechat.core.models import ModelInfo
from freechat.core.providers.base import ChatRequest
from freechat.core.providers.model_lists import cloudflare_model, parse_items
from freechat.core.providers.openai_compat import (
    OpenAICompatAdapter,
    reply_events,
    split_delta,
)

PER_PAGE = 100


class CloudflareAdapter(OpenAICompatAdapter):
    json_replies = True

    def account_id(self) -> str:
        account = resolve_account_id(self.spec, self.environ)
        if not account:
            raise MissingKey(
                "no account id", provider=self.spec.id,
                hint="set CLOUDFLARE_ACCOUNT_ID (or account_id under [providers.cloudflare] in "
                "config) to the account id shown in your Cloudflare dashboard "
                "(https://dash.cloudflare.com, Workers AI)",
            )
        return account

    def account_url(self) -> str:
        return f"{self.base_url}/accounts/{quote(self.account_id(), safe='')}"

    def chat_url(self, request: ChatRequest) -> str:
        # `@cf/meta/...` goes into the path as it is: its slashes are part of the route.
        return f"{self.account_url()}/ai/run/{quote(request.model, safe='/@-._~:')}"

    def build_body(self, request: ChatRequest) -> dict[str, Any]:
        body = super().build_body(request)
        body.pop("model", None)  # the model is in the path
        return body

    def extra_headers(self) -> dict[str, str]:
        return {}

    async def stream_chat(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        self.account_id()  # fail before any network traffic
        async for event in super().stream_chat(request):
            yield event

    def normalize_chunk(self, chunk: dict[str, Any]) -> dict[str, Any]:
        if isinstance(chunk.get("choices"), list):
            return chunk
        response = chunk.get("response")
        text = response if isinstance(response, str) else ""
        return {**chunk, "choices": [{"index": 0, "delta": {"content": text},
                                      "finish_reason": None}]}

    def json_reply(self, payload: Any) -> list[StreamEvent] | None:
        if not isinstance(payload, dict) or payload.get("success") is False:
            return None
        result = payload.get("result")
        if not isinstance(result, dict):
            return None
        choices = result.get("choices")
        if isinstance(choices, list) and choices and isinstance(choices[0], dict):
            message = choices[0].get("message")
            reasoning, text = split_delta(message) if isinstance(message, dict) else ("", "")
            return reply_events(reasoning, text, result.get("usage"),
                                choices[0].get("finish_reason"))
        if isinstance(result.get("response"), str):
            return reply_events("", result["response"], result.get("usage"), "stop")
        return None

    async def list_models(self) -> list[ModelInfo]:
        base = f"{self.account_url()}/ai/models/search?task=Text%20Generation&per_page={PER_PAGE}"

        def next_url(payload: Mapping[str, Any], url: str) -> str | None:
            info = payload.get("result_info")
            if not isinstance(info, dict):
                return None
            page, total = info.get("page"), info.get("total_count")
            per_page = info.get("per_page") or PER_PAGE
            if not all(isinstance(v, int) for v in (page, total, per_page)):
                return None
            return f"{base}&page={page + 1}" if page * per_page < total else None

        items = await self.get_pages(f"{base}&page=1", "result", next_url)
        return parse_items(self.spec, items, cloudflare_model)

