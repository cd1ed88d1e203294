"""Lone and split UTF-16 surrogates, made safe to encode (text.py streams this per delta).

Its own module so that errors.py can clean messages without loading the stream events.
"""

from __future__ import annotations

import re

REPLACEMENT = "\ufffd"
_SURROGATE = re.compile("[\ud800-\udfff]")
_PAIR = re.compile("[\ud800-\udbff][\udc00-\udfff]")


def _join_pairs(text: str) -> str:
    def combine(match: re.Match[str]) -> str:
        hi, lo = match.group()
        return chr(0x10000 + ((ord(hi) - 0xD800) << 10) + (ord(lo) - 0xDC00))

    return _PAIR.sub(combine, text)


def clean_surrogates(text: str) -> str:
    """Combine valid pairs, replace lone surrogates. Cheap when there are none."""
    if not _SURROGATE.search(text):
        return text
    return _SURROGATE.sub(REPLACEMENT, _join_pairs(text))
