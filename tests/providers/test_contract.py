"""The contract every provider meets, run against each provider's fake (real HTTP on
127.0.0.1): exact text incl. emoji and CJK, usage as reported, reasoning as reasoning, finish,
provenance, the request it sends, every documented error body → the right typed error, and
its model list filtered as its fact sheet says."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from freechat.core import errors
from freechat.core.catalog import PROVIDERS
from freechat.core.errors import FreechatError
from freechat.core.events import Finished, Meta, ReasoningDelta, TextDelta, Usage
from freechat.core.models import ChatMessage
from freechat.core.providers import build_adapter
from freechat.core.providers.base import ChatRequest
from freechat.core.secret import Secret
from tests.fakes.model_lists import LISTS
from tests.fakes.provider_errors import ERRORS
from tests.fakes.server import FakeProviderServer, FakeResponse
from tests.providers.profiles import ACCOUNT, PROFILES, REASONING, Profile

TEXTS = ["Hello 😀 ", "漢字/かな, \u2028", "«done» 🎉\n"]
THOUGHTS = ["Let me ", "think 🤔"]
PROMPT, COMPLETION = 11, 22


def adapter_for(profile: Profile, server: FakeProviderServer, client: httpx.AsyncClient):
    return build_adapter(
        PROVIDERS[profile.id], base_url=profile.base_url(server),
        key=Secret(profile.key) if profile.key else None, client=client,
        environ={"CLOUDFLARE_ACCOUNT_ID": ACCOUNT},
    )


async def run(profile: Profile, server: FakeProviderServer,
              system: str | None = None) -> tuple[list[Any], FreechatError | None]:
    messages = [ChatMessage("system", system)] if system else []
    messages.append(ChatMessage("user", "Say hi ✋"))
    request = ChatRequest(model=profile.model, messages=messages)
    events: list[Any] = []
    async with httpx.AsyncClient() as client:
        try:
            async for event in adapter_for(profile, server, client).stream_chat(request):
                events.append(event)
        except FreechatError as error:
            return events, error
    return events, None


def joined(events: list[Any], kind: type) -> str:
    return "".join(e.text for e in events if isinstance(e, kind))


@pytest.mark.parametrize("pid", list(PROFILES))
async def test_stream_exact_text_usage_reasoning_finish(pid: str, fake_server):
    profile = PROFILES[pid]
    thoughts = THOUGHTS if pid in REASONING else []
    fake_server.route("POST", profile.chat_path(), FakeResponse.sse(
        profile.stream(TEXTS, thoughts, PROMPT, COMPLETION)))
    events, error = await run(profile, fake_server)
    assert error is None, error
    assert joined(events, TextDelta) == "".join(TEXTS)
    assert joined(events, ReasoningDelta).strip() == "".join(thoughts).strip()
    usage = [e for e in events if isinstance(e, Usage)][-1]
    assert (usage.input_tokens, usage.output_tokens) == (PROMPT, COMPLETION)
    assert events[-1] == Finished("stop")
    assert [e for e in events if isinstance(e, Finished)] == [Finished("stop")]
    metas = [e for e in events if isinstance(e, Meta)]
    assert metas and metas[-1].generation_id
    if profile.upstream:
        assert metas[-1].upstream_provider == profile.upstream


@pytest.mark.parametrize("pid", list(PROFILES))
async def test_request_shape(pid: str, fake_server):
    profile = PROFILES[pid]
    fake_server.route("POST", profile.chat_path(), FakeResponse.sse(
        profile.stream(["ok"], [], 1, 1)))
    _, error = await run(profile, fake_server, system="Be brief.")
    assert error is None, error
    sent = fake_server.requests[-1]
    assert sent.method == "POST" and sent.path == profile.chat_path()
    body = sent.json()
    if pid == "gemini":  # key in the header only, never the URL
        assert sent.headers["x-goog-api-key"] == profile.key
        assert "authorization" not in sent.headers and "key" not in sent.query
        assert sent.query == {"alt": ["sse"]}
        assert body["contents"] == [{"role": "user", "parts": [{"text": "Say hi ✋"}]}]
        assert body["systemInstruction"] == {"parts": [{"text": "Be brief."}]}
        assert body["generationConfig"]["thinkingConfig"] == {"includeThoughts": True}
        return
    if profile.key:
        assert sent.headers["authorization"] == f"Bearer {profile.key}"
    else:
        assert "authorization" not in sent.headers
    assert body["stream"] is True
    assert body["messages"] == [{"role": "system", "content": "Be brief."},
                                {"role": "user", "content": "Say hi ✋"}]
    if pid == "cloudflare":
        assert "model" not in body and body["max_tokens"] == 2048
    else:
        assert body["model"] == profile.model
    spec = PROVIDERS[pid]
    assert ("stream_options" in body) == spec.stream_options
    if pid == "openrouter":
        assert sent.headers["x-title"] == "freechat"


ERROR_CASES = [(pid, case) for pid, cases in ERRORS.items() for case in cases]


def error_response(status: int, body: Any, headers: dict[str, str]) -> FakeResponse:
    if isinstance(body, str):
        kind = "text/html" if body.startswith("<") else "text/plain"
        return FakeResponse.text(body, status, kind, headers)
    content_type = headers.pop("content-type", "application/json")
    response = FakeResponse.json(body, status, headers)
    response.headers["content-type"] = content_type
    return response


@pytest.mark.parametrize(("pid", "case"), ERROR_CASES,
                         ids=[f"{pid}-{case[0]}" for pid, case in ERROR_CASES])
async def test_error_bodies_map_to_typed_errors(pid: str, case: tuple, fake_server):
    name, status, body, headers, expected = case
    profile = PROFILES[pid]
    fake_server.route("POST", profile.chat_path(), error_response(status, body, dict(headers)))
    events, error = await run(profile, fake_server)
    assert events == []
    assert type(error) is getattr(errors, expected), (name, error)
    line = error.one_line()
    assert "\n" not in line and line.startswith(f"{pid}: ") and error.hint
    if profile.key:
        assert profile.key not in line


@pytest.mark.parametrize("pid", sorted(LISTS))
async def test_model_list_is_filtered_as_the_fact_sheet_says(pid: str, fake_server):
    profile = PROFILES[pid]
    path, payload, everything, free = LISTS[pid]
    fake_server.route("GET", profile.models_path() + path.removeprefix("/models"),
                      FakeResponse.json(payload))
    async with httpx.AsyncClient() as client:
        models = await adapter_for(profile, fake_server, client).list_models()
    assert {m.ref.model for m in models} == everything
    assert {m.ref.model for m in models if m.is_free} == free
    assert all(m.ref.provider == pid for m in models)
    if PROVIDERS[pid].tier in ("paid", "trial-credit"):
        assert not any(m.is_free for m in models)
