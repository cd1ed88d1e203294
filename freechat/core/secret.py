"""API keys as `Secret` objects, and `redact()` to scrub them from any text.

A `Secret` never shows its value in repr/str/f-strings/tracebacks and refuses to be pickled.
Every Secret created registers its value so `redact()` can remove it (and its URL-encoded,
JSON-escaped and base64 forms) from provider error bodies and anything else we print or save.
"""

from __future__ import annotations

import base64
import functools
import json
import re
import threading
from urllib.parse import quote, quote_plus

_MASK = "[redacted]"
_known: set[str] = set()
_known_lock = threading.Lock()

# Shapes of well-known provider keys, redacted even when we never saw the key itself. A key
# starts a token (after a non-word character, a JSON escape such as \n, or a %XX escape), so
# words like "task-management-system" are left alone.
_KEY_PATTERNS = re.compile(
    r"""
    (?:(?<![A-Za-z0-9_\-])|(?<=\\[nrtbf])|(?<=%[0-9A-Fa-f]{2}))
    (?:sk-or-v1-[A-Za-z0-9]{16,}     # OpenRouter
    | sk-(?:proj-|ant-)?[A-Za-z0-9_\-]{20,}  # OpenAI-style
    | AIza[0-9A-Za-z_\-]{30,}        # Google
    | gsk_[A-Za-z0-9]{20,}           # Groq
    | hf_[A-Za-z0-9]{20,}            # Hugging Face
    | csk-[A-Za-z0-9]{20,}           # Cerebras
    | nvapi-[A-Za-z0-9_\-]{20,}      # NVIDIA
    | fw_[A-Za-z0-9]{20,}            # Fireworks
    )""",
    re.VERBOSE,
)
# Credentials in URLs and headers, whatever their shape.
_CONTEXT_PATTERNS = re.compile(
    r"""
    (?P<q>[?&](?:key|api_key|apikey|token|access_token)=)[^&\s"'#]+
    | (?P<h>(?:[Bb]earer|[Bb]asic)\s+)[A-Za-z0-9._~+/=\-]{8,}
    | (?P<g>x-goog-api-key["']?\s*[:=]\s*["']?)[^\s"',}]+
    """,
    re.VERBOSE,
)


@functools.lru_cache(maxsize=256)
def _forms(value: str) -> frozenset[str]:
    """The ways a key can appear in text: raw, URL-encoded, JSON-escaped (also with the
    optional escaped slash), base64."""
    escaped = json.dumps(value)[1:-1]
    forms = {value, quote(value, safe=""), quote_plus(value), escaped,
             escaped.replace("/", "\\/")}
    raw = value.encode("utf-8", "surrogatepass")
    forms.add(base64.b64encode(raw).decode())
    forms.add(base64.urlsafe_b64encode(raw).decode())
    return frozenset(f for f in forms if f)


class Secret:
    """A secret string. Use `.reveal()` only at the point where it goes into a request header."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError("Secret wraps a str")
        self._value = value
        remember(value)

    def reveal(self) -> str:
        return self._value

    @property
    def last4(self) -> str:
        """At most the last four characters, for 'which key is this' displays."""
        return self._value[-4:] if len(self._value) >= 12 else ""

    def __repr__(self) -> str:
        return "Secret('****')"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> object:
        raise TypeError("Secret objects cannot be pickled")

    def __getstate__(self) -> object:
        raise TypeError("Secret objects cannot be pickled")


def remember(value: str) -> None:
    """Register a secret value so redact() removes it. Short values are ignored (false hits)."""
    if len(value) >= 8:
        with _known_lock:
            _known.add(value)


def redact(text: str, extra: list[str] | tuple[str, ...] = ()) -> str:
    """Remove every known key (in any of its encodings) and key-shaped strings from `text`.

    Idempotent; text without keys comes back unchanged.
    """
    if not text:
        return text
    with _known_lock:
        values = list(_known)
    values.extend(v for v in extra if len(v) >= 8)
    forms: set[str] = set()
    for value in values:
        forms |= _forms(value)
    # Longest first, so a form that contains another is removed whole.
    for form in sorted(forms, key=len, reverse=True):
        if form in text:
            text = text.replace(form, _MASK)
    text = _KEY_PATTERNS.sub(_MASK, text)

    def _context(match: re.Match[str]) -> str:
        prefix = match.group("q") or match.group("h") or match.group("g") or ""
        return prefix + _MASK

    return _CONTEXT_PATTERNS.sub(_context, text)
