"""Fenced code blocks in a Markdown reply, for "copy this code block" (CommonMark fences).

A fence is three or more backticks or tildes, indented at most three spaces; it closes on a
line of the same character at least as long, and an unclosed fence runs to the end of the
text (as CommonMark renders it, so a cut-off reply still offers its last block).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_OPEN = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})(?P<info>.*)$")


@dataclass(frozen=True)
class CodeBlock:
    language: str  # the first word of the info string, or ""
    code: str  # without the fences, ending without a newline

    @property
    def first_line(self) -> str:
        return next((line.strip() for line in self.code.splitlines() if line.strip()), "")


def code_blocks(markdown: str) -> list[CodeBlock]:
    blocks: list[CodeBlock] = []
    fence: str | None = None
    language = ""
    lines: list[str] = []
    for line in markdown.splitlines():
        if fence is None:
            match = _OPEN.match(line)
            info = match.group("info").strip() if match else ""
            if match and not (match.group("fence")[0] == "`" and "`" in info):
                fence, language, lines = match.group("fence"), info.split(" ", 1)[0], []
            continue
        stripped = line.strip()
        indent = len(line) - len(line.lstrip(" "))
        if (indent <= 3 and stripped and set(stripped) == {fence[0]}
                and len(stripped) >= len(fence)):
            blocks.append(CodeBlock(language, "\n".join(lines)))
            fence = None
            continue
        lines.append(line)
    if fence is not None and lines:
        blocks.append(CodeBlock(language, "\n".join(lines)))
    return blocks
