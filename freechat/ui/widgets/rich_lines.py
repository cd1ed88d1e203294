"""Rich renderables as cheap widgets, and warming up what the first reply would pay for.

`RichLines` draws a Rich renderable once per width (a `Static` renders it twice: for its
height and for its lines) and repaints without a layout when an update keeps the height:
LazyMarkdown's placeholders and its streaming tail are RichLines.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from typing import ClassVar

from markdown_it.token import Token
from rich import box
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.markdown import CodeBlock, MarkdownElement, TableElement
from rich.markdown import Markdown as RichMarkdown
from rich.segment import Segment
from rich.style import Style as RichStyle
from rich.styled import Styled
from rich.table import Table
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Markdown


class RichLines(Widget):
    """A Rich renderable drawn once per width: one render gives both the height and the
    lines (a `Static` renders twice), and an update that keeps the height costs no layout."""

    def __init__(self, renderable: RenderableType, *, classes: str | None = None,
                 step: int = 1) -> None:
        """`step`: the height grows in steps of this many lines (blank ones at the end), so
        text that streams in costs a layout every few lines, not every line."""
        super().__init__(classes=classes)
        self._renderable = renderable
        self._step = step
        self._lines: list[Strip] = []
        self._width = -1  # the width _lines were rendered at; -1: not rendered
        self._style = RichStyle()  # the base style they were rendered with

    @property
    def renderable(self) -> RenderableType:
        return self._renderable

    def update(self, renderable: RenderableType) -> None:
        before = len(self._lines) if self._width >= 0 else -1
        self._renderable, self._width = renderable, -1
        width = self.size.width
        self.refresh(layout=before < 0 or not width or len(self._render(width)) != before)

    def notify_style_update(self) -> None:
        # Called for any class change above (a reply's `-streaming` ending restyles every
        # placeholder in it): render again only if this widget's colours really changed.
        if self._width >= 0 and self.rich_style != self._style:
            self._width = -1
        super().notify_style_update()

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._render(width))

    def render_line(self, y: int) -> Strip:
        lines = self._render(self.size.width)
        return lines[y] if y < len(lines) else Strip.blank(self.size.width, self.rich_style)

    def _render(self, width: int) -> list[Strip]:
        if width != self._width:
            options = self.app.console_options.update(highlight=False, width=width,
                                                      height=None)
            self._style = style = self.rich_style
            segments = self.app.console.render(Styled(self._renderable, style), options)
            self._lines = [Strip(line, width) for line in Segment.split_and_crop_lines(
                segments, width, include_new_lines=False, pad=True, style=style)]
            if self._step > 1 and self._lines:
                blank = Strip.blank(width, self.rich_style)
                self._lines += [blank] * (-len(self._lines) % self._step)
            self._width = width
        return self._lines


class _Table(TableElement):
    """A table drawn as Textual's Markdown draws one (a full-width grid with a line between
    rows), in one widget: Textual's own is a widget per cell, ~60 ms to lay out the first time
    (twice), which is why tables are never upgraded (lazy_markdown.py)."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        table = Table(box=box.SQUARE, show_lines=True, expand=True,
                      border_style="markdown.table.border")
        if self.header is not None and self.header.row is not None:
            for column in self.header.row.cells:
                heading = column.content.copy()
                heading.stylize("bold")
                table.add_column(heading)
        if self.body is not None:
            for row in self.body.rows:
                table.add_row(*[element.content for element in row.cells])
        yield table


@functools.cache
def known_lexers() -> frozenset[str]:
    """Every language alias Pygments has built in (~900; a dict lookup, no imports)."""
    from pygments.lexers import LEXERS

    return frozenset(alias for _, _, aliases, _, _ in LEXERS.values() for alias in aliases)


class _CodeBlock(CodeBlock):
    """A fence whose language Pygments does not know is shown as plain text. While a reply
    streams, the open fence's language arrives a token at a time (`pyt`, then `python`):
    each unknown name sent Pygments to scan every installed package for plugins, 60 ms
    the first time, mid-stream."""

    @classmethod
    def create(cls, markdown: RichMarkdown, token: Token) -> CodeBlock:
        block = super().create(markdown, token)
        if block.lexer_name.lower() not in known_lexers():
            block.lexer_name = "text"
        return block


class _Markdown(RichMarkdown):
    elements: ClassVar[dict[str, type[MarkdownElement]]] = {
        **RichMarkdown.elements, "table_open": _Table, "fence": _CodeBlock,
        "code_block": _CodeBlock}

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        rendered = iter(super().__rich_console__(console, options))
        first = next(rendered, None)
        if first is not None and first != Segment.line():  # Rich starts a table with one
            yield first
        yield from rendered


def rich_markdown(text: str, dark: bool) -> RichMarkdown:
    return _Markdown(text.rstrip("\n"), code_theme="monokai" if dark else "default")


WARM_UP_TEXT = """# Heading

## Heading

Text with *emphasis*, **strong**, `code` and a [link](https://example.com).

- an item
  - a nested item

1. a numbered item

> a quote

```python
def f(x: int) -> int:
    return x
```

| a | b |
|---|---|
| 1 | 2 |

---
"""
# The languages replies use most (and plain text, for fences in no or an unknown language);
# others load on first use (~10 ms each, ~0.2 MiB each).
LEXERS = ("python", "javascript", "bash", "json", "text")


def _warm_imports() -> None:
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    for name in LEXERS:
        with contextlib.suppress(ClassNotFound):
            get_lexer_by_name(name)
    known_lexers()
    # A finished fence in a language Pygments lacks (```mermaid) makes it scan installed
    # packages for plugins: 60 ms the first time, paid here, while idle, not mid-reply.
    with contextlib.suppress(ClassNotFound):
        get_lexer_by_name("freechat-warm-up-no-such-language")


async def warm_up(parent: Widget) -> None:
    """Pay the first reply's one-off costs while idle: Pygments lexers (in a thread), then the
    CSS of every Markdown block and Rich's Markdown (a hidden widget, mounted and removed)."""
    await asyncio.to_thread(_warm_imports)
    if not parent.is_attached:
        return
    from freechat.ui.widgets.lazy_markdown import full_parser

    sample = Markdown(WARM_UP_TEXT, parser_factory=full_parser)
    sample.display = False
    await parent.mount(sample)
    console = parent.app.console
    console.render_lines(rich_markdown(WARM_UP_TEXT, parent.app.current_theme.dark),
                         parent.app.console_options.update_width(60))
    await sample.remove()
