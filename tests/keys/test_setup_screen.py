"""The setup screen on a minimal app (Pilot): every provider and where its key comes from;
enter, check, save (keyring / session / file), delete; a bad keyring never freezes it."""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from textual.widgets import Button, DataTable, Input, Static

from freechat.core.catalog import PROVIDERS
from freechat.core.runtime import Runtime
from tests.fakes.memory_keyring import MemoryKeyring
from tests.fakes.server import FakeProviderServer, FakeResponse
from tests.keys.backends import LockedKeyring, SleepyKeyring
from tests.keys.conftest import CANARY_KEY
from tests.keys.setup_app import SetupTestApp

SIZE = (120, 36)
KEY_OK = {"data": {"label": "x", "is_free_tier": True}}


@pytest.fixture
def runtime(fake_server: FakeProviderServer, monkeypatch: pytest.MonkeyPatch,
            keyring_timeout) -> Runtime:
    monkeypatch.setenv("FREECHAT_OPENROUTER_BASE_URL", fake_server.url)
    return Runtime.from_env()


async def settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def cell(app, provider: str, column: str) -> str:
    return str(app.screen.query_one("#providers", DataTable).get_cell(provider, column))


def text(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def enter_key(pilot, key: str, button: str | None = None) -> None:
    key_input = pilot.app.screen.query_one("#key-input", Input)
    key_input.focus()
    key_input.value = key
    if button:
        await pilot.click(f"#{button}")
    else:
        await pilot.press("enter")
    await settle(pilot)


async def test_lists_every_provider_with_tier_free_tier_and_key_source(runtime, monkeypatch):
    keyring.get_keyring().set_password("freechat", "groq", "gsk_" + "g" * 30)
    monkeypatch.setenv("HF_TOKEN", "hf_" + "h" * 30)  # the runtime reads os.environ live
    app = SetupTestApp(runtime)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#providers", DataTable)
        assert [str(k.value) for k in table.rows] == runtime.config.all_provider_ids()
        assert cell(app, "groq", "key") == "keyring …gggg"
        assert cell(app, "huggingface", "key") == "env HF_TOKEN …hhhh"
        assert cell(app, "openrouter", "key") == "missing"
        assert cell(app, "ollama", "key") == "not needed"
        assert cell(app, "openai", "tier") == "paid"
        assert cell(app, "cloudflare", "free tier") == PROVIDERS["cloudflare"].free_tier
        info = text(app, "#provider-info")
        assert "OpenRouter  (free)" in info and "https://openrouter.ai/keys" in info
        assert app.screen.query_one("#keyring-banner").has_class("-hidden")  # secure keyring
        assert app.screen.query_one("#key-input", Input).password


async def test_enter_checks_and_saves_in_the_keyring(runtime, fake_server):
    fake_server.route("GET", "/key", FakeResponse.json(KEY_OK))
    app = SetupTestApp(runtime)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await enter_key(pilot, CANARY_KEY)
        assert "Key accepted. Saved in the OS keyring." in text(app, "#key-result")
        assert cell(app, "openrouter", "key") == f"keyring …{CANARY_KEY[-4:]}"
        assert app.screen.query_one("#key-input", Input).value == ""
        assert [(c.provider_id, c.source) for c in app.changes] == [("openrouter", "keyring")]
        await pilot.press("escape")
        await pilot.pause()
    assert keyring.get_keyring().get_password("freechat", "openrouter") == CANARY_KEY
    assert fake_server.requests[-1].headers["authorization"] == f"Bearer {CANARY_KEY}"
    assert app.dismissed == [True]


async def test_rejected_key_is_not_saved(runtime, fake_server):
    fake_server.route("GET", "/key", FakeResponse.json(
        {"error": {"message": f"bad key {CANARY_KEY}", "code": 401}}, status=401))
    app = SetupTestApp(runtime)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await enter_key(pilot, CANARY_KEY)
        result = text(app, "#key-result")
        assert "OpenRouter rejected the key. Nothing was saved." in result
        assert app.screen.query_one("#key-result").has_class("-error")
        assert cell(app, "openrouter", "key") == "missing" and app.changes == []
    assert keyring.get_keyring().get_password("freechat", "openrouter") is None


async def test_check_button_only_checks(runtime, fake_server):
    fake_server.route("GET", "/key", FakeResponse.json(KEY_OK))
    app = SetupTestApp(runtime)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await enter_key(pilot, CANARY_KEY, button="check")
        assert text(app, "#key-result") == "key accepted by OpenRouter"
        assert cell(app, "openrouter", "key") == "missing"


async def test_K1_K8_no_keyring_banner_session_then_opt_in_file(runtime, fake_server,
                                                                isolated_env: Path):
    keyring.set_keyring(fail.Keyring())
    fake_server.route("GET", "/key", FakeResponse.json(KEY_OK))
    app = SetupTestApp(runtime)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        banner = text(app, "#keyring-banner")
        assert banner == "No OS keyring: keys are kept for this session only (or use env vars)"
        await enter_key(pilot, CANARY_KEY)
        assert "Kept for this session only" in text(app, "#key-result")
        assert cell(app, "openrouter", "key") == f"session only (not saved) …{CANARY_KEY[-4:]}"
        assert runtime.keys.require(PROVIDERS["openrouter"]).reveal() == CANARY_KEY
        await enter_key(pilot, CANARY_KEY, button="save-file")
        assert "Saved to a 0600 file" in text(app, "#key-result")
        assert cell(app, "openrouter", "key") == f"file (insecure) …{CANARY_KEY[-4:]}"
    assert (isolated_env / "keys.json").stat().st_mode & 0o777 == 0o600


async def test_K5_locked_keyring_banner_and_ctrl_r_retries(runtime):
    backend = LockedKeyring()
    keyring.set_keyring(backend)
    app = SetupTestApp(runtime)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert text(app, "#keyring-banner").startswith("Keyring locked — unlock it")
        backend.unlocked = True
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert app.screen.query_one("#keyring-banner").has_class("-hidden")


async def test_K6_hanging_keyring_keeps_the_screen_responsive(runtime):
    backend = SleepyKeyring()
    keyring.set_keyring(backend)
    app = SetupTestApp(runtime)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            table = app.screen.query_one("#providers", DataTable)
            table.focus()
            await pilot.press("down", "down")  # handled while the keyring thread hangs
            assert table.cursor_row == 2 and backend.calls >= 1
            assert "Cloudflare" in text(app, "#provider-info")
            await settle(pilot)
            assert "did not answer within 0.5 s" in text(app, "#keyring-banner")
            assert cell(app, "openrouter", "key") == "missing"
    finally:
        backend.release.set()


async def test_delete_key_and_delete_when_absent(runtime):
    memory = MemoryKeyring()
    memory.set_password("freechat", "openrouter", CANARY_KEY)
    keyring.set_keyring(memory)
    app = SetupTestApp(runtime)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.click("#delete")
        await settle(pilot)
        assert text(app, "#key-result") == "Key deleted from keyring."
        assert cell(app, "openrouter", "key") == "missing"
        app.screen.query_one("#delete", Button).press()  # a 2nd click lands in the active effect
        await settle(pilot)
        assert text(app, "#key-result") == "No key stored."
    assert memory.store == {}


async def test_keyless_provider_is_usable_without_a_key(runtime):
    app = SetupTestApp(runtime, provider_id="ollama")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Usable without a key." in text(app, "#provider-info")
        assert app.screen.query_one("#key-input", Input).disabled


async def test_cloudflare_says_whether_its_account_id_is_set(runtime, monkeypatch):
    monkeypatch.delenv("CLOUDFLARE_ACCOUNT_ID", raising=False)
    app = SetupTestApp(runtime, provider_id="cloudflare")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        info = text(app, "#provider-info")
        assert "Account id: not set; set CLOUDFLARE_ACCOUNT_ID or account_id under " \
               "[providers.cloudflare]" in info
    monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", "acc-123")
    app = SetupTestApp(runtime, provider_id="cloudflare")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Account id: acc-123" in text(app, "#provider-info")
    app = SetupTestApp(runtime, provider_id="groq")  # no account id to speak of
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Account id" not in text(app, "#provider-info")


async def test_S12_screen_shows_at_most_the_last_four_characters(runtime, fake_server):
    fake_server.route("GET", "/key", FakeResponse.json(KEY_OK))
    app = SetupTestApp(runtime)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        key_input = app.screen.query_one("#key-input", Input)
        key_input.focus()
        key_input.value = CANARY_KEY
        await pilot.pause()
        typing = app.export_screenshot()
        await pilot.press("enter")
        await settle(pilot)
        saved = app.export_screenshot()
    for svg in (typing, saved):
        assert CANARY_KEY[:-4] not in svg and CANARY_KEY[-5:] not in svg
    assert f"…{CANARY_KEY[-4:]}" in saved
