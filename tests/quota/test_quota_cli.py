"""`freechat quota [--provider] [--refresh] [--json]` as a user runs it (subprocesses)."""

from __future__ import annotations

import json

from tests.fakes.cloudflare import response_stream
from tests.fakes.gemini import gemini_stream
from tests.fakes.openai_stream import openai_stream
from tests.fakes.server import FakeResponse

CEREBRAS_HEADERS = {
    "x-ratelimit-limit-requests-day": "14400", "x-ratelimit-remaining-requests-day": "14100",
    "x-ratelimit-reset-requests-day": "33011.382867097855",
    "x-ratelimit-limit-tokens-minute": "60000", "x-ratelimit-remaining-tokens-minute": "59500",
    "x-ratelimit-reset-tokens-minute": "11.382867097855",
}
WINDOW_KEYS = {"name", "unit", "limit", "used", "remaining", "resets_at", "source"}


def windows(quota: dict, name: str) -> list[dict]:
    return [w for w in quota["windows"] if w["name"] == name]


def check_schema(quotas: list[dict]) -> None:
    for quota in quotas:
        assert {"provider", "tier", "windows", "credit", "updated_at"} == set(quota)
        for window in quota["windows"]:
            assert set(window) >= WINDOW_KEYS
            assert window["unit"] in ("requests", "tokens", "neurons", "usd")
            assert window["source"] in ("reported", "counted", "estimated")


def test_quota_json_sources_after_replies(run_cli, fake_server) -> None:
    url = fake_server.url
    fake_server.route("POST", "/cerebras/chat/completions",
                      FakeResponse.sse(openai_stream(["hi"]), headers=CEREBRAS_HEADERS))
    fake_server.route("POST", "/nvidia/chat/completions",
                      FakeResponse.sse(openai_stream(["hi"])))
    fake_server.route_pattern("POST", r"/gemini/v1beta/models/.*",
                              FakeResponse.sse(gemini_stream(["hi"])))
    fake_server.route_pattern("POST", r"/cf/accounts/acc1/ai/run/.*", FakeResponse.sse(
        response_stream(["hi"], prompt_tokens=1000, completion_tokens=1000)))
    env = {
        "CEREBRAS_API_KEY": "csk-test", "FREECHAT_CEREBRAS_BASE_URL": url + "/cerebras",
        "NVIDIA_API_KEY": "nvapi-test", "FREECHAT_NVIDIA_BASE_URL": url + "/nvidia",
        "GEMINI_API_KEY": "AIza-test", "FREECHAT_GEMINI_BASE_URL": url + "/gemini",
        "CLOUDFLARE_API_TOKEN": "cf-test", "CLOUDFLARE_ACCOUNT_ID": "acc1",
        "FREECHAT_CLOUDFLARE_BASE_URL": url + "/cf",
    }
    asked = run_cli("ask", "--json", "-m", "cerebras/gpt-oss-120b", "hi", env=env)
    assert asked.returncode == 0, asked.err
    quota = json.loads(asked.out)["quota"]  # ask --json's quota comes from the same book
    assert windows(quota, "requests/day")[0]["remaining"] == 14100
    for ref in ("nvidia/meta/llama-3.1-8b-instruct", "gemini/gemini-2.5-flash",
                "cloudflare/@cf/meta/llama-3.1-8b-instruct-fp8-fast"):
        result = run_cli("ask", "-m", ref, "hi", env=env)
        assert result.returncode == 0 and result.out.startswith("hi"), (ref, result.err)

    result = run_cli("quota", "--json", env=env)
    assert result.returncode == 0, result.err
    quotas = {q["provider"]: q for q in json.loads(result.out)}
    check_schema(list(quotas.values()))
    assert set(quotas) == {"cerebras", "nvidia", "gemini", "cloudflare"}
    day = windows(quotas["cerebras"], "requests/day")[0]
    assert (day["limit"], day["remaining"], day["source"]) == (14400, 14100, "reported")
    assert windows(quotas["cerebras"], "tokens/minute")[0]["source"] == "reported"
    assert windows(quotas["nvidia"], "requests/minute")[0] | {"resets_at": None} == {
        "name": "requests/minute", "unit": "requests", "limit": 40, "used": 1, "remaining": 39,
        "resets_at": None, "source": "counted"}
    gemini = windows(quotas["gemini"], "requests/day")[0]
    assert (gemini["used"], gemini["source"], gemini["model"]) == (1, "counted",
                                                                   "gemini-2.5-flash")
    neurons = windows(quotas["cloudflare"], "neurons/day")[0]
    assert neurons["source"] == "estimated" and neurons["limit"] == 10000
    assert abs(neurons["used"] - (1000 * 4119 + 1000 * 34868) / 1e6) < 0.01
    assert neurons["resets_at"].endswith("T00:00:00Z")

    text = run_cli("quota", "--provider", "cloudflare", env=env)
    assert text.returncode == 0 and text.out.startswith("cloudflare (free)")
    assert "~" in text.out and "estimated" in text.out  # the estimated figure is marked


def test_quota_refresh_asks_the_endpoints(run_cli, fake_server) -> None:
    url = fake_server.url
    fake_server.route("GET", "/or/key", FakeResponse.json({"data": {
        "is_free_tier": False, "limit": None, "limit_remaining": None,
        "free_model_daily_requests": {"used": 12, "limit": 1000, "remaining": 988}}}))
    fake_server.route("GET", "/or/credits", FakeResponse.json(
        {"data": {"total_credits": 10, "total_usage": 2.5}}))
    fake_server.route("GET", "/vercel/credits", FakeResponse.json(
        {"balance": "4.50", "total_used": "0.50"}))
    fake_server.route("GET", "/hyp/billing/get_current_balance",
                      FakeResponse.json({"credits": 87}))
    env = {
        "OPENROUTER_API_KEY": "sk-or-v1-test", "FREECHAT_OPENROUTER_BASE_URL": url + "/or",
        "AI_GATEWAY_API_KEY": "vk-test", "FREECHAT_VERCEL_BASE_URL": url + "/vercel",
        "HYPERBOLIC_API_KEY": "hyp-test", "FREECHAT_HYPERBOLIC_BASE_URL": url + "/hyp/v1",
    }
    offline = run_cli("quota", "--json", env=env)
    assert offline.returncode == 0 and not fake_server.requests  # no network without --refresh
    assert {q["provider"] for q in json.loads(offline.out)} == {"openrouter", "vercel",
                                                                 "hyperbolic"}

    result = run_cli("quota", "--refresh", "--json", env=env)
    assert result.returncode == 0, result.err
    quotas = {q["provider"]: q for q in json.loads(result.out)}
    check_schema(list(quotas.values()))
    day = windows(quotas["openrouter"], "requests/day")[0]
    assert (day["limit"], day["used"], day["remaining"], day["source"]) == (1000, 12, 988,
                                                                            "reported")
    assert quotas["openrouter"]["credit"] == {"remaining": 7.5, "unit": "usd",
                                              "source": "reported"}
    assert quotas["vercel"]["credit"]["remaining"] == 4.5
    assert quotas["hyperbolic"]["credit"]["remaining"] == 0.87

    again = run_cli("quota", "--provider", "openrouter", "--json", env=env)  # remembered
    (openrouter,) = json.loads(again.out)
    assert windows(openrouter, "requests/day")[0]["remaining"] == 988


def test_quota_with_nothing_configured(run_cli) -> None:
    result = run_cli("quota", "--json")
    assert result.returncode == 0 and json.loads(result.out) == []
    bad = run_cli("quota", "--provider", "nope")
    assert bad.returncode == 2 and "unknown provider" in bad.err
