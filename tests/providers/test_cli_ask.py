"""`freechat ask -m <id>/<model> --json` for every provider of DESIGN §4, as a user's shell runs
it, against that provider's fake: exact text and usage, reasoning apart, provenance."""

from __future__ import annotations

import json

import pytest

from tests.fakes.server import FakeResponse
from tests.providers.profiles import DESIGN_IDS, PROFILES, REASONING

TEXTS = ["Olá 😀 ", "漢字/かな ", "✓ done"]
THOUGHTS = ["weighing ", "options"]


@pytest.mark.parametrize("pid", DESIGN_IDS)
def test_ask_json_gives_exact_text_and_usage(pid: str, run_cli, fake_server):
    profile = PROFILES[pid]
    thoughts = THOUGHTS if pid in REASONING else []
    fake_server.route("POST", profile.chat_path(), FakeResponse.sse(
        profile.stream(TEXTS, thoughts, 13, 21)))
    result = run_cli("ask", "-m", profile.ref, "--json", "hi", env=profile.env(fake_server))
    assert result.returncode == 0, result.err
    reply = json.loads(result.out)
    assert reply["text"] == "".join(TEXTS)
    assert reply["reasoning"].strip() == "".join(thoughts).strip()
    assert reply["usage"]["input_tokens"] == 13 and reply["usage"]["output_tokens"] == 21
    assert reply["finish_reason"] == "stop" and reply["error"] is None
    assert reply["provider"] == pid and reply["model"] == profile.model
    if profile.upstream:
        assert reply["upstream_provider"] == profile.upstream


@pytest.mark.parametrize("pid", ["gemini", "cloudflare", "groq"])
def test_ask_streams_only_the_answer_to_stdout(pid: str, run_cli, fake_server):
    profile = PROFILES[pid]
    fake_server.route("POST", profile.chat_path(), FakeResponse.sse(
        profile.stream(TEXTS, THOUGHTS, 3, 4)))
    result = run_cli("ask", "-m", profile.ref, "hi", env=profile.env(fake_server))
    assert result.returncode == 0, result.err
    assert result.out == "".join(TEXTS)
    assert "weighing options" in result.err


def test_cloudflare_without_account_id_says_what_to_set(run_cli, fake_server):
    profile = PROFILES["cloudflare"]
    env = profile.env(fake_server)
    del env["CLOUDFLARE_ACCOUNT_ID"]
    result = run_cli("ask", "-m", profile.ref, "hi", env=env)
    assert result.returncode == 3
    assert "CLOUDFLARE_ACCOUNT_ID" in result.err and len(result.err.strip().splitlines()) == 1
    assert fake_server.requests == []


@pytest.mark.parametrize("env_account", [None, "from-env"])
def test_cloudflare_account_id_from_config_and_env_wins(run_cli, fake_server, isolated_env,
                                                        env_account):
    """A TUI user need not export a variable: `account_id` in config is enough."""
    profile = PROFILES["cloudflare"]
    env = profile.env(fake_server)
    del env["CLOUDFLARE_ACCOUNT_ID"]
    if env_account:
        env["CLOUDFLARE_ACCOUNT_ID"] = env_account
    isolated_env.mkdir(parents=True, exist_ok=True)
    (isolated_env / "config.toml").write_text(
        '[providers.cloudflare]\naccount_id = "from-config"\n', "utf-8")
    fake_server.route_pattern("POST", r"/client/v4/accounts/[^/]+/ai/run/.*",
                              FakeResponse.sse(profile.stream(["ok"], [], 1, 1)))
    result = run_cli("ask", "-m", profile.ref, "hi", env=env)
    assert result.returncode == 0, result.err
    account = env_account or "from-config"
    assert fake_server.requests[-1].path.startswith(f"/client/v4/accounts/{account}/")


def test_gemini_key_from_google_api_key_goes_in_the_header(run_cli, fake_server):
    profile = PROFILES["gemini"]
    env = profile.env(fake_server, key=False) | {"GOOGLE_API_KEY": profile.key or ""}
    fake_server.route("POST", profile.chat_path(), FakeResponse.sse(
        profile.stream(["ok"], [], 1, 1)))
    result = run_cli("ask", "-m", profile.ref, "hi", env=env)
    assert result.returncode == 0, result.err
    sent = fake_server.requests[-1]
    assert sent.headers["x-goog-api-key"] == profile.key and "key" not in sent.query


def test_user_defined_openai_compatible_provider(run_cli, fake_server, isolated_env):
    isolated_env.mkdir(parents=True, exist_ok=True)
    (isolated_env / "config.toml").write_text(
        f'[providers.mybox]\nbase_url = "{fake_server.url}/v1"\nkey_env = "MYBOX_TOKEN"\n'
        'adapter = "openai_compat"\n')
    fake_server.route("POST", "/v1/chat/completions", FakeResponse.sse(
        PROFILES["openai"].stream(["custom ✓"], [], 2, 3)))
    fake_server.route("GET", "/v1/models", FakeResponse.json(
        {"object": "list", "data": [{"id": "house-model", "object": "model"}]}))
    env = {"MYBOX_TOKEN": "tok-" + "m" * 30, "FREECHAT_LOCAL_DETECT": "0"}
    result = run_cli("ask", "-m", "mybox/house-model", "--json", "hi", env=env)
    assert result.returncode == 0, result.err
    assert json.loads(result.out)["text"] == "custom ✓"
    assert fake_server.requests[-1].headers["authorization"] == "Bearer " + env["MYBOX_TOKEN"]
    listed = run_cli("models", "--provider", "mybox", "--json", env=env)
    assert [m["ref"] for m in json.loads(listed.out)] == ["mybox/house-model"]
