"""`freechat models` against every provider's fake: `--free --json` returns exactly the free
models; offline or keyless providers fall back to the cache or the bundled catalog with a note
on stderr; `--refresh` with one provider fails loudly instead."""

from __future__ import annotations

import json

import pytest

from tests.fakes.model_lists import LISTS
from tests.fakes.server import FakeResponse
from tests.providers.profiles import PROFILES


def route_list(fake_server, pid: str) -> None:
    profile = PROFILES[pid]
    path, payload, _, _ = LISTS[pid]
    fake_server.route("GET", profile.models_path() + path.removeprefix("/models"),
                      FakeResponse.json(payload))


@pytest.mark.parametrize("pid", sorted(LISTS))
def test_models_free_json_is_exactly_the_free_models(pid: str, run_cli, fake_server):
    route_list(fake_server, pid)
    profile = PROFILES[pid]
    result = run_cli("models", "--provider", pid, "--free", "--json",
                     env=profile.env(fake_server))
    assert result.returncode == 0, result.err
    listed = json.loads(result.out)
    assert {m["ref"] for m in listed} == {f"{pid}/{m}" for m in LISTS[pid][3]}
    assert all(m["free"] and m["provider"] == pid for m in listed)


def test_refresh_caches_and_offline_falls_back_to_the_cache(run_cli, fake_server):
    route_list(fake_server, "groq")
    env = PROFILES["groq"].env(fake_server)
    assert run_cli("models", "--provider", "groq", "--refresh", env=env).returncode == 0
    offline = env | {"FREECHAT_GROQ_BASE_URL": "http://127.0.0.1:9/openai/v1"}
    result = run_cli("models", "--provider", "groq", "--json", env=offline)
    assert result.returncode == 0
    assert {m["model"] for m in json.loads(result.out)} == LISTS["groq"][2]
    assert "groq:" in result.err and "cached list" in result.err
    strict = run_cli("models", "--provider", "groq", "--refresh", env=offline)
    assert strict.returncode == 5 and "Traceback" not in strict.err


def test_no_key_uses_the_bundled_catalog_with_a_note(run_cli):
    result = run_cli("models", "--provider", "gemini", "--free", "--json",
                     env={"FREECHAT_LOCAL_DETECT": "0"})
    assert result.returncode == 0
    assert "gemini/gemini-2.5-flash" in {m["ref"] for m in json.loads(result.out)}
    assert "GEMINI_API_KEY" in result.err and "bundled catalog" in result.err


def test_all_providers_offline_never_offers_paid_or_trial_models_as_free(run_cli):
    env = {f"FREECHAT_{p.upper()}_BASE_URL": "http://127.0.0.1:9" for p in PROFILES}
    result = run_cli("models", "--free", "--json", env=env | {"FREECHAT_LOCAL_DETECT": "0"})
    assert result.returncode == 0
    listed = json.loads(result.out)
    providers = {m["provider"] for m in listed}
    assert {"openrouter", "gemini", "groq", "cloudflare", "mistral"} <= providers
    assert not providers & {"openai", "hyperbolic", "fireworks"}
    assert all(m["tier"] == "free" for m in listed)
