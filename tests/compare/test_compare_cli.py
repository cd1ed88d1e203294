"""`freechat compare` as a user's shell runs it (subprocess) against the fake server."""

from __future__ import annotations

import json

from freechat.core.quota import QuotaBook
from tests.compare.conftest import (
    BROKEN,
    FAST,
    FAST_TEXT,
    SLOW,
    SLOW_TEXT,
    THIRD,
    behaviours,
    cli_env,
    model_requests,
    route_models,
)
from tests.conftest import TEST_KEY
from tests.fakes.server import FakeResponse

ASK_FIELDS = ("model", "provider", "text", "reasoning", "finish_reason", "usage", "ttft_ms",
              "total_ms", "upstream_provider", "quota", "error")


def test_compare_prints_each_answer_under_its_header_with_figures(run_cli, models_server):
    result = run_cli("compare", "-m", FAST, "-m", SLOW, "-m", THIRD, "say", "hi",
                     env=cli_env(models_server))
    assert result.returncode == 0, result.err
    out = result.out
    for label, model, text in (("A", FAST, FAST_TEXT), ("B", SLOW, SLOW_TEXT)):
        header = f"━━ {label} · {model} ━━\n"
        assert header in out
        after = out.split(header, 1)[1]
        assert after.startswith("".join(text) + "\n")
        figures = after.splitlines()[1]
        for part in ("TTFT ", " tok/s", " tokens", "total ", "✓ stop", "quota: 1 request"):
            assert part in figures
    assert "will use openrouter: 3 requests" in result.err
    assert sorted(model_requests(models_server)) == [
        "fast/model:free", "slow/model:free", "third/model:free"]
    assert all(r.json()["messages"][-1]["content"] == "say hi" for r in models_server.requests)


def test_compare_json_is_a_list_of_ask_objects_in_model_order(run_cli, models_server):
    result = run_cli("compare", "--json", "-m", SLOW, "-m", BROKEN, "-m", FAST, "hi",
                     env=cli_env(models_server))
    assert result.returncode == 0, result.err  # at least one model answered
    objects = json.loads(result.out)
    assert [o["ref"] for o in objects] == [SLOW, BROKEN, FAST]
    for obj in objects:
        assert all(field in obj for field in ASK_FIELDS)
    assert objects[0]["text"] == "".join(SLOW_TEXT) and objects[0]["error"] is None
    assert objects[0]["usage"]["output_tokens"] == 4 and objects[0]["finish_reason"] == "stop"
    assert objects[1]["error"]["type"] == "ModelUnavailable" and objects[1]["text"] == ""
    assert objects[2]["quota"]["provider"] == "openrouter"
    assert "━━" not in result.out


def test_compare_reads_the_prompt_from_stdin(run_cli, models_server):
    result = run_cli("compare", "-m", FAST, "-m", SLOW, env=cli_env(models_server),
                     stdin="piped ✓\n".encode())
    assert result.returncode == 0, result.err
    assert {r.json()["messages"][-1]["content"] for r in models_server.requests} == {"piped ✓"}


def test_fewer_than_two_models_is_a_usage_error(run_cli, models_server):
    result = run_cli("compare", "-m", FAST, "hi", env=cli_env(models_server))
    assert result.returncode == 2
    assert result.err.count("\n") == 1 and "at least two models" in result.err
    assert models_server.requests == []


def test_when_no_model_answers_the_exit_code_is_the_first_errors(run_cli, models_server):
    env = cli_env(models_server)
    result = run_cli("compare", "-m", BROKEN, "-m", "groq/llama-3.3-70b-versatile", "hi",
                     env=env)
    assert result.returncode == 5  # ModelUnavailable (first), not MissingKey's 3
    assert "Traceback" not in result.err and TEST_KEY not in result.err + result.out
    result = run_cli("compare", "-m", "groq/llama-3.3-70b-versatile", "-m", BROKEN, "hi",
                     env=env)
    assert result.returncode == 3


def test_a_missing_key_does_not_stop_the_other_models(run_cli, models_server):
    result = run_cli("compare", "--json", "-m", "groq/llama-3.3-70b-versatile", "-m", FAST,
                     "hi", env=cli_env(models_server))
    assert result.returncode == 0, result.err
    objects = json.loads(result.out)
    assert objects[0]["error"]["type"] == "MissingKey" and "GROQ_API_KEY" in (
        objects[0]["error"]["message"])
    assert objects[1]["text"] == "".join(FAST_TEXT)


def test_a_provider_out_of_quota_is_refused_before_sending(run_cli, models_server,
                                                          isolated_env):
    book = QuotaBook.for_state_dir(isolated_env / "state")
    for _ in range(50):  # OpenRouter's published 50 free requests/day, all used
        book.record_request("openrouter", "fast/model:free")
    book.flush()
    result = run_cli("compare", "--json", "-m", FAST, "-m", SLOW, "hi",
                     env=cli_env(models_server))
    assert result.returncode == 4  # nothing answered: QuotaExhausted
    assert models_server.requests == []
    assert "requests/day quota used up" in result.err and "resets in" in result.err
    objects = json.loads(result.out)
    assert [o["error"]["type"] for o in objects] == ["QuotaExhausted", "QuotaExhausted"]


def test_save_keeps_each_answer_as_a_conversation(run_cli, models_server):
    result = run_cli("compare", "--save", "--json", "-m", FAST, "-m", SLOW, "hi",
                     env=cli_env(models_server))
    assert result.returncode == 0, result.err
    ids = [o["conversation_id"] for o in json.loads(result.out)]
    assert len(set(ids)) == 2
    listed = run_cli("conversations", "list", "--json", env=cli_env(models_server))
    assert {c["id"] for c in json.loads(listed.out)} == set(ids)


def test_a_retried_model_says_why_it_waits_and_still_answers(run_cli, models_server):
    calls = {"n": 0}
    table = behaviours()
    fast = table["fast/model:free"]

    def limited_once(request):
        calls["n"] += 1
        if calls["n"] == 1:
            body = {"error": {"message": "Rate limit exceeded: free-models-per-min.",
                              "code": 429}}
            return FakeResponse.json(body, 429, headers={"retry-after": "1"})
        return fast(request)

    table["fast/model:free"] = limited_once
    route_models(models_server, table)
    result = run_cli("compare", "-m", FAST, "-m", SLOW, "hi", env=cli_env(models_server))
    assert result.returncode == 0, result.err
    assert f"{FAST}: waiting 1 s" in result.err
    assert "".join(FAST_TEXT) in result.out and calls["n"] == 2
