"""`freechat keys set/delete/list` and `freechat doctor` (DESIGN §5), in process against the
fake provider, plus a few real subprocesses (K1, K7, S8)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import keyring
import pytest

from freechat.cli import main
from tests.conftest import REPO
from tests.fakes.memory_keyring import MemoryKeyring
from tests.fakes.server import FakeProviderServer, FakeResponse
from tests.keys.conftest import CANARY_KEY

KEY_OK = {"data": {"label": "sk-or-v1-abc...", "limit": None, "is_free_tier": True}}


@pytest.fixture
def backend() -> MemoryKeyring:
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    return memory


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], keyring_timeout):
    """Run `freechat ARGS` in process with `stdin` bytes; returns (code, stdout, stderr)."""

    def run(*args: str, stdin: bytes = b"") -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def openrouter(fake_server: FakeProviderServer, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("FREECHAT_OPENROUTER_BASE_URL", fake_server.url)
    return fake_server


def test_keys_set_validates_then_saves_in_the_keyring(cli, backend, openrouter):
    openrouter.route("GET", "/key", FakeResponse.json(KEY_OK))
    code, out, err = cli("keys", "set", "openrouter", stdin=CANARY_KEY.encode() + b"\n")
    assert code == 0, err
    assert out == f"openrouter: key saved in the OS keyring (…{CANARY_KEY[-4:]})\n"
    assert backend.store[("freechat", "openrouter")] == CANARY_KEY
    assert openrouter.requests[0].headers["authorization"] == f"Bearer {CANARY_KEY}"
    code, out, _ = cli("keys", "list")
    line = next(x for x in out.splitlines() if x.startswith("openrouter"))
    assert line.split() == ["openrouter", "keyring", f"…{CANARY_KEY[-4:]}"]
    assert CANARY_KEY[:-4] not in out


def test_keys_set_rejected_key_exits_3_and_saves_nothing(cli, backend, openrouter):
    echo = {"error": {"message": f"No auth credentials found for Bearer {CANARY_KEY}",
                      "code": 401}}
    openrouter.route("GET", "/key", FakeResponse.json(echo, status=401))
    code, out, err = cli("keys", "set", "openrouter", stdin=CANARY_KEY.encode())
    assert code == 3 and out == ""
    assert err.startswith("freechat: openrouter: OpenRouter rejected the key — ")
    assert err.count("\n") == 1 and CANARY_KEY not in err
    assert backend.store == {}


def test_keys_set_unreachable_provider_warns_and_saves(cli, backend, monkeypatch):
    monkeypatch.setenv("FREECHAT_OPENROUTER_BASE_URL", "http://127.0.0.1:9")
    code, _, err = cli("keys", "set", "openrouter", stdin=CANARY_KEY.encode())
    assert code == 0
    assert "could not reach OpenRouter to check the key; saving it anyway" in err
    assert backend.store[("freechat", "openrouter")] == CANARY_KEY


def test_keys_set_without_keyring_refuses_unless_insecure_file(cli, openrouter, isolated_env):
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())
    code, out, err = cli("keys", "set", "openrouter", "--no-check", stdin=CANARY_KEY.encode())
    assert code == 1 and out == ""
    assert "key not saved: No OS keyring" in err and "--insecure-file" in err
    code, out, err = cli("keys", "set", "openrouter", "--no-check", "--insecure-file",
                         stdin=CANARY_KEY.encode())
    assert code == 0 and "key saved in a 0600 key file" in out
    assert "warning: the key is stored unencrypted" in err
    assert (isolated_env / "keys.json").stat().st_mode & 0o777 == 0o600
    code, out, _ = cli("keys", "list")
    assert next(x for x in out.splitlines() if x.startswith("openrouter")).split()[1] == "file"


@pytest.mark.parametrize(("stdin", "message"), [
    (b"", "no key given"), (b"two words", "spaces or several lines"),
    (b"a\nb", "spaces or several lines"),
])
def test_keys_set_bad_input_is_a_usage_error(cli, backend, stdin: bytes, message: str):
    code, _, err = cli("keys", "set", "openrouter", "--no-check", stdin=stdin)
    assert code == 2 and message in err


def test_keys_set_unknown_provider_and_keyless(cli, backend):
    code, _, err = cli("keys", "set", "nosuch", stdin=b"k" * 20)
    assert code == 2 and "unknown provider 'nosuch'" in err
    code, _, err = cli("keys", "set", "ollama", stdin=b"k" * 20)
    assert code == 2 and "needs no key" in err


def test_K9_keys_delete_when_absent_says_no_key_stored(cli, backend):
    code, out, _ = cli("keys", "delete", "groq")
    assert code == 0 and out == "groq: no key stored\n"


def test_keys_delete_removes_and_mentions_env(cli, backend, monkeypatch):
    backend.set_password("freechat", "groq", "gsk_" + "q" * 30)
    monkeypatch.setenv("GROQ_API_KEY", "gsk_" + "e" * 30)
    code, out, err = cli("keys", "delete", "groq")
    assert code == 0 and out == "groq: key deleted from keyring\n"
    assert "GROQ_API_KEY is still set" in err
    assert backend.store == {}


def test_keys_list_json_and_env_source(cli, backend, monkeypatch):
    monkeypatch.setenv("HF_TOKEN", "hf_" + "t" * 30)
    code, out, _ = cli("keys", "list", "--json")
    assert code == 0
    rows = {row["provider"]: row for row in json.loads(out)}
    assert rows["huggingface"] == {"provider": "huggingface", "source": "env",
                                   "last4": "tttt", "env": "HF_TOKEN"}
    assert rows["ollama"]["source"] == "not needed" and rows["groq"]["source"] == "missing"


def test_doctor_reports_paths_keyring_keys_and_reachability(cli, backend, openrouter):
    openrouter.route("GET", "/key", FakeResponse.json(KEY_OK))
    backend.set_password("freechat", "openrouter", CANARY_KEY)
    code, out, _ = cli("doctor")
    assert code == 0
    assert "config" in out and "keys.json" in out
    assert "backend   tests.fakes.memory_keyring.MemoryKeyring" in out
    assert "status    secure" in out
    line = next(x for x in out.splitlines() if x.strip().startswith("openrouter"))
    assert "key: keyring" in line and f"…{CANARY_KEY[-4:]}" in line
    assert "key accepted by OpenRouter" in line
    ollama = next(x for x in out.splitlines() if x.strip().startswith("ollama"))
    assert "not needed" in ollama
    assert CANARY_KEY[:-4] not in out


def test_doctor_offline_makes_no_requests(cli, backend, openrouter):
    backend.set_password("freechat", "openrouter", CANARY_KEY)
    code, out, _ = cli("doctor", "--offline")
    assert code == 0 and openrouter.requests == []
    assert "no provider has a key" not in out


# --- real subprocesses --------------------------------------------------------------------
def test_K1_fail_backend_subprocess_says_so_once_and_env_key_chats(run_cli, fake_server):
    from tests.fakes.openai_stream import openrouter_stream

    result = run_cli("keys", "list")
    assert result.returncode == 0
    assert result.err.count("No OS keyring: keys are kept for this session only") == 1
    fake_server.route("POST", "/chat/completions", FakeResponse.sse(openrouter_stream(["hi"])))
    env = {"FREECHAT_OPENROUTER_BASE_URL": fake_server.url, "OPENROUTER_API_KEY": CANARY_KEY}
    result = run_cli("ask", "-m", "openrouter/x:free", "hello", env=env)
    assert result.returncode == 0 and result.out == "hi"


def test_K7_bad_backend_env_subprocess_names_the_variable(run_cli):
    result = run_cli("doctor", "--offline", env={"PYTHON_KEYRING_BACKEND": "foo.Bar"})
    assert result.returncode == 0, result.err
    assert "PYTHON_KEYRING_BACKEND=foo.Bar cannot be loaded" in result.out
    assert "Traceback" not in result.out + result.err


def test_keys_set_list_delete_subprocess_with_a_working_keyring(run_cli, tmp_path: Path):
    env = {"PYTHON_KEYRING_BACKEND": "tests.keys.backends.JsonFileKeyring",
           "FREECHAT_TEST_KEYRING_FILE": str(tmp_path / "ring.json")}
    result = run_cli("keys", "set", "groq", "--no-check", stdin=b"gsk_" + b"s" * 30, env=env)
    assert result.returncode == 0, result.err
    assert json.loads((tmp_path / "ring.json").read_text()) == {"freechat/groq": "gsk_" + "s" * 30}
    assert "groq" in run_cli("keys", "list", env=env).out.split("keyring")[0]
    result = run_cli("keys", "delete", "groq", env=env)
    assert result.out == "groq: key deleted from keyring\n"


def test_S8_no_cli_option_takes_a_key_value():
    from freechat.cli import _command_modules
    from freechat.cli_parser import build_parser

    parser = build_parser(_command_modules())
    seen: list[str] = []

    def walk(p) -> None:
        for action in p._actions:
            if action.choices and isinstance(action.choices, dict):
                for child in action.choices.values():
                    walk(child)
            for flag in action.option_strings:
                seen.append(flag)
                lowered = flag.lower()
                if any(word in lowered for word in ("key", "token", "secret", "password")):
                    assert action.nargs == 0, f"{flag} takes a value"

    walk(parser)
    assert "--insecure-file" in seen


def test_S8_the_key_never_appears_in_the_process_command_line(isolated_env):
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "freechat", "keys", "set", "openrouter", "--no-check",
         "--insecure-file"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, env=env, cwd=REPO,
    )
    try:
        cmdline = b""
        for _ in range(400):  # until exec has happened (it then blocks reading stdin)
            cmdline = Path(f"/proc/{proc.pid}/cmdline").read_bytes()
            if b"freechat" in cmdline:
                break
            time.sleep(0.025)
        _, err = proc.communicate(CANARY_KEY.encode(), timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert b"keys\0set\0openrouter" in cmdline and CANARY_KEY.encode() not in cmdline
