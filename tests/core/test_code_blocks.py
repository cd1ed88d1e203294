"""Fenced code blocks found in a reply, for copying one to the clipboard."""

from __future__ import annotations

from freechat.core.code_blocks import CodeBlock, code_blocks


def test_fences_of_both_kinds_with_languages():
    text = ("Intro\n\n```python\ndef f():\n    return 1\n```\n\ntext\n\n~~~~\nplain\n"
            "```\nnot a close\n~~~~\n")
    assert code_blocks(text) == [CodeBlock("python", "def f():\n    return 1"),
                                 CodeBlock("", "plain\n```\nnot a close")]


def test_an_unclosed_fence_runs_to_the_end_and_inline_backticks_are_not_fences():
    assert code_blocks("```sh\necho hi\n") == [CodeBlock("sh", "echo hi")]
    assert code_blocks("use ``` inline ```x` here") == []
    assert code_blocks("no code") == []
    assert CodeBlock("py", "\n  x = 1\n").first_line == "x = 1"
