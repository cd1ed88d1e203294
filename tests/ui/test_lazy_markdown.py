"""LazyMarkdown: streamed text ends as the same Markdown blocks a plain `Markdown` builds,
code stays highlighted after the stream (Textual #6518), placeholders turn into real blocks
when they come into view, and nothing but placeholders is mounted while text streams."""

from __future__ import annotations

import asyncio

import pytest
from markdown_it import MarkdownIt
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Label, Markdown
from textual.widgets._markdown import MarkdownTable
from textual.widgets.markdown import MarkdownBlock, MarkdownFence

from freechat.ui.widgets.lazy_markdown import (
    MOST_PLACEHOLDERS,
    LazyMarkdown,
    Placeholder,
    split_blocks,
)
from tests.bench.workload import markdown_document, split_tokens

DOC = """# Title

Some *text* with `code`.

- one
- two

```python
def f(x):
    return x * 2
```

| a | b |
|---|---|
| 1 | 2 |

Last words.
"""


def blocks_of(markdown: Markdown) -> list[tuple[str, str]]:
    """(block type, its text) for every top-level block: what a reader sees, in order.
    A table is drawn by Rich in one widget (never upgraded): its source stands for it."""
    out = []
    for child in markdown.children:
        if isinstance(child, Placeholder) and child.final:
            out.append(("table", child.text.strip()))
        elif isinstance(child, MarkdownTable):
            out.append(("table", "\n".join(DOC.splitlines()[slice(*child.source_range)])))
        else:
            assert isinstance(child, MarkdownBlock), f"not upgraded: {child!r}"
            text = child.code if isinstance(child, MarkdownFence) else str(child._content)
            out.append((type(child).__name__, text))
    return out


class Host(App[None]):
    def __init__(self, *widgets: Markdown, height: int | None = None) -> None:
        super().__init__()
        self.widgets = widgets
        self.height = height

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="scroll"):
            yield from self.widgets

    def on_mount(self) -> None:
        if self.height is not None:
            self.query_one("#scroll").styles.height = self.height


async def settle(pilot) -> None:
    for _ in range(4):
        await pilot.pause()


# --- splitting -------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "complete", "open_at"), [
    ("", [], 0),
    ("Just a paragraph", [], 0),
    ("Para one\n\nPara two", [0], 10),
    ("- a\n- b\n\n", [], 0),  # a list may still get items
    ("- a\n- b\n\nAfter", [0], 9),
    ("Para\n- item", [0], 5),  # a list interrupts a paragraph
    ("Para\n---", [], 0),  # ... but this is a heading (setext), still open
    ("```py\ncode\n\nmore", [], 0),  # an open fence runs to the end
    ("```py\ncode\n```\nnext", [0], 15),
    ("\n\n# H\n\ntext", [0], 7),  # leading blank lines go with the first block
])
def test_split_blocks_keeps_the_last_block_open(text: str, complete: list[int],
                                                open_at: int) -> None:
    parser = MarkdownIt("gfm-like")
    starts, at = split_blocks(text, parser)
    assert (starts, at) == (complete, open_at)


# --- streaming -------------------------------------------------------------------------------
async def test_streamed_text_ends_as_the_blocks_markdown_builds() -> None:
    streamed, plain = LazyMarkdown(classes="s"), Markdown(DOC, classes="p")
    app = Host(streamed, plain)
    async with app.run_test(size=(80, 80)) as pilot:
        for token in split_tokens(DOC):
            streamed.write(token)
            await asyncio.sleep(0)
        await streamed.finish()
        await settle(pilot)
        assert streamed.source == DOC
        assert streamed.shown_length == len(DOC)
        assert not streamed.placeholders
        assert blocks_of(streamed) == blocks_of(plain)
        table = streamed.query_one(Placeholder)
        assert table.final and "│ 1 " in "".join(s.text for s in table._render(80))


async def test_no_textual_block_is_mounted_while_streaming() -> None:
    widget = LazyMarkdown()
    async with Host(widget).run_test(size=(80, 40)) as pilot:
        for token in split_tokens(DOC):
            widget.write(token)
        await settle(pilot)
        await asyncio.sleep(0.1)  # a flush
        await settle(pilot)
        assert widget.shown_length == len(DOC)
        assert not widget.query(MarkdownBlock)
        assert widget.placeholders
        tail = widget.children[-1]
        assert tail.has_class("md-tail") and "Last words." in tail.renderable.markup


async def test_many_writes_in_one_turn_are_one_flush() -> None:
    widget = LazyMarkdown()
    flushes: list[int] = []
    async with Host(widget).run_test(size=(80, 40)) as pilot:
        original = widget._flush

        def counted(*, final: bool) -> None:
            original(final=final)
            flushes.append(widget.shown_length)

        widget._flush = counted  # type: ignore[method-assign]
        for token in split_tokens(DOC):  # no await: the render task cannot run in between
            widget.write(token)
        await asyncio.sleep(0.2)
        await settle(pilot)
        assert flushes == [len(DOC)]


async def test_code_stays_highlighted_after_the_stream_and_a_restyle() -> None:
    """Textual #6518: a fence streamed through MarkdownStream went blank on a later refresh."""
    widget = LazyMarkdown()
    app = Host(widget)
    async with app.run_test(size=(80, 40)) as pilot:
        for token in split_tokens(DOC):
            widget.write(token)
            await asyncio.sleep(0)
        await widget.finish()
        await settle(pilot)
        app.theme = "textual-light"  # re-highlights every fence
        await settle(pilot)
        fence = widget.query_one(MarkdownFence)
        content = fence.query_one(Label).content
        assert "return x * 2" in str(content)
        assert content.spans  # highlighted, not plain text
        assert fence.region.height > 2  # and on screen, not collapsed to nothing


# --- windowing -------------------------------------------------------------------------------
async def test_placeholders_turn_into_blocks_when_scrolled_into_view() -> None:
    import random

    text = markdown_document(random.Random(7), 1200)
    widget = LazyMarkdown(text)
    app = Host(widget, height=20)
    async with app.run_test(size=(80, 30)) as pilot:
        scroll = app.query_one("#scroll", VerticalScroll)
        scroll.scroll_end(animate=False, immediate=True)
        await widget.upgrade_visible()
        await settle(pilot)
        first = widget.children[0]
        assert isinstance(first, Placeholder)  # far above the view: never built
        assert isinstance(widget.children[-1], MarkdownBlock)  # in view: built
        scroll.scroll_home(animate=False, immediate=True)  # the scroll alone upgrades them
        for _ in range(50):
            await pilot.pause(0.01)
            if isinstance(widget.children[0], MarkdownBlock):
                break
        assert isinstance(widget.children[0], MarkdownBlock)
        assert widget.source == text


async def test_a_long_stream_keeps_few_placeholders_and_ends_as_markdown_builds() -> None:
    """While streaming, old placeholders merge (fewer widgets per layout); upgrading splits
    them again, and the reply still ends as the blocks a plain Markdown builds."""
    import random

    text = markdown_document(random.Random(11), 1500)
    streamed, plain = LazyMarkdown(), Markdown(text)
    app = Host(streamed, plain, height=24)
    async with app.run_test(size=(80, 30)) as pilot:
        most = 0
        for token in split_tokens(text):
            streamed.write(token)
            if token.endswith("\n"):
                await asyncio.sleep(0.06)  # a flush now and then, as a stream would get
                most = max(most, len([c for c in streamed.children
                                      if isinstance(c, Placeholder) and not c.final]))
        await streamed.finish()
        assert 0 < most <= 2 * MOST_PLACEHOLDERS  # (a table between two stops a merge)
        assert any(len(p.blocks) > 2 for p in streamed.placeholders)  # merged ones
        scroll = app.query_one("#scroll", VerticalScroll)
        for y in range(0, int(scroll.max_scroll_y) + 20, 10):  # read it all, top to bottom
            scroll.scroll_to(y=y, animate=False, immediate=True)
            for _ in range(15):
                await pilot.pause(0.01)
                if not [p for p in streamed.placeholders if streamed.in_view(p)]:
                    break
        assert streamed.source == text
        assert not streamed.placeholders
        assert [k for k, _ in blocks_of(streamed) if k != "table"] == [
            k for k, _ in blocks_of(plain) if k != "table"]
