"""Secrets never leak: crash output (S4), formatted tracebacks of user-facing errors (S5),
reprs and pickling (S6), child process environments (S10)."""

from __future__ import annotations

import pickle
import traceback

import httpx
import keyring
import pytest
from textual import work
from textual.app import App, ComposeResult
from textual.widgets import Static
from textual.worker import WorkerFailed

from freechat.core.catalog import PROVIDERS
from freechat.core.config import Config
from freechat.core.errors import FreechatError
from freechat.core.keyring_store import KeyringStore
from freechat.core.keys import KeyLookup, KeyStoreUnavailable, child_environ
from freechat.core.providers.error_map import error_from_response
from freechat.core.runtime import Runtime
from freechat.core.secret import Secret
from freechat.ui.safe_errors import SafeErrorsMixin
from tests.fakes.memory_keyring import MemoryKeyring
from tests.fakes.server import FakeResponse
from tests.keys.conftest import CANARY_KEY


def leaked(text: str, key: str = CANARY_KEY) -> bool:
    """Any recognisable piece of the key (the last four characters may be shown)."""
    return key in text or key[:-4] in text or key[9:40] in text


class Crashing:
    """A provider worker that holds the key in locals and headers, then crashes."""

    secret: Secret

    def compose(self) -> ComposeResult:
        yield Static("chat")

    def on_mount(self) -> None:
        self.call_provider()

    @work(exit_on_error=True)
    async def call_provider(self) -> None:
        api_key = self.secret.reveal()
        headers = {"Authorization": f"Bearer {api_key}", "x-goog-api-key": api_key}
        raise ValueError(f"provider exploded while sending {headers}")


class StockApp(Crashing, App[None]):
    def __init__(self, secret: Secret) -> None:
        super().__init__()
        self.secret = secret


class SafeApp(SafeErrorsMixin, StockApp):
    pass


async def crash_output(app_class: type[App[None]], capsys: pytest.CaptureFixture[str]) -> str:
    app = app_class(Secret(CANARY_KEY))
    with pytest.raises(WorkerFailed):
        async with app.run_test() as pilot:
            await pilot.pause()
            await app.workers.wait_for_complete()
    return capsys.readouterr().err


async def test_S4_stock_textual_crash_output_shows_the_key(capsys):
    """The control: without the override, Textual prints locals (so the S4 test can fail)."""
    output = await crash_output(StockApp, capsys)
    assert "api_key = 'sk" in output and "locals" in output
    assert leaked(output)


async def test_S4_safe_crash_output_has_no_key_and_no_locals(capsys):
    output = await crash_output(SafeApp, capsys)
    found = leaked(output)  # rendered first, compared after (no assert temporaries hold it)
    assert "ValueError" in output and "provider exploded" in output
    assert "[redacted]" in output
    assert not found
    assert "api_key = 'sk" not in output and "locals" not in output


def test_S5_formatted_tracebacks_of_provider_errors_have_no_key():
    bodies = [
        (401, {"error": {"message": f"Invalid key: Bearer {CANARY_KEY}", "code": 401}}),
        (402, {"error": {"message": f"key {CANARY_KEY} is out of credit"}}),
        (403, {"detail": f"Authorization failed for {CANARY_KEY}"}),
        (404, {"error": {"message": f"no model for ?key={CANARY_KEY}"}}),
        (429, {"error": {"message": f"rate limited {CANARY_KEY}", "code": 429}}),
        (400, {"error": {"message": f"context length exceeded ({CANARY_KEY})"}}),
        (500, {"message": f"upstream said {CANARY_KEY}"}),
    ]
    seen: set[str] = set()
    for status, body in bodies:
        import json

        error = error_from_response("openrouter", status, {"content-type": "application/json"},
                                    json.dumps(body).encode())
        seen.add(type(error).__name__)
        try:
            try:
                raise httpx.HTTPStatusError(f"{status} for Bearer {CANARY_KEY}", request=None,
                                            response=None)  # type: ignore[arg-type]
            except httpx.HTTPStatusError:
                raise error from None
        except FreechatError as raised:
            text = "".join(traceback.format_exception(raised))
        assert not leaked(text), type(error).__name__
    assert len(seen) >= 6  # auth, credit, rate limit, model, context, provider


def test_S5_keyring_errors_are_converted_from_none_without_the_key():
    class Echoing(MemoryKeyring):
        def get_password(self, service: str, username: str) -> str | None:
            raise RuntimeError(f"D-Bus said: secret {CANARY_KEY} locked")

    Secret(CANARY_KEY)  # registered, as every key the app loads
    keyring.set_keyring(Echoing())
    with pytest.raises(KeyStoreUnavailable) as caught:
        KeyringStore(0.5).get("openrouter")
    text = "".join(traceback.format_exception(caught.value))
    assert "RuntimeError" in text and not leaked(text)


def test_S6_secret_hides_its_value_and_refuses_pickling():
    secret = Secret(CANARY_KEY)
    for shown in (repr(secret), str(secret), f"{secret}", f"{secret!r}", f"{secret:>80}",
                  repr([secret]), repr({"key": secret})):
        assert not leaked(shown)
    with pytest.raises(TypeError):
        pickle.dumps(secret)
    assert secret.last4 == CANARY_KEY[-4:]


def test_S6_reprs_of_config_runtime_adapter_and_lookups(monkeypatch, fake_server):
    monkeypatch.setenv("OPENROUTER_API_KEY", CANARY_KEY)
    monkeypatch.setenv("FREECHAT_OPENROUTER_BASE_URL", fake_server.url)
    runtime = Runtime.from_env()
    client = httpx.AsyncClient()
    adapter = runtime.adapter("openrouter", client)
    found = runtime.keys.lookup(PROVIDERS["openrouter"])
    for obj in (runtime, runtime.config, Config(), runtime.keys, adapter, found,
                KeyLookup(Secret(CANARY_KEY), "keyring")):
        assert not leaked(repr(obj)) and not leaked(str(obj)), type(obj).__name__


def test_S10_child_processes_get_no_provider_key_variables():
    environ = {
        "PATH": "/usr/bin", "EDITOR": "vi", "HOME": "/home/u",
        "OPENROUTER_API_KEY": "a", "GOOGLE_API_KEY": "b", "HF_TOKEN": "c",
        "CLOUDFLARE_API_TOKEN": "d", "FREECHAT_GROQ_KEY": "e", "FREECHAT_MYLOCAL_KEY": "f",
        "FREECHAT_HOME": "/x",
    }
    child = child_environ(environ, PROVIDERS.values())
    assert child == {"PATH": "/usr/bin", "EDITOR": "vi", "HOME": "/home/u", "FREECHAT_HOME": "/x"}


def test_S10_user_defined_provider_key_env_is_removed_too(tmp_path):
    from freechat.core.config import load_config

    path = tmp_path / "config.toml"
    path.write_text('[providers.mine]\nbase_url = "http://127.0.0.1:1/v1"\nkey_env = "MY_KEY"\n')
    config = load_config(path)
    specs = [config.provider_spec(pid) for pid in config.all_provider_ids()]
    assert "MY_KEY" not in child_environ({"MY_KEY": "s", "TERM": "x"}, [s for s in specs if s])


def test_gemini_key_check_sends_the_key_in_a_header_not_the_url(monkeypatch, fake_server):
    """S2 for the key check path: `x-goog-api-key`, never `?key=`."""
    import asyncio

    from freechat.core.key_check import VALID, check_key

    fake_server.route("GET", "/v1beta/models", FakeResponse.json({"models": []}))
    monkeypatch.setenv("FREECHAT_GEMINI_BASE_URL", fake_server.url)
    result = asyncio.run(check_key(Runtime.from_env(), "gemini", Secret("AIza" + "k" * 35)))
    request = fake_server.requests[-1]
    assert result.status == VALID, result.message
    assert "key" not in request.query and request.headers["x-goog-api-key"] == "AIza" + "k" * 35


def test_key_check_for_every_provider_uses_an_authenticated_call(monkeypatch):
    from freechat.core.key_check import check_url

    runtime = Runtime.from_env()
    urls = {pid: check_url(runtime, pid, "https://b.example/v1")
            for pid in runtime.config.all_provider_ids()}
    assert urls["openrouter"] == "https://b.example/v1/key"
    assert urls["vercel"] == "https://b.example/v1/credits"
    assert urls["huggingface"] == "https://huggingface.co/api/whoami-v2"
    assert urls["nvidia"] is None  # its model list is public: nothing cheap to check with
    assert urls["groq"] == "https://b.example/v1/models"
    monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", "acc1")
    assert check_url(runtime, "cloudflare", "https://b.example") == (
        "https://b.example/accounts/acc1/ai/models/search?per_page=1"
    )

