"""Shared fixtures: an isolated environment for every test, the fake provider, the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import keyring
import pytest

from tests.fakes.memory_keyring import MemoryKeyring
from tests.fakes.server import FakeProviderServer

REPO = Path(__file__).resolve().parent.parent
# Provider key variables (DESIGN §4) that must never leak in from the developer's shell.
KEY_VARS = (
    "OPENROUTER_API_KEY", "CEREBRAS_API_KEY", "CLOUDFLARE_API_TOKEN", "CLOUDFLARE_ACCOUNT_ID",
    "HF_TOKEN", "AI_GATEWAY_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY", "NVIDIA_API_KEY",
    "HYPERBOLIC_API_KEY", "FIREWORKS_API_KEY", "OPENAI_API_KEY", "GROQ_API_KEY",
    "MISTRAL_API_KEY",
)
TEST_KEY = "sk-or-v1-" + "0123456789abcdef" * 4


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """FREECHAT_HOME in tmp, no provider keys or FREECHAT_* from outside, in-memory keyring."""
    for name in list(os.environ):
        if name.startswith("FREECHAT_") or name in KEY_VARS or name == "PYTHON_KEYRING_BACKEND":
            monkeypatch.delenv(name, raising=False)
    home = tmp_path / "freechat-home"
    monkeypatch.setenv("FREECHAT_HOME", str(home))
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    yield home
    keyring.set_keyring(previous)


@pytest.fixture
def fake_server() -> Iterator[FakeProviderServer]:
    with FakeProviderServer() as server:
        yield server


@dataclass
class CliResult:
    returncode: int
    stdout: bytes
    stderr: bytes

    @property
    def out(self) -> str:
        return self.stdout.decode("utf-8")

    @property
    def err(self) -> str:
        return self.stderr.decode("utf-8")


@pytest.fixture
def run_cli(isolated_env: Path):
    """Run `python -m freechat ARGS` in a subprocess, as a user's shell would."""

    def run(*args: str, env: dict[str, str] | None = None, stdin: bytes | None = None,
            timeout: float = 60) -> CliResult:
        full_env = {k: v for k, v in os.environ.items()}
        full_env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
        full_env.update(env or {})
        proc = subprocess.run(
            [sys.executable, "-m", "freechat", *args], env=full_env, input=stdin or b"",
            capture_output=True, timeout=timeout, cwd=REPO,
        )
        return CliResult(proc.returncode, proc.stdout, proc.stderr)

    return run
