"""Pilot tests: the provider/model picker against the fake server."""

from __future__ import annotations

import pytest
from textual.message import Message

from freechat.ui.widgets.message import AssistantMessage
from freechat.ui.widgets.model_picker import ModelPicker
from freechat.ui.widgets.prompt import PromptInput
from tests.conftest import TEST_KEY
from tests.fakes.model_lists import LISTS
from tests.fakes.server import FakeProviderServer, FakeResponse
from tests.ui.conftest import R1
from tests.ui.pilot import (
    SIZE,
    main,
    model_leaves,
    notes,
    send,
    settle,
)


async def test_picker_lists_models_lazily_and_filter_picks_one(make_app, openrouter):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # Before a provider is opened: the bundled catalog (or cache), and no network.
        assert model_leaves(app) and not [r for r in openrouter.requests if r.path == "/models"]
        await pilot.press("f2", "down", "enter")  # filter → tree → open OpenRouter
        await settle(pilot)
        assert model_leaves(app) == [
            R1, "openrouter/meta-llama/llama-3.3-70b-instruct:free", "openrouter/openai/gpt-4o",
        ]
        await pilot.press("f2", *"llama")
        await pilot.pause()
        assert model_leaves(app) == ["openrouter/meta-llama/llama-3.3-70b-instruct:free"]
        await pilot.press("enter")  # Enter in the filter picks the first match
        await pilot.pause()
        screen = main(app)
        assert str(screen.model) == "openrouter/meta-llama/llama-3.3-70b-instruct:free"
        assert isinstance(app.focused, PromptInput)
        await settle(pilot)
        assert "key: env OPENROUTER_API_KEY" in str(screen.query_one("#status-key").render())
        assert TEST_KEY not in app.export_screenshot()


async def test_model_list_errors_show_in_the_tree(
    make_app, openrouter: FakeProviderServer, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("FREECHAT_CEREBRAS_BASE_URL", "http://127.0.0.1:9")  # refused
    monkeypatch.setenv("FREECHAT_GROQ_BASE_URL", openrouter.url + "/groq")
    openrouter.route("GET", "/groq/models",
                     FakeResponse.json({"error": {"message": "no auth"}}, status=401))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        picker = main(app).query_one(ModelPicker)
        before = list(picker.provider("cerebras").models)  # from the cache / catalog
        picker.load("cerebras")
        picker.load("groq")
        await settle(pilot)
        assert picker.provider("cerebras").problem.startswith("offline")
        assert picker.provider("groq").problem.startswith("no key")
        assert picker.provider("cerebras").models == before  # what was known stays usable
        labels = [str(child.label) for node in picker.tree.root.children
                  for child in node.children]
        assert any(label.startswith("⚠ offline") for label in labels)
        assert any(label.startswith("⚠ no key") for label in labels)
        await pilot.press("a")  # still responsive; the prompt has focus
        assert main(app).prompt.text == "a"


async def test_unknown_model_ref_is_a_notice_not_a_crash(make_app, openrouter):
    app = make_app(model="nosuchprovider/x")
    seen: list[Message] = []
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await settle(pilot)
        assert main(app).model is None
        assert any("does not start with a provider id" in n for n in notes(seen))


async def test_enter_without_a_model_asks_to_pick_one(make_app, openrouter):
    app = make_app()
    seen: list[Message] = []
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await settle(pilot)
        await send(pilot, "hi")
        await pilot.pause()
        assert any("Pick a model first" in n for n in notes(seen))
        assert app.focused is not None and app.focused.id == "picker-filter"
        assert main(app).prompt.text == "hi"  # nothing typed is lost
        assert not main(app).query(AssistantMessage)


async def test_status_shows_the_models_own_tier_once_known(make_app, openrouter):
    """OpenRouter is a free provider, but this model of it is paid: say so."""
    app = make_app(model="openrouter/openai/gpt-4o")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        badge = main(app).query_one("#status-tier")
        assert str(badge.render()).strip() == "paid" and badge.has_class("-paid")


async def test_keys_changed_reloads_a_provider_that_had_no_key(
        make_app, openrouter: FakeProviderServer, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("FREECHAT_GROQ_BASE_URL", openrouter.url + "/groq")
    path, payload, *_ = LISTS["groq"]
    openrouter.route("GET", "/groq" + path,
                     FakeResponse.json({"error": {"message": "no auth"}}, status=401),
                     FakeResponse.json(payload))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = main(app)
        picker = screen.query_one(ModelPicker)
        picker.provider("groq").expanded = True
        picker.load("groq")
        await settle(pilot)
        assert picker.provider("groq").problem.startswith("no key")
        monkeypatch.setenv("GROQ_API_KEY", "gsk_" + "k" * 40)  # what the setup screen does
        screen.keys_changed()  # the app calls this when the setup screen saved a key
        await settle(pilot)
        assert picker.provider("groq").state == "loaded"
        assert "groq/llama-3.1-8b-instant" in model_leaves(app, "groq")
