"""KeyStore: lookup order, keyring classification, timeouts, write-verify, the key file
(RELIABILITY §1.6 and K1–K10), in process against misbehaving keyring backends."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest
from keyring.backends import fail, null

from freechat.core.catalog import PROVIDERS
from freechat.core.errors import MissingKey
from freechat.core.keyring_store import (
    INSECURE,
    SECURE,
    UNAVAILABLE,
    KeyringStore,
    classify,
    default_backends,
)
from freechat.core.keys import (
    SOURCE_ENV,
    SOURCE_FILE,
    SOURCE_KEYRING,
    SOURCE_NONE,
    SOURCE_NOT_NEEDED,
    SOURCE_SESSION,
    KeyStore,
    KeyStoreUnavailable,
)
from freechat.core.secret import Secret
from tests.fakes.memory_keyring import MemoryKeyring
from tests.keys.backends import (
    DBusBrokenKeyring,
    DroppingKeyring,
    FakeAltPlaintext,
    LockedKeyring,
    PromptingKeyring,
    SleepyKeyring,
    prompt_dismissed,
)
from tests.keys.conftest import CANARY_KEY, OPENROUTER

KEY = Secret(CANARY_KEY)
GEMINI = PROVIDERS["gemini"]


def test_lookup_order_env_then_keyring_then_file_then_session(make_store):
    backend = MemoryKeyring()
    store = make_store(backend)
    assert store.lookup(OPENROUTER).source == SOURCE_NONE
    store.remember_for_session("openrouter", Secret("session-key-123456"))
    assert store.lookup(OPENROUTER).source == SOURCE_SESSION
    store.save(OPENROUTER, Secret("file-key-1234567890"), to_file=True)
    assert store.lookup(OPENROUTER).source == SOURCE_FILE
    assert store.save(OPENROUTER, KEY).source == SOURCE_KEYRING
    found = store.lookup(OPENROUTER)
    assert found.source == SOURCE_KEYRING and found.secret == KEY
    assert backend.store[("freechat", "openrouter")] == CANARY_KEY  # service, username = id
    env_store = make_store(environ={"FREECHAT_OPENROUTER_KEY": "env-key-0000000000"})
    found = env_store.lookup(OPENROUTER)
    assert (found.source, found.detail) == (SOURCE_ENV, "FREECHAT_OPENROUTER_KEY")


def test_freechat_env_name_wins_over_the_provider_env_name(make_store):
    store = make_store(environ={"GOOGLE_API_KEY": "g" * 20, "GEMINI_API_KEY": "h" * 20})
    assert store.lookup(GEMINI).detail == "GEMINI_API_KEY"
    store = make_store(environ={"GEMINI_API_KEY": "h" * 20, "FREECHAT_GEMINI_KEY": "f" * 20})
    assert store.lookup(GEMINI).detail == "FREECHAT_GEMINI_KEY"


def test_keyless_provider_needs_nothing(make_store):
    found = make_store().lookup(PROVIDERS["ollama"])
    assert found.source == SOURCE_NOT_NEEDED and make_store().require(PROVIDERS["ollama"]) is None


def test_saving_to_keyring_drops_the_plaintext_copy(make_store, isolated_env: Path):
    store = make_store(MemoryKeyring())
    store.save(OPENROUTER, Secret("old-file-key-123456"), to_file=True)
    store.save(OPENROUTER, KEY)
    assert store.backend(SOURCE_FILE).get("openrouter") is None
    assert not (isolated_env / "keys.json").exists()


def test_K1_fail_backend_is_unavailable_and_env_keys_still_work(make_store):
    store = make_store(fail.Keyring(), environ={"OPENROUTER_API_KEY": CANARY_KEY})
    status = store.keyring_status()
    assert status.state == UNAVAILABLE and not status.usable
    assert store.notice() == (
        "No OS keyring: keys are kept for this session only (or use env vars)"
    )
    assert store.take_notice() is not None and store.take_notice() is None  # said once
    assert store.require(OPENROUTER) == KEY


def test_K2_null_backend_is_unavailable_and_never_reported_saved(make_store):
    store = make_store(null.Keyring())
    assert store.keyring_status().reason == "null"
    result = store.save(OPENROUTER, KEY)
    assert result.source == SOURCE_SESSION and "No OS keyring" in result.note
    assert store.lookup(OPENROUTER).source == SOURCE_SESSION


def test_K2_write_verify_catches_a_backend_that_drops_writes(make_store):
    store = make_store(DroppingKeyring())
    assert store.keyring_status().state == SECURE  # looks fine until written to
    result = store.save(OPENROUTER, KEY)
    assert result.source == SOURCE_SESSION and "read-back failed" in result.note
    assert store.keyring_status().reason == "write-verify"
    assert store.require(OPENROUTER) == KEY  # K8: not discarded


def test_K3_keyrings_alt_is_insecure_and_not_used(make_store):
    FakeAltPlaintext.calls = 0
    backend = FakeAltPlaintext()
    backend.store[("freechat", "openrouter")] = CANARY_KEY
    store = make_store(backend)
    status = store.keyring_status()
    assert status.state == INSECURE
    assert store.notice().startswith("Insecure keyring backend (keyrings.alt.file.")
    assert store.lookup(OPENROUTER).source == SOURCE_NONE
    assert store.save(OPENROUTER, KEY).source == SOURCE_SESSION
    assert FakeAltPlaintext.calls == 0


def test_K4_prompting_backend_is_classified_insecure_and_never_called(
    make_store, monkeypatch: pytest.MonkeyPatch
):
    def no_input(prompt: str = "") -> str:
        raise AssertionError("the keyring prompted on the terminal")

    monkeypatch.setattr("builtins.input", no_input)
    PromptingKeyring.calls = 0
    store = make_store(PromptingKeyring())
    assert store.keyring_status().state == INSECURE
    store.lookup(OPENROUTER)
    store.save(OPENROUTER, KEY)
    store.delete(OPENROUTER)
    assert PromptingKeyring.calls == 0


@pytest.mark.parametrize("backend_factory", [LockedKeyring, prompt_dismissed])
def test_K5_locked_keyring_says_so_and_retry_works(make_store, backend_factory):
    backend = backend_factory()
    store = make_store(backend)
    assert store.lookup(OPENROUTER).source == SOURCE_NONE  # no crash
    status = store.keyring_status()
    assert status.reason == "locked" and status.detail.startswith("Keyring locked — unlock it")
    result = store.save(OPENROUTER, KEY)
    assert result.source == SOURCE_SESSION  # K8
    backend.unlocked = True
    store.retry_keyring()
    assert store.keyring_status().usable
    assert store.save(OPENROUTER, KEY).source == SOURCE_KEYRING


def test_K6_a_keyring_that_never_answers_times_out(make_store):
    backend = SleepyKeyring()
    try:
        store = make_store(backend, timeout=0.5)
        assert store.lookup(OPENROUTER).source == SOURCE_NONE
        status = store.keyring_status()
        assert status.reason == "timeout" and "did not answer within 0.5 s" in status.detail
        calls = backend.calls
        assert store.save(OPENROUTER, KEY).source == SOURCE_SESSION
        assert backend.calls == calls  # marked unavailable: no pile of stuck threads
    finally:
        backend.release.set()


def test_K6_timeout_is_configurable_from_the_environment():
    store = default_backends({"FREECHAT_KEYRING_TIMEOUT": "0.5", "FREECHAT_HOME": "/x"})[0]
    assert isinstance(store, KeyringStore) and store.timeout == 0.5
    assert default_backends({"FREECHAT_KEYRING_TIMEOUT": "soon"})[0].timeout == 5.0


def test_K7_bad_PYTHON_KEYRING_BACKEND_is_named(make_store, monkeypatch: pytest.MonkeyPatch):
    import keyring.core

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "foo.Bar")
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    store = make_store()
    status = store.keyring_status()
    assert status.state == UNAVAILABLE and status.reason == "bad-env"
    assert "PYTHON_KEYRING_BACKEND=foo.Bar cannot be loaded" in status.detail
    assert "ModuleNotFoundError" in status.detail
    assert store.lookup(OPENROUTER).source == SOURCE_NONE


def test_dbus_runtime_error_becomes_typed_unavailable_without_context(make_store):
    store = make_store(DBusBrokenKeyring())
    keyring_backend = store.backend(SOURCE_KEYRING)
    with pytest.raises(KeyStoreUnavailable) as caught:
        keyring_backend.get("openrouter")
    assert caught.value.__suppress_context__ and caught.value.__cause__ is None
    assert "RuntimeError" in caught.value.message and "DBus" in caught.value.message


def test_K8_keyring_failing_after_typing_keeps_the_key_and_file_is_0600(
    make_store, isolated_env: Path
):
    store = make_store(fail.Keyring())
    assert store.save(OPENROUTER, KEY).source == SOURCE_SESSION
    assert store.require(OPENROUTER) == KEY
    result = store.save(OPENROUTER, KEY, to_file=True)
    assert result.source == SOURCE_FILE and "unencrypted" in result.note
    path = isolated_env / "keys.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert make_store(fail.Keyring()).lookup(OPENROUTER).source == SOURCE_FILE


def test_key_file_with_loose_mode_is_tightened(make_store, isolated_env: Path):
    store = make_store(fail.Keyring())
    store.save(OPENROUTER, KEY, to_file=True)
    path = isolated_env / "keys.json"
    os.chmod(path, 0o644)
    assert store.lookup(OPENROUTER).secret == KEY
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_corrupt_key_file_is_skipped_not_fatal(make_store, isolated_env: Path):
    isolated_env.mkdir(parents=True, exist_ok=True)
    (isolated_env / "keys.json").write_text("{nope")
    assert make_store(MemoryKeyring()).lookup(OPENROUTER).source == SOURCE_NONE


def test_K9_deleting_a_key_that_does_not_exist(make_store):
    result = make_store(MemoryKeyring()).delete(OPENROUTER)
    assert result.removed == () and result.problems == ()


def test_delete_removes_everywhere_and_reports_env(make_store):
    store = make_store(MemoryKeyring(), environ={"OPENROUTER_API_KEY": "e" * 20})
    store.save(OPENROUTER, KEY)
    store.remember_for_session("openrouter", KEY)
    result = store.delete(OPENROUTER)
    assert result.removed == (SOURCE_KEYRING, SOURCE_SESSION)
    assert result.env_name == "OPENROUTER_API_KEY"


def test_K10_missing_key_with_healthy_keyring_mentions_unlocking(make_store):
    store = make_store(MemoryKeyring())
    with pytest.raises(MissingKey) as caught:
        store.require(OPENROUTER)
    line = caught.value.one_line()
    assert line.startswith("openrouter: no API key")
    assert "OPENROUTER_API_KEY" in line and "KWallet" in line and "unlocked" in line


@pytest.mark.parametrize(
    ("module", "priority", "expected"),
    [("keyring.backends.SecretService", 5, SECURE), ("keyrings.alt.file", 1, INSECURE),
     ("some.thirdparty", 0.5, INSECURE)],
)
def test_classification_table(module: str, priority: float, expected: str):
    cls = type("Backend", (MemoryKeyring,), {"priority": priority, "__module__": module})
    assert classify(cls()).state == expected


def test_chainer_is_classified_by_its_members(monkeypatch: pytest.MonkeyPatch):
    from keyring.backends import chainer

    monkeypatch.setattr(chainer.ChainerBackend, "backends", [MemoryKeyring()])
    assert classify(chainer.ChainerBackend()).state == SECURE
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [MemoryKeyring(), FakeAltPlaintext()])
    assert classify(chainer.ChainerBackend()).state == INSECURE
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [])
    assert classify(chainer.ChainerBackend()).state == UNAVAILABLE


def test_keyring_calls_never_run_on_the_calling_thread(make_store):
    seen: list[str] = []

    class Spy(MemoryKeyring):
        def get_password(self, service: str, username: str) -> str | None:
            seen.append(threading.current_thread().name)
            return None

    make_store(Spy()).lookup(OPENROUTER)
    assert seen and all(name.startswith("freechat-keyring-") for name in seen)


def test_reprs_never_show_keys(make_store):
    store = make_store(MemoryKeyring())
    store.save(OPENROUTER, KEY)
    store.remember_for_session("groq", Secret("gsk_" + "z" * 30))
    for obj in (store, store.lookup(OPENROUTER), store.backend(SOURCE_KEYRING),
                store.backend(SOURCE_FILE)):
        assert CANARY_KEY not in repr(obj) and "z" * 30 not in repr(obj)


def test_keystore_without_keyring_layer_still_works():
    store = KeyStore({"OPENROUTER_API_KEY": CANARY_KEY})
    assert store.require(OPENROUTER) == KEY
    assert store.save(OPENROUTER, KEY).source == SOURCE_SESSION
    assert "No OS keyring" in (store.notice() or "")
