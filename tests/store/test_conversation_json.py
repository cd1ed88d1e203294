"""The conversation file: round trips (P7), hostile input (P5/P6), schemas (D7), text (D8)."""

from __future__ import annotations

import contextlib
import json
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from freechat.core.conversation import (
    Conversation,
    ConversationTooNew,
    CorruptConversation,
    StoredError,
    StoredMessage,
    title_from_prompt,
)
from freechat.core.conversation_json import SCHEMA, dumps, loads
from freechat.core.events import RateWindow, Usage
from tests.store.conftest import make_conversation

GOLDEN = Path(__file__).parent / "golden"

# --- strategies -----------------------------------------------------------------------------
# Hypothesis text never holds surrogates by default; astral characters are included.
texts = st.text(max_size=40)
ids = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9_-]{0,20}\Z")
maybe_int = st.none() | st.integers(min_value=0, max_value=10**12)
maybe_float = st.none() | st.floats(allow_nan=False, allow_infinity=False)
windows = st.builds(RateWindow, texts, texts, maybe_float, maybe_float, maybe_float, texts)
usages = st.none() | st.builds(Usage, maybe_int, maybe_int, maybe_int, maybe_float)
errors = st.none() | st.builds(StoredError, texts, texts)


NO_ALTERNATIVES = st.just(())


def _assistant(alternatives: st.SearchStrategy = NO_ALTERNATIVES) -> st.SearchStrategy:
    return st.builds(
        StoredMessage, id=ids, role=st.just("assistant"), content=texts, created_at=texts,
        model=st.none() | texts, reasoning=texts, upstream_provider=st.none() | texts,
        generation_id=st.none() | texts, status=st.none() | texts,
        finish_reason=st.none() | texts, error=errors, usage=usages, ttft_ms=maybe_int,
        total_ms=maybe_int, rate_limits=st.lists(windows, max_size=3).map(tuple),
        alternatives=alternatives,
    )


def _plain(alternatives: st.SearchStrategy = NO_ALTERNATIVES) -> st.SearchStrategy:
    return st.builds(
        StoredMessage, id=ids, role=st.sampled_from(["user", "system"]), content=texts,
        created_at=texts, model=st.none() | texts.filter(bool), reasoning=texts,
        alternatives=alternatives,
    )


leaf = _assistant() | _plain()
messages = _assistant(st.lists(leaf, max_size=2).map(tuple)) | _plain(
    st.lists(leaf, max_size=2).map(tuple))
conversations = st.builds(
    Conversation, id=ids, title=texts, created_at=texts, updated_at=texts,
    messages=st.lists(messages, max_size=6), system=st.none() | texts,
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(conversations)
def test_P7_round_trip(conv: Conversation) -> None:
    assert loads(dumps(conv)) == conv


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(conversations, st.data())
def test_P5_truncation_is_last_good_state_or_typed_error(conv: Conversation, data) -> None:
    payload = dumps(conv)
    cut = data.draw(st.integers(min_value=0, max_value=len(payload)))
    try:
        assert loads(payload[:cut]) == conv  # only the whole file (minus its newline) parses
    except CorruptConversation:
        assert cut < len(payload) - 1


def test_P5_every_prefix_of_a_file() -> None:
    payload = dumps(make_conversation(turns=2))
    good = 0
    for cut in range(len(payload) + 1):
        try:
            loads(payload[:cut])
            good += 1
        except CorruptConversation:
            pass
    assert good == 2  # the file with and without its final newline


@given(st.binary(max_size=300))
def test_P6_random_bytes_never_raise_untyped(payload: bytes) -> None:
    with contextlib.suppress(CorruptConversation, ConversationTooNew):
        loads(payload)


def _file(**changes: object) -> dict:
    data = json.loads(dumps(make_conversation(turns=1)))
    data.update(changes)
    return data


@pytest.mark.parametrize("payload", [
    b"[" * 100_000 + b"]" * 100_000,  # RecursionError in json
    b'{"schema": 1, "messages": ' + b"[" * 50_000,
    json.dumps(_file()).replace('"ttft_ms": 120', '"ttft_ms": NaN').encode(),
    json.dumps(_file()).replace('"ttft_ms": 120', '"ttft_ms": 1e999').encode(),
    b'{"schema": 1, "id": "a", "id": "b", "title": "t", "messages": []}',  # duplicate key
    json.dumps(_file(messages="not a list")).encode(),
    json.dumps(_file(messages=[{"role": "user", "content": 5, "id": "x"}])).encode(),
    json.dumps(_file(messages=[{"role": "wizard", "content": "", "id": "x"}])).encode(),
    json.dumps(_file(messages=[{"role": "user", "content": "", "id": ""}])).encode(),
    json.dumps(_file(id="../../etc/passwd")).encode(),
    json.dumps(_file(schema=True)).encode(),
    json.dumps(_file(schema=-1)).encode(),
    json.dumps(_file(title=["list"])).encode(),
    b"\xff\xfe{}",
    b"",
    b"null",
], ids=["deep", "deep-open", "nan", "inf", "dup-key", "messages-type", "content-type",
        "role", "empty-id", "path-id", "schema-bool", "schema-negative", "title-type",
        "utf16-bom", "empty", "null"])
def test_P6_hostile_files_are_typed_errors(payload: bytes) -> None:
    with pytest.raises(CorruptConversation) as caught:
        loads(payload, source="x.json")
    assert "x.json" in caught.value.one_line()
    assert "\n" not in caught.value.one_line()


def test_P6_bom_extra_fields_and_surrogates_load() -> None:
    data = _file(future_field={"kept": True})
    data["messages"][0]["content"] = "\ud83d lone"
    text = json.dumps(data)  # ensure_ascii: the lone surrogate becomes a \\ud83d escape
    conv = loads(b"\xef\xbb\xbf" + text.encode())
    assert conv.messages[0].content == "\ufffd lone"
    assert conv.extra == {"future_field": {"kept": True}}
    assert json.loads(dumps(conv))["future_field"] == {"kept": True}  # saving keeps it


def test_D7_newer_schema_opens_read_only_or_is_typed() -> None:
    readable = loads(json.dumps(_file(schema=SCHEMA + 1)).encode())
    assert readable.read_only and readable.messages
    with pytest.raises(ConversationTooNew):
        loads(json.dumps({"schema": SCHEMA + 1, "chapters": []}).encode())


def test_D7_golden_v1_is_stable() -> None:
    golden = (GOLDEN / "v1.json").read_bytes()
    conv = loads(golden)
    assert conv == make_conversation(turns=1)
    assert dumps(conv) == golden  # the format did not drift


def test_D7_golden_v0_migrates() -> None:
    conv = loads((GOLDEN / "v0.json").read_bytes())
    assert conv.id == "20250301-090000-c0ffee"
    assert conv.created_at == "2025-03-01T09:00:00.000Z"
    assert conv.updated_at == "2025-03-01T09:01:00.500Z"
    user, assistant = conv.messages
    assert (user.role, user.content, user.id) == ("user", "What is a monad?", "v0-0")
    assert assistant.content.startswith("A monoid")
    assert assistant.model == "groq/llama-3.3-70b-versatile"
    assert assistant.status == "complete"
    assert conv.models == ["groq/llama-3.3-70b-versatile"]
    assert json.loads(dumps(conv))["schema"] == SCHEMA


def test_D8_surrogates_and_astral_chars_save_and_reload() -> None:
    conv = make_conversation(turns=1)
    odd = StoredMessage("s1", "user", "pair \ud83d\ude00 lone \udcaf astral 𝔘𝔫𝔦 😀",
                        "2026-01-01T00:00:00.000Z")
    conv.messages.append(odd)
    conv.title = "title \ud83d"
    back = loads(dumps(conv))
    assert back.messages[-1].content == "pair 😀 lone \ufffd astral 𝔘𝔫𝔦 😀"
    assert back.title == "title \ufffd"


def test_message_records_everything_needed_to_reproduce() -> None:
    data = json.loads(dumps(make_conversation(turns=1)))
    assistant = data["messages"][1]
    for key in ("model", "upstream_provider", "status", "finish_reason", "usage", "ttft_ms",
                "total_ms", "rate_limits", "error", "reasoning", "generation_id"):
        assert key in assistant
    assert assistant["rate_limits"][0] == {
        "name": "requests/day", "unit": "requests", "limit": 50, "remaining": 49,
        "resets_at": 1767312000.0, "source": "reported"}


@pytest.mark.parametrize(("prompt", "title"), [
    ("  \n\nHow do I   reverse a list?\nmore", "How do I reverse a list?"),
    ("", "Untitled"),
    ("x" * 100, "x" * 59 + "…"),
    ("word " * 30, "word word word word word word word word word word word…"),
])
def test_title_from_first_prompt(prompt: str, title: str) -> None:
    assert title_from_prompt(prompt) == title


def test_newest_pages_from_the_end() -> None:
    conv = make_conversation(turns=500)
    assert [m.id for m in conv.newest(3)] == ["a498", "u499", "a499"]
    assert [m.id for m in conv.newest(2, before=2)] == ["u0", "a0"]
    assert conv.newest(5, before=0) == []
    assert replace(conv, messages=[]).newest(10) == []
