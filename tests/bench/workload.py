"""Deterministic workloads for the benchmarks: a 2,000-token Markdown reply and a long chat.

Everything comes from a seeded `random.Random`, so every run (and every machine) measures
the same bytes. A "token" is a word piece with its leading space, about 4 characters, which
is what a model's stream delivers per event.
"""

from __future__ import annotations

import random
import re

SEED = 20260128
WORDS = [
    "the", "model", "stream", "reply", "token", "render", "frame", "block", "widget", "layout",
    "parser", "latency", "budget", "terminal", "screen", "scroll", "anchor", "history",
    "message", "quota", "provider", "request", "server", "client", "python", "async", "event",
    "loop", "buffer", "cache", "memory", "startup", "import", "window", "viewport", "markdown",
    "heading", "table", "list", "code", "fence", "highlight", "theme", "column", "compare",
    "figure", "ratio", "floor",
]
CODE = {
    "python": [
        "def {w}(items: list[int]) -> int:",
        "    total = 0",
        "    for item in items:",
        "        total += item * {n}",
        "    return total  # {w}",
        "",
        "print({w}([1, 2, 3]))",
    ],
    "javascript": [
        "async function {w}(url) {{",
        "  const response = await fetch(url, {{ method: 'GET' }});",
        "  if (!response.ok) throw new Error(`status ${{response.status}}`);",
        "  return (await response.json()).items.slice(0, {n});",
        "}}",
    ],
    "bash": [
        "for f in *.md; do",
        "  wc -w \"$f\" | sort -n | head -{n}  # {w}",
        "done",
    ],
}


def _sentence(rng: random.Random, low: int = 6, high: int = 16) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    if rng.random() < 0.4:
        i = rng.randrange(len(words))
        words[i] = rng.choice([f"**{words[i]}**", f"`{words[i]}()`", f"*{words[i]}*",
                               f"[{words[i]}](https://example.com/{words[i]})"])
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(2, 4)))


def _code(rng: random.Random) -> str:
    lang = rng.choice(sorted(CODE))
    lines = [line.format(w=rng.choice(WORDS), n=rng.randint(2, 99)) for line in CODE[lang]]
    return f"```{lang}\n" + "\n".join(lines) + "\n```"


def _table(rng: random.Random) -> str:
    head = "| name | tokens | share |\n|---|---:|---|"
    rows = [f"| {rng.choice(WORDS)} | {rng.randint(1, 9999)} | {rng.randint(1, 99)}% |"
            for _ in range(rng.randint(3, 6))]
    return "\n".join([head, *rows])


def _list(rng: random.Random) -> str:
    ordered = rng.random() < 0.4
    items = []
    for n in range(rng.randint(3, 6)):
        mark = f"{n + 1}." if ordered else "-"
        items.append(f"{mark} {_sentence(rng, 4, 10)}")
        if rng.random() < 0.25:
            items.append(f"  - {_sentence(rng, 3, 7)}")
    return "\n".join(items)


def markdown_document(rng: random.Random, tokens: int) -> str:
    """A reply of about `tokens` tokens: headings, paragraphs, lists, code fences, tables."""
    blocks = [f"# {_sentence(rng, 3, 6)[:-1]}", _paragraph(rng)]
    makers = [_paragraph, _paragraph, _list, _code, _table]
    while len(split_tokens("\n\n".join(blocks))) < tokens:
        if rng.random() < 0.15:
            blocks.append(f"## {_sentence(rng, 2, 5)[:-1]}")
        blocks.append(rng.choice(makers)(rng))
    return "\n\n".join(blocks) + "\n"


_TOKEN = re.compile(r"\s*\S{1,6}|\s+")


def split_tokens(text: str) -> list[str]:
    """Word pieces of at most 6 visible characters, each with its leading whitespace."""
    return _TOKEN.findall(text)


def reply_tokens(count: int = 2000, seed: int = SEED) -> list[str]:
    """Exactly `count` tokens of Markdown (the last ones end the document cleanly)."""
    text = markdown_document(random.Random(seed), count)
    pieces = split_tokens(text)
    head = pieces[:count]
    if len(pieces) > count:  # keep the document whole: the rest joins the last token
        head[-1] += "".join(pieces[count:])
    return head


def conversation_messages(count: int = 1000, seed: int = SEED) -> list[tuple[str, str]]:
    """(role, text) pairs alternating user/assistant, about 230 bytes of Markdown each."""
    rng = random.Random(seed)
    out: list[tuple[str, str]] = []
    for n in range(count):
        if n % 2 == 0:
            out.append(("user", _sentence(rng, 5, 14)))
            continue
        parts = [_paragraph(rng)]
        roll = rng.random()
        if roll < 0.2:
            parts.append(_code(rng))
        elif roll < 0.4:
            parts.append(_list(rng))
        elif roll < 0.5:
            parts.append(_table(rng))
        out.append(("assistant", "\n\n".join(parts)))
    return out
