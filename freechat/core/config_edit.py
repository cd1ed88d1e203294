"""Change one top-level setting of config.toml in place.

A setting changed from the app (the theme) used to rewrite the whole file from the parsed
config, losing the user's comments, order and layout. Here only that setting's line changes,
or one line is added. The result is checked by parsing it: when it does not read back as
exactly the old file plus the new value (a multi-line value, say), the caller gets None and
rewrites the file the old way, so a setting is never saved wrong.
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

import tomli_w

_TABLE_HEADER = re.compile(r"\s*\[")


def _comment_start(value_text: str) -> int | None:
    """Where a trailing `# comment` starts after a one-line value, skipping `#` in strings."""
    quote: str | None = None
    index = 0
    while index < len(value_text):
        char = value_text[index]
        if quote is None:
            if char == "#":
                return index
            if char in "\"'":
                quote = char
        elif char == "\\" and quote == '"':
            index += 1  # an escaped character inside a basic string
        elif char == quote:
            quote = None
        index += 1
    return None


def _key_line(key: str) -> re.Pattern[str]:
    name = re.escape(key)
    return re.compile(rf"""^(\s*)(?:{name}|"{name}"|'{name}')\s*=(.*)$""")


def set_top_level(text: str, key: str, value: Any) -> str | None:
    """`text` with `key = value` at the top level; None when that cannot be done in place
    (or `text` is not valid TOML)."""
    try:
        before = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None
    assignment = tomli_w.dumps({key: value}).strip()
    lines = text.splitlines(keepends=True)
    top = next((i for i, line in enumerate(lines) if _TABLE_HEADER.match(line)), len(lines))
    pattern = _key_line(key)
    for index in range(top):
        body = lines[index].rstrip("\r\n")
        match = pattern.match(body)
        if match is None:
            continue
        ending = lines[index][len(body):]
        comment_at = _comment_start(match.group(2))
        comment = "" if comment_at is None else "  " + match.group(2)[comment_at:].strip()
        lines[index] = match.group(1) + assignment + comment + ending
        break
    else:
        ending = "\r\n" if text.endswith("\r\n") else "\n"
        if lines and not lines[-1].endswith(("\n", "\r")):
            lines[-1] += ending
        # After the last top-level setting; with none, at the end of a file without tables,
        # else first (comments just above a table are about that table).
        keys = [i for i in range(top) if lines[i].strip() and not lines[i].lstrip().startswith("#")]
        at = keys[-1] + 1 if keys else (len(lines) if top == len(lines) else 0)
        new = [assignment + ending]
        if not keys and top < len(lines):
            new.append(ending)  # a blank line before the first table
        lines[at:at] = new
    result = "".join(lines)
    expected = {**before, key: value}
    try:
        if tomllib.loads(result) != expected:
            return None
    except tomllib.TOMLDecodeError:
        return None
    return result
