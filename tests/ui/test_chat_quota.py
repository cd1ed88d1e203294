"""Pilot tests: quota in the chat screen (issue 4) and local servers (issue 3) — the quota
bar, dimmed exhausted models, the warning before sending to one, the free-only fallback."""

from __future__ import annotations

import time

import pytest
from textual.message import Message

from freechat.core.models import ModelRef
from freechat.ui.widgets.model_picker import ModelPicker
from tests.fakes.faults import f24_openrouter
from tests.fakes.openai_stream import openrouter_stream
from tests.fakes.server import FakeProviderServer, FakeResponse
from tests.ui.conftest import R1
from tests.ui.pilot import (
    FAST,
    SIZE,
    answer_text,
    footer_text,
    last_reply,
    main,
    notes,
    responds,
    saved,
    send,
    settle,
    write_config,
)

GROQ = "groq/llama-3.1-8b-instant"
GPT = "openrouter/openai/gpt-4o"


def labels(app, provider: str = "openrouter") -> dict[str, str]:
    picker = main(app).query_one(ModelPicker)
    found = {}
    for node in picker.tree.root.children:
        if node.data is picker.provider(provider):
            for leaf in node.children:
                if leaf.data is not None:
                    found[str(leaf.data.ref)] = str(leaf.label)
    return found


def daily_limit(server: FakeProviderServer) -> None:
    """OpenRouter's free-models-per-day 429, resetting in three hours."""
    reset_ms = int((time.time() + 3 * 3600) * 1000)
    server.route("POST", "/chat/completions", *f24_openrouter(reset_ms).responses)


@pytest.fixture
def groq(openrouter: FakeProviderServer, monkeypatch: pytest.MonkeyPatch):
    """A second free provider with a key, on the same fake server."""
    monkeypatch.setenv("FREECHAT_GROQ_BASE_URL", openrouter.url + "/groq")
    monkeypatch.setenv("GROQ_API_KEY", "gsk_" + "g" * 40)
    openrouter.route("POST", "/groq/chat/completions", FakeResponse.sse(openrouter_stream(
        ["From Groq."], model="llama-3.1-8b-instant")))
    return openrouter


async def test_quota_bar_counts_each_reply(make_app, openrouter):
    openrouter.route("POST", "/chat/completions", FakeResponse.sse(openrouter_stream(["Hi."])))
    app = make_app(model=R1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        bar = main(app).quota_bar
        assert "req/day ≈50/50" in str(bar.render())  # nothing used yet today
        await send(pilot, "hi")
        await settle(pilot)
        assert bar.snapshot is not None and bar.snapshot.provider == "openrouter"
        assert "req/day ≈49/50" in str(bar.render())  # counted by freechat


async def test_F24_exhausted_models_are_dimmed_and_sending_to_one_warns_first(
        make_app, openrouter, isolated_env):
    write_config(isolated_env, FAST)
    daily_limit(openrouter)
    app = make_app(model=R1)
    seen: list[Message] = []
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await settle(pilot)
        await send(pilot, "hi")
        await settle(pilot)
        assert "daily quota" in footer_text(last_reply(app))
        shown = labels(app)
        assert "⊘ back" in shown[R1]  # dimmed, saying when it comes back
        assert "⊘" not in shown[GPT]  # the free-model limit does not cover a paid model
        sent = len(openrouter.requests)
        await send(pilot, "again")
        await settle(pilot)
        assert any(n.startswith("Quota used up:") and "requests/day used up" in n
                   for n in notes(seen))
        assert len(openrouter.requests) == sent  # warned, not sent
        assert main(app).prompt.text == "again"  # the prompt is still there
        await pilot.press("enter")  # Enter again: the user insists
        await settle(pilot)
        assert len(openrouter.requests) == sent + 1


async def test_fallback_is_offered_and_taken_with_a_key(make_app, groq, isolated_env):
    write_config(isolated_env, f'fallback = ["{GROQ}"]\n' + FAST)
    daily_limit(groq)
    app = make_app(model=R1)
    seen: list[Message] = []
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await settle(pilot)
        await send(pilot, "hi")
        await settle(pilot)
        assert str(main(app).model) == R1  # offered, not done
        assert any(f"ask {GROQ} instead" in n for n in notes(seen))
        await pilot.press("ctrl+f")
        await settle(pilot)
        assert str(main(app).model) == GROQ
        assert answer_text(last_reply(app)) == "From Groq."
        conv = saved(app)
        assert [m.content for m in conv.messages] == ["hi", "From Groq."]
        assert conv.messages[1].model == GROQ
        assert conv.messages[1].alternatives[0].status == "error"  # the 429 stays on record
        await responds(pilot)


async def test_auto_fallback_switches_and_says_so(make_app, groq, isolated_env):
    write_config(isolated_env, f'fallback = ["{GROQ}"]\nauto_fallback = true\n' + FAST)
    daily_limit(groq)
    app = make_app(model=R1)
    seen: list[Message] = []
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await settle(pilot)
        await send(pilot, "hi")
        await settle(pilot)
        await settle(pilot)
        assert str(main(app).model) == GROQ
        assert any(f"switched to {GROQ}" in n for n in notes(seen))
        assert answer_text(last_reply(app)) == "From Groq."


async def test_fallback_never_picks_a_paid_model_unless_listed(make_app, openrouter,
                                                               isolated_env):
    write_config(isolated_env, 'auto_fallback = true\n' + FAST)  # fallback: auto
    daily_limit(openrouter)
    app = make_app(model=R1)
    seen: list[Message] = []
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await settle(pilot)
        await send(pilot, "hi")
        await settle(pilot)
        await settle(pilot)
        # openai/gpt-4o on OpenRouter has quota left, but it is paid: not a fallback.
        assert str(main(app).model) == R1
        assert any("no other free model" in n for n in notes(seen))


async def test_local_servers_appear_in_the_picker_only_when_detected(
        make_app, openrouter, monkeypatch):
    monkeypatch.setenv("FREECHAT_OLLAMA_BASE_URL", openrouter.url + "/v1")
    monkeypatch.setenv("FREECHAT_LMSTUDIO_BASE_URL", "http://127.0.0.1:9/v1")  # refused
    monkeypatch.setenv("FREECHAT_LLAMACPP_BASE_URL", "http://127.0.0.1:9/v1")
    openrouter.route("GET", "/api/version", FakeResponse.json({"version": "0.6.5"}))
    openrouter.route("GET", "/api/tags", FakeResponse.json(
        {"models": [{"name": "qwen3:4b", "model": "qwen3:4b"}]}))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        picker = main(app).query_one(ModelPicker)
        assert picker.provider("ollama") is not None
        assert picker.provider("lmstudio") is None and picker.provider("llamacpp") is None
        models = [m.ref for m in picker.known_models() if m.ref.provider == "ollama"]
        assert models == [ModelRef("ollama", "qwen3:4b")]
        assert "ollama" in main(app).local_providers


async def test_no_local_provider_without_a_server(make_app, openrouter, monkeypatch):
    for name in ("OLLAMA", "LMSTUDIO", "LLAMACPP"):
        monkeypatch.setenv(f"FREECHAT_{name}_BASE_URL", "http://127.0.0.1:9/v1")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        picker = main(app).query_one(ModelPicker)
        assert all(picker.provider(p) is None for p in ("ollama", "lmstudio", "llamacpp"))
