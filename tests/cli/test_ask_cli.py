"""`freechat ask` and `freechat models` as a user's shell runs them (subprocess), against the
fake OpenRouter server: byte-exact text, --json, exit codes, one stderr line, no key leaks."""

from __future__ import annotations

import json

import pytest

from tests.conftest import TEST_KEY
from tests.fakes.openai_stream import DONE, openrouter_chunk, openrouter_stream, sse
from tests.fakes.server import Abort, FakeProviderServer, FakeResponse, Send

MODEL = "openrouter/deepseek/deepseek-r1:free"
TEXT_PARTS = ["Here is 😀 and 漢字/かな,\n", "```python\nprint('hi')\n```\n", "- a\n- b 🎉"]


def env_for(server: FakeProviderServer, key: str | None = TEST_KEY) -> dict[str, str]:
    env = {"FREECHAT_OPENROUTER_BASE_URL": server.url}
    if key:
        env["OPENROUTER_API_KEY"] = key
    return env


def test_ask_streams_byte_exact_text(run_cli, fake_server):
    fake_server.route("POST", "/chat/completions",
                      FakeResponse.sse(openrouter_stream(TEXT_PARTS, reasoning=["hmm"])))
    result = run_cli("ask", "-m", MODEL, "say", "hi", env=env_for(fake_server))
    assert result.returncode == 0, result.err
    assert result.stdout == "".join(TEXT_PARTS).encode("utf-8")
    assert result.err == "hmm\n" and "hmm" not in result.out  # reasoning: stderr, own line
    assert fake_server.requests[0].json()["messages"][-1]["content"] == "say hi"


def test_ask_reads_the_prompt_from_stdin(run_cli, fake_server):
    fake_server.route("POST", "/chat/completions", FakeResponse.sse(openrouter_stream(["ok"])))
    result = run_cli("ask", "-m", MODEL, env=env_for(fake_server), stdin="piped ✓\n".encode())
    assert result.returncode == 0 and result.out == "ok"
    assert fake_server.requests[0].json()["messages"][-1]["content"] == "piped ✓"


def test_ask_json_prints_the_design_object(run_cli, fake_server):
    fake_server.route("POST", "/chat/completions", FakeResponse.sse(
        openrouter_stream(TEXT_PARTS, reasoning=["plan"], prompt_tokens=12,
                          completion_tokens=34)))
    result = run_cli("ask", "--json", "-m", MODEL, "hi", env=env_for(fake_server))
    assert result.returncode == 0, result.err
    obj = json.loads(result.out)
    for field in ("model", "provider", "text", "reasoning", "finish_reason", "usage", "ttft_ms",
                  "total_ms", "upstream_provider", "quota", "error"):
        assert field in obj
    assert obj["provider"] == "openrouter" and obj["model"] == "deepseek/deepseek-r1:free"
    assert obj["text"] == "".join(TEXT_PARTS) and obj["reasoning"] == "plan"
    assert obj["finish_reason"] == "stop" and obj["error"] is None
    assert obj["usage"]["input_tokens"] == 12 and obj["usage"]["output_tokens"] == 34
    assert obj["upstream_provider"] == "Chutes"
    assert obj["quota"]["provider"] == "openrouter"
    assert isinstance(obj["ttft_ms"], int) and isinstance(obj["total_ms"], int)


def test_missing_key_exits_3_with_a_hint(run_cli, fake_server):
    result = run_cli("ask", "-m", MODEL, "hi", env=env_for(fake_server, key=None))
    assert result.returncode == 3
    assert result.err.count("\n") == 1
    assert "OPENROUTER_API_KEY" in result.err and "Traceback" not in result.err
    assert fake_server.requests == []


def test_rejected_key_exits_3_without_showing_it(run_cli, fake_server):
    body = {"error": {"message": f"User not found. Got: Bearer {TEST_KEY}", "code": 401}}
    fake_server.route("POST", "/chat/completions", FakeResponse.json(body, 401))
    result = run_cli("ask", "-m", MODEL, "hi", env=env_for(fake_server))
    assert result.returncode == 3
    assert result.err.startswith("freechat: openrouter: key rejected")
    assert result.err.count("\n") == 1
    assert TEST_KEY not in result.err + result.out


def test_rate_limit_exits_4(run_cli, fake_server):
    body = {"error": {"message": "Rate limit exceeded: free-models-per-min.", "code": 429}}
    fake_server.route("POST", "/chat/completions",
                      FakeResponse.json(body, 429, headers={"Retry-After": "7"}))
    result = run_cli("ask", "-m", MODEL, "hi", env=env_for(fake_server))
    assert result.returncode == 4
    assert "7 s" in result.err and result.err.count("\n") == 1


def test_truncated_stream_exits_5_with_the_partial_text(run_cli, fake_server):
    events = [sse(openrouter_chunk(content="Partial answer, "))]
    events.append(sse(openrouter_chunk(content="still going")))
    fake_server.route("POST", "/chat/completions", FakeResponse.sse(events))
    result = run_cli("ask", "-m", MODEL, "hi", env=env_for(fake_server))
    assert result.returncode == 5
    assert result.out == "Partial answer, still going"
    assert "ended early" in result.err and result.err.count("\n") == 1


def test_connection_reset_exits_5_and_json_keeps_the_partial(run_cli, fake_server):
    fake_server.route("POST", "/chat/completions", FakeResponse(steps=[
        Send(b"%s" % sse(openrouter_chunk(content="abc"))), Abort()]))
    result = run_cli("ask", "--json", "-m", MODEL, "hi", env=env_for(fake_server))
    assert result.returncode == 5
    obj = json.loads(result.out)
    assert obj["text"] == "abc" and obj["error"]["type"] == "StreamInterrupted"
    assert "connection lost" in result.err and "Traceback" not in result.err


def test_unreachable_provider_exits_5(run_cli):
    result = run_cli("ask", "-m", MODEL, "hi",
                     env={"FREECHAT_OPENROUTER_BASE_URL": "http://127.0.0.1:9",
                          "OPENROUTER_API_KEY": TEST_KEY})
    assert result.returncode == 5 and "could not connect" in result.err


@pytest.mark.parametrize(
    ("args", "fragment"),
    [(["ask", "hi"], "no model given"), (["ask", "-m", "gpt-4o", "hi"], "provider"),
     (["ask", "-m", "nosuch/model", "hi"], "provider"), (["frobnicate"], "frobnicate")],
)
def test_usage_errors_exit_2(run_cli, args, fragment):
    result = run_cli(*args)
    assert result.returncode == 2 and fragment in result.err
    assert "Traceback" not in result.err


def test_models_free_json(run_cli, fake_server):
    fake_server.route("GET", "/models", FakeResponse.json({"data": [
        {"id": "deepseek/deepseek-r1:free", "pricing": {"prompt": "0", "completion": "0"}},
        {"id": "qwen/qwen3-coder", "pricing": {"prompt": "0", "completion": "0"}},
        {"id": "openai/gpt-4o", "pricing": {"prompt": "0.0000025", "completion": "0.00001"}},
    ]}))
    result = run_cli("models", "--provider", "openrouter", "--free", "--json",
                     env=env_for(fake_server))
    assert result.returncode == 0, result.err
    refs = {m["ref"] for m in json.loads(result.out)}
    assert refs == {"openrouter/deepseek/deepseek-r1:free", "openrouter/qwen/qwen3-coder"}
    plain = run_cli("models", "--provider", "openrouter", env=env_for(fake_server))
    assert "openrouter/openai/gpt-4o" in plain.out and "paid" in plain.out


def test_python_dash_m_and_version(run_cli):
    result = run_cli("--version")
    assert result.returncode == 0 and result.out.startswith("freechat ")


def test_done_only_stream_is_complete(run_cli, fake_server):
    fake_server.route("POST", "/chat/completions", FakeResponse.sse(
        [sse(openrouter_chunk(content="x")), DONE]))
    result = run_cli("ask", "-m", MODEL, "hi", env=env_for(fake_server))
    assert result.returncode == 0 and result.out == "x"
