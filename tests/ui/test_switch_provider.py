"""Issue 3: switch providers in the picker mid-conversation and keep chatting — the history
travels to the new provider, each reply remembers its own model."""

from __future__ import annotations

import pytest

from freechat.ui.widgets.message import AssistantMessage
from tests.fakes.openai_stream import openai_stream, openrouter_stream
from tests.fakes.server import FakeProviderServer, FakeResponse
from tests.ui.conftest import R1
from tests.ui.pilot import SIZE, answer_text, main, saved, send, settle

GROQ_KEY = "gsk_" + "9" * 48
GROQ_MODEL = "groq/llama-3.1-8b-instant"


async def test_switch_provider_in_the_picker_and_keep_chatting(
    make_app, openrouter: FakeProviderServer, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("FREECHAT_GROQ_BASE_URL", openrouter.url + "/groq")
    monkeypatch.setenv("GROQ_API_KEY", GROQ_KEY)
    openrouter.route("POST", "/chat/completions",
                     FakeResponse.sse(openrouter_stream(["from openrouter"])))
    openrouter.route("POST", "/groq/chat/completions", FakeResponse.sse(
        openai_stream(["from ", "groq"], model="llama-3.1-8b-instant")))
    app = make_app(model=R1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await send(pilot, "one")
        await settle(pilot)
        await pilot.press("f2", *"llama-3.1-8b-instant", "enter")  # filter, pick first match
        await settle(pilot)
        assert str(main(app).model) == GROQ_MODEL
        await send(pilot, "two")
        await settle(pilot)
        replies = list(main(app).query(AssistantMessage))
        assert [m.border_title for m in replies] == [R1, GROQ_MODEL]
        assert [answer_text(m) for m in replies] == ["from openrouter", "from groq"]
        groq_calls = [r for r in openrouter.requests if r.path == "/groq/chat/completions"]
        assert len(groq_calls) == 1
        assert groq_calls[0].headers["authorization"] == f"Bearer {GROQ_KEY}"
        body = groq_calls[0].json()
        assert body["model"] == "llama-3.1-8b-instant"
        assert [m["content"] for m in body["messages"]] == ["one", "from openrouter", "two"]
        assert [m.model for m in saved(app).messages if m.role == "assistant"] == [
            R1, GROQ_MODEL]
