"""P10: redact() removes keys of every shape from any text they can hide in (prose, URLs,
percent-encoded, JSON-escaped, headers), is idempotent, and leaves ordinary text alone."""

from __future__ import annotations

import json
import re
import string
from urllib.parse import quote, quote_plus

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from freechat.core.secret import Secret, redact

ALNUM = string.ascii_letters + string.digits


def token(alphabet: str, low: int, high: int) -> st.SearchStrategy[str]:
    return st.text(st.sampled_from(alphabet), min_size=low, max_size=high)


# Key shapes freechat must recognise even when it never saw the key (RELIABILITY P10) ...
shaped_keys = st.one_of(
    token(ALNUM, 40, 60).map(lambda t: "sk-" + t),  # OpenAI
    token(ALNUM + "_-", 40, 120).map(lambda t: "sk-proj-" + t),
    token("0123456789abcdef", 64, 64).map(lambda t: "sk-or-v1-" + t),  # OpenRouter
    token(ALNUM + "_-", 35, 35).map(lambda t: "AIza" + t),  # Google
    token(ALNUM, 52, 52).map(lambda t: "gsk_" + t),  # Groq
    token(ALNUM, 34, 34).map(lambda t: "hf_" + t),  # Hugging Face
)
# ... and opaque tokens, which it can only find because a Secret registered them.
opaque_keys = token(ALNUM + "_-.+/=~", 20, 80).filter(
    lambda t: any(c.isdigit() for c in t) and any(c.isalpha() for c in t))

prose = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


def contexts(key: str) -> list[str]:
    """Every way a key turns up in an error body, a log line or a URL."""
    return [
        f"invalid key {key}, check it",
        f"key:{key}",
        f"https://api.example.com/v1/models?key={key}&alt=sse",
        f"https://api.example.com/v1?x=1&api_key={quote(key, safe='')}",
        f"url=https%3A%2F%2Fh%2F%3Fkey%3D{quote(key, safe='')}",
        f"q={quote_plus(key)}",
        json.dumps({"error": {"message": f"bad key: {key}\nrejected"}}),
        json.dumps({"error": {"message": f"bad key: {key}"}}).replace("/", "\\/"),
        f"Authorization: Bearer {key}",
        f"authorization: bearer {key}",
        f'{{"x-goog-api-key": "{key}"}}',
        f"headers={{'Authorization': 'Bearer {key}'}}",
    ]


def leaks(key: str, text: str) -> bool:
    return any(form in text for form in (key, quote(key, safe=""), quote_plus(key),
                                         json.dumps(key)[1:-1], key.replace("/", "\\/")))


@settings(max_examples=150, deadline=None)
@given(key=shaped_keys, before=prose, after=prose)
def test_P10_shaped_keys_are_removed_without_being_known(key, before, after):
    for context in contexts(key):
        out = redact(before + context + after)
        assert not leaks(key, out), (context, out)


@settings(max_examples=150, deadline=None)
@given(key=opaque_keys, before=prose, after=prose)
def test_P10_known_keys_are_removed_in_every_encoding(key, before, after):
    Secret(key)  # what KeyStore does with every key it hands out
    for context in contexts(key):
        out = redact(before + context + after)
        assert not leaks(key, out), (context, out)


@settings(max_examples=200, deadline=None)
@given(key=st.one_of(shaped_keys, opaque_keys), before=prose, after=prose)
def test_P10_redaction_is_idempotent(key, before, after):
    Secret(key)
    for context in contexts(key):
        once = redact(before + context + after)
        assert redact(once) == once


# Not "Bearer": whatever follows it is treated as a credential on purpose.
words = st.sampled_from([
    "the", "task-management-system-for-everyone", "risk-assessment-framework-v2",
    "disk-usage-monitoring-dashboard", "ask-me-anything-thread-2024", "token", "keyboard",
    "https://example.com/path?page=2&sort=asc", "key", "=", ":", "sk",
    "hf_", "AIza", "gsk_", "sk-", "skeleton", "whisk-y", "emoji 😀", "日本語", "\n",
])


# Prose without long unbroken word-character runs: those are what keys look like.
plain_prose = prose.filter(lambda t: not re.search(r"[A-Za-z0-9_\-]{16,}", t))


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(plain_prose, st.lists(words, max_size=20).map(" ".join)))
def test_P10_ordinary_text_is_unchanged(text):
    assume("[redacted]" not in text)
    assert redact(text) == text
