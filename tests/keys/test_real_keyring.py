"""K11: a real Secret Service (gnome-keyring over D-Bus). Run by `.ci/real-keyring.sh`, which
starts a private session bus with an unlocked keyring; elsewhere these tests skip."""

from __future__ import annotations

import os
import secrets

import keyring
import pytest

from freechat.core.keyring_store import SECURE, KeyringStore, classify
from freechat.core.secret import Secret
from tests.fakes.openai_stream import openrouter_stream
from tests.fakes.server import FakeResponse

pytestmark = pytest.mark.real_keyring
SECRET_SERVICE = "keyring.backends.SecretService.Keyring"

if os.environ.get("FREECHAT_REAL_KEYRING") != "1":
    pytest.skip("needs a real Secret Service: run .ci/real-keyring.sh", allow_module_level=True)


@pytest.fixture
def secret_service():
    """The real backend (under the script, a missing one is a failure, not a skip)."""
    from keyring.backends import SecretService

    backend = SecretService.Keyring()
    keyring.set_keyring(backend)  # the autouse fixture restores the previous one
    return backend


def test_K11_keyring_store_round_trip_through_secret_service(secret_service):
    assert classify(secret_service).state == SECURE
    store = KeyringStore(timeout=10)
    provider = f"freechat-test-{secrets.token_hex(4)}"
    value = f"sk-real-{secrets.token_hex(16)}"
    assert store.status().usable, store.status().detail
    store.set(provider, Secret(value))  # includes the write-verify read-back
    assert secret_service.get_password("freechat", provider) == value
    assert KeyringStore(timeout=10).get(provider) == Secret(value)
    assert store.delete(provider) is True
    assert KeyringStore(timeout=10).get(provider) is None
    assert store.delete(provider) is False  # K9 with the real backend


def test_K11_cli_set_list_chat_delete_with_the_real_keyring(run_cli, fake_server):
    key = f"sk-or-v1-{secrets.token_hex(24)}"
    env = {"PYTHON_KEYRING_BACKEND": SECRET_SERVICE,
           "FREECHAT_OPENROUTER_BASE_URL": fake_server.url}
    fake_server.route("GET", "/key", FakeResponse.json({"data": {"is_free_tier": True}}))
    fake_server.route("POST", "/chat/completions",
                      FakeResponse.sse(openrouter_stream(["from ", "the keyring"])))
    result = run_cli("keys", "set", "openrouter", stdin=key.encode(), env=env)
    assert result.returncode == 0, result.err
    assert result.out == f"openrouter: key saved in the OS keyring (…{key[-4:]})\n"
    listed = run_cli("keys", "list", env=env).out.splitlines()
    assert next(x for x in listed if x.startswith("openrouter")).split() == [
        "openrouter", "keyring", f"…{key[-4:]}"]
    doctor = run_cli("doctor", "--offline", env=env).out
    assert f"backend   {SECRET_SERVICE}" in doctor and "status    secure" in doctor
    chat = run_cli("ask", "-m", "openrouter/x:free", "hi", env=env)
    assert chat.returncode == 0 and chat.out == "from the keyring", chat.err
    assert fake_server.requests[-1].headers["authorization"] == f"Bearer {key}"
    result = run_cli("keys", "delete", "openrouter", env=env)
    assert result.out == "openrouter: key deleted from keyring\n"
    assert run_cli("keys", "delete", "openrouter", env=env).out == "openrouter: no key stored\n"
