"""`freechat conversations ...` and `freechat ask --save`, run as a user's shell would."""

from __future__ import annotations

import json
from pathlib import Path

from freechat.core.conversation import StoredError, StoredMessage
from freechat.core.store import ConversationStore
from tests.conftest import TEST_KEY
from tests.fakes.openai_stream import openrouter_stream
from tests.fakes.server import FakeProviderServer, FakeResponse
from tests.store.conftest import make_conversation

A, B = "20260101-120000-aaaaaa", "20260101-130000-bbbbbb"


def _store(home: Path) -> ConversationStore:
    return ConversationStore(home / "conversations", home / "state" / "journals")


def test_ask_save_prints_conversation_id_and_saves(
        fake_server: FakeProviderServer, isolated_env: Path, run_cli) -> None:
    fake_server.route("POST", "/chat/completions",
                      FakeResponse.sse(openrouter_stream(["Bonjour", " !"])))
    env = {"FREECHAT_OPENROUTER_BASE_URL": fake_server.url, "OPENROUTER_API_KEY": TEST_KEY}
    result = run_cli("ask", "-m", "openrouter/x:free", "-s", "Answer in French", "--save",
                     "--json", "Say hello", env=env)
    assert result.returncode == 0, result.err
    answer = json.loads(result.out)
    conv = _store(isolated_env).load(answer["conversation_id"])
    assert conv.title == "Say hello" and conv.system == "Answer in French"
    user, reply = conv.messages
    assert (user.content, reply.content, reply.status) == ("Say hello", "Bonjour !", "complete")
    assert reply.usage is not None and reply.usage.input_tokens == answer["usage"]["input_tokens"]
    assert not list((isolated_env / "state" / "journals").glob("*"))
    raw = (isolated_env / "conversations" / f"{conv.id}.json").read_bytes()
    assert TEST_KEY.encode() not in raw and fake_server.url.encode() not in raw

    plain = run_cli("ask", "-m", "openrouter/x:free", "--json", "again", env=env)
    assert "conversation_id" not in json.loads(plain.out)
    assert len(list((isolated_env / "conversations").glob("*.json"))) == 1


def test_list_show_export_delete(isolated_env: Path, run_cli) -> None:
    store = _store(isolated_env)
    store.create(make_conversation(A, "Rust lifetimes", updated="2026-01-01T12:00:00.000Z"))
    store.create(make_conversation(B, "Pasta", updated="2026-01-01T13:00:00.000Z",
                                   model="groq/llama"))
    listed = run_cli("conversations", "list", "--json")
    assert listed.returncode == 0, listed.err
    assert [c["id"] for c in json.loads(listed.out)] == [B, A]
    assert set(json.loads(listed.out)[0]) == {"id", "title", "created_at", "updated_at",
                                              "messages", "models"}
    human = run_cli("conversations", "list", "--search", "RUST")
    assert A in human.out and B not in human.out

    markdown = run_cli("conversations", "export", A)  # md is the default
    assert markdown.out.startswith("# Rust lifetimes\n")
    assert "## openrouter/x:free (via Chutes)" in markdown.out and "answer 1" in markdown.out
    exported = json.loads(run_cli("conversations", "export", A, "--format", "json").out)
    assert exported["id"] == A and len(exported["messages"]) == 4
    assert run_cli("conversations", "show", B[:12]).out.startswith("# Pasta")  # a prefix

    deleted = run_cli("conversations", "delete", A)
    assert deleted.returncode == 0 and A in deleted.err
    assert [c["id"] for c in json.loads(run_cli("conversations", "list", "--json").out)] == [B]


def test_errors_are_one_line_with_contract_codes(isolated_env: Path, run_cli) -> None:
    store = _store(isolated_env)
    store.create(make_conversation(A))
    store.create(make_conversation("20260101-120000-aaaaab"))
    missing = run_cli("conversations", "show", "nope")
    assert missing.returncode == 1 and missing.err.count("\n") == 1
    assert "no conversation 'nope'" in missing.err and "Traceback" not in missing.err
    ambiguous = run_cli("conversations", "export", "20260101")
    assert ambiguous.returncode == 2 and "matches 2" in ambiguous.err
    assert run_cli("conversations").returncode == 2
    assert run_cli("conversations", "export", A, "--format", "pdf").returncode == 2


def test_D4_list_reports_a_corrupt_file_and_goes_on(isolated_env: Path, run_cli) -> None:
    _store(isolated_env).create(make_conversation(A))
    (isolated_env / "conversations" / f"{B}.json").write_bytes(b'{"schema": 1, "id": ')
    result = run_cli("conversations", "list", "--json")
    assert result.returncode == 0
    assert [c["id"] for c in json.loads(result.out)] == [A]
    assert "notice" in result.err and f"{B}.json" in result.err and ".corrupt-" in result.err
    assert not (isolated_env / "conversations" / f"{B}.json").exists()


def test_S9_exports_carry_no_urls_headers_or_config(isolated_env: Path, run_cli) -> None:
    conv = make_conversation(A)
    # An error stored by an older freechat, before redaction: the export still scrubs it.
    conv.messages.append(StoredMessage(
        "e1", "assistant", "", "2026-01-01T12:00:00.000Z", model="openrouter/x:free",
        status="error", error=StoredError("AuthError", f"key {TEST_KEY} was rejected")))
    _store(isolated_env).create(conv)
    for fmt in ("md", "json"):
        text = run_cli("conversations", "export", A, "--format", fmt).out
        assert "was rejected" in text
        for needle in (TEST_KEY, "http://", "https://", "Authorization", "base_url"):
            assert needle not in text, (fmt, needle)
