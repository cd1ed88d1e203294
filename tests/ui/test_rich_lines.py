"""The streaming tail's Rich Markdown: fences in a language Pygments lacks render as text."""

from __future__ import annotations

import pygments.lexers
import pytest
from rich.console import Console

from freechat.ui.widgets.rich_lines import known_lexers, rich_markdown


def render(text: str) -> list:
    console = Console(width=60, color_system="truecolor", force_terminal=True)
    return list(console.render(rich_markdown(text, dark=True)))


def styled_code(segments: list, word: str) -> set[str]:
    return {str(s.style.color) for s in segments if word in s.text and s.style and s.style.color}


@pytest.mark.parametrize("partial", ["py", "pyt", "javas", "no-such-language"])
def test_an_unknown_or_half_streamed_language_never_asks_pygments_plugins(
        monkeypatch: pytest.MonkeyPatch, partial: str):
    """The open fence's language arrives a token at a time; an unknown name made Pygments
    scan every installed package for plugins (60 ms the first time, mid-stream)."""
    scans: list[str] = []
    # pygments.lexers replaces itself in sys.modules: patch the namespace its functions use.
    monkeypatch.setitem(pygments.lexers.get_lexer_by_name.__globals__, "find_plugin_lexers",
                        lambda: scans.append("scan") or iter(()))
    segments = render(f"```{partial}\ndef f(x):\n    return x\n")
    assert scans == []
    assert "return" in "".join(s.text for s in segments)  # shown, as plain text


def test_a_known_language_is_still_highlighted():
    assert {"python", "js", "bash", "text"} <= known_lexers()
    python = render("```python\ndef f(x):\n    return x\n```")
    plain = render("```text\ndef f(x):\n    return x\n```")
    assert styled_code(python, "def") != styled_code(plain, "def")
