"""Documented error bodies through `freechat ask`: the DESIGN §5 exit code and one clear
stderr line naming the provider, never a traceback or the key."""

from __future__ import annotations

import pytest

from freechat.core import errors
from tests.fakes.provider_errors import ERRORS
from tests.providers.profiles import PROFILES
from tests.providers.test_contract import error_response

# A few cases per provider, chosen so no retry policy applies (no per-minute 429s, no 5xx).
CASES = [
    ("openrouter", "negative_balance"), ("openrouter", "per_day"), ("cerebras", "bad_key"),
    ("cloudflare", "daily_neurons"), ("cloudflare", "bad_account"),
    ("huggingface", "credits"), ("huggingface", "no_permission"), ("vercel", "model"),
    ("gemini", "bad_key"), ("gemini", "per_day"), ("nvidia", "plain_404"),
    ("hyperbolic", "not_allowed"), ("fireworks", "suspended"), ("openai", "insufficient_quota"),
    ("groq", "context"), ("mistral", "bad_key"), ("ollama", "model"),
]


def find(pid: str, name: str) -> tuple:
    return next(case for case in ERRORS[pid] if case[0] == name)


@pytest.mark.parametrize(("pid", "name"), CASES, ids=[f"{p}-{n}" for p, n in CASES])
def test_error_exits_with_the_contract_code_and_one_line(pid: str, name: str, run_cli,
                                                         fake_server):
    _, status, body, headers, expected = find(pid, name)
    profile = PROFILES[pid]
    fake_server.route("POST", profile.chat_path(), error_response(status, body, dict(headers)))
    result = run_cli("ask", "-m", profile.ref, "hi", env=profile.env(fake_server))
    assert result.returncode == getattr(errors, expected).exit_code, result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"freechat: {pid}: ") and " — " in lines[0]
    assert "Traceback" not in result.err
    if profile.key:
        assert profile.key not in result.err + result.out
