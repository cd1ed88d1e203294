"""Markdown that streams in at hundreds of tokens a second and stays cheap in long chats.

Textual's `Markdown` costs one widget per block (a 2,000-token reply is ~500 widgets), and
every frame that changes layout walks them all; `MarkdownStream` re-parses and re-mounts per
append. `LazyMarkdown` is a small subclass that keeps Textual's look for the final text:

- `write()` only appends to a list; an app-wide clock flushes every written widget at most
  FLUSH_HZ times a second, all in one go (three compare columns cost one layout, not three).
  A flush parses only from the start of the open (last) top-level block: the blocks before
  it are complete and go into cheap placeholders (Rich's Markdown, rendered once); the open
  block is one tail widget. No Textual block is mounted while the text streams.
- `finish()` (and a widget made from finished text) turns placeholders in view into real
  Textual blocks, bottom-up, a slice per frame shared with every other LazyMarkdown
  (upgrade_queue.py); the others turn when they are scrolled or resized into view. Blocks
  are always built from complete text, so a code fence cannot go blank after the stream
  (Textual #6518) and no final full `update()` is needed.
"""

from __future__ import annotations

import itertools
from collections.abc import Awaitable
from functools import cache
from typing import Any

from markdown_it import MarkdownIt
from textual import events
from textual.containers import ScrollableContainer
from textual.widget import Widget
from textual.widgets import Markdown

from freechat.ui.widgets.rich_lines import RichLines, rich_markdown
from freechat.ui.widgets.upgrade_queue import flush_clock, upgrades

BLOCKS_PER_PLACEHOLDER = 2
MOST_PLACEHOLDERS = 8  # while streaming; older ones merge, up to MERGED_BLOCKS blocks each
MERGED_BLOCKS = 8
TAIL_STEP = 3  # lines: the streaming tail grows three at a time (a layout costs ~10 ms)


@cache
def block_parser() -> MarkdownIt:
    """Block structure only: where the top-level blocks start (inline parsing is 3× dearer).

    One shared instance: a "gfm-like" MarkdownIt compiles linkify's regexes, ~4 MB and ~10 ms
    each time one is made (Textual's Markdown makes one per update)."""
    parser = MarkdownIt("gfm-like")
    parser.disable(["inline", "linkify", "replacements", "smartquotes", "text_join"],
                   ignoreInvalid=True)
    return parser


@cache
def full_parser() -> MarkdownIt:
    """The parser Textual's Markdown uses, made once."""
    return MarkdownIt("gfm-like")


def split_blocks(text: str, parser: MarkdownIt) -> tuple[list[int], int]:
    """(start offset of each complete top-level block, start offset of the open one).

    The last top-level block may still grow (a list gets an item, a paragraph becomes a
    heading or a table), so only the blocks before it are complete.
    """
    starts = [t.map[0] for t in parser.parse(text)
              if t.level == 0 and t.map is not None and t.nesting >= 0]
    if not starts:
        return [], 0
    offsets = [0]
    for line in text.splitlines(keepends=True):
        offsets.append(offsets[-1] + len(line))
    chars = [offsets[min(line, len(offsets) - 1)] for line in starts]
    chars[0] = 0  # leading blank lines belong to the first block
    return chars[:-1], chars[-1]


def _groups(text: str, bounds: list[int]) -> list[tuple[list[str], bool]]:
    """Complete blocks (text between `bounds`) as (placeholder blocks, final) pairs: up to
    BLOCKS_PER_PLACEHOLDER blocks each, a table alone and final (never upgraded)."""
    groups: list[tuple[list[str], bool]] = []
    current: list[str] = []
    for start, end in itertools.pairwise(bounds):
        block = text[start:end]
        tokens = block_parser().parse(block)
        if tokens and tokens[0].type == "table_open":
            if current:
                groups.append((current, False))
            groups.append(([block], True))
            current = []
            continue
        current.append(block)
        if len(current) == BLOCKS_PER_PLACEHOLDER:
            groups.append((current, False))
            current = []
    if current:
        groups.append((current, False))
    return groups


class Placeholder(RichLines):
    """Complete blocks rendered once by Rich, until they are worth real widgets (`final`:
    never; Rich draws tables as well as Textual does, at a fraction of the cost)."""

    def __init__(self, blocks: list[str], first_line: int, dark: bool, *,
                 final: bool = False) -> None:
        self.blocks = list(blocks)
        self._dark = dark
        super().__init__(rich_markdown(self.text, dark), classes="md-placeholder")
        self.final = final
        self.first_line = first_line

    @property
    def text(self) -> str:
        return "".join(self.blocks)

    def absorb(self, other: Placeholder) -> None:
        """Take the blocks of the placeholder just below (same height: one blank line
        between blocks either way)."""
        self.blocks += other.blocks
        self.update(rich_markdown(self.text, self._dark))

    def split(self) -> list[Placeholder]:
        """Back into placeholders of BLOCKS_PER_PLACEHOLDER blocks (to upgrade a few at a
        time)."""
        parts, line = [], self.first_line
        for i in range(0, len(self.blocks), BLOCKS_PER_PLACEHOLDER):
            blocks = self.blocks[i:i + BLOCKS_PER_PLACEHOLDER]
            parts.append(Placeholder(blocks, line, self._dark))
            line += "".join(blocks).count("\n")
        return parts


class LazyMarkdown(Markdown):
    """A `Markdown` fed by `write()` + `finish()`, or made whole from `LazyMarkdown(text)`.

    `source` is everything written so far; `shown_length` how much of it is on widgets.
    """

    DEFAULT_CSS = """
    LazyMarkdown > RichLines { width: 1fr; height: auto; }
    LazyMarkdown > .md-placeholder { margin: 0 0 1 0; }
    """

    def __init__(self, markdown: str | None = None, *, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(None, id=id, classes=classes, parser_factory=full_parser)
        self._done = ""  # text already in placeholders or blocks
        self._open = ""  # the open block, shown in the tail
        self._unflushed: list[str] = []
        self._finished = markdown is not None
        if markdown:
            self._unflushed.append(markdown)
        self._lines_done = 0
        self.shown_length = 0

    @property
    def source(self) -> str:
        return self._done + self._open + "".join(self._unflushed)

    @property
    def finished(self) -> bool:
        return self._finished

    @property
    def placeholders(self) -> list[Placeholder]:
        """Those still to be upgraded."""
        return [child for child in self.children
                if isinstance(child, Placeholder) and not child.final]

    async def _on_mount(self, event: events.Mount) -> None:
        event.prevent_default()  # Markdown's own mount would parse "" in a thread
        scroller = next((a for a in self.ancestors if isinstance(a, ScrollableContainer)), None)
        if scroller is not None:
            self.watch(scroller, "scroll_y", self._view_changed, init=False)
        if self._finished:
            self._flush(final=True)
            self._view_changed()
        elif self._unflushed:
            flush_clock(self.app).mark(self)

    def _on_resize(self, event: events.Resize) -> None:
        self._view_changed()

    # --- streaming -----------------------------------------------------------------------
    def write(self, fragment: str) -> None:
        """Append text; cheap enough to call per token (the screen catches up ≤ FLUSH_HZ)."""
        if self._finished:
            raise RuntimeError("LazyMarkdown.write() after finish()")
        if fragment:
            self._unflushed.append(fragment)
            if self.is_attached:
                flush_clock(self.app).mark(self)

    async def finish(self) -> None:
        """No more text: show all of it, then turn what is in view into real blocks."""
        if self._finished:
            return
        self._finished = True
        if self.is_attached:
            self._flush(final=True)
            flush_clock(self.app).flushed_now(self)
            await self.upgrade_visible()

    def flush(self) -> list[Awaitable[Any]]:
        """Show what was written since the last flush (the flush clock calls this); returns
        the mounts and removals it started."""
        if not self._finished and self.is_attached:
            return self._flush(final=False)
        return []

    def _flush(self, *, final: bool) -> list[Awaitable[Any]]:
        """Complete blocks into placeholders, the rest into the tail (O(open block))."""
        pending: list[Awaitable[Any]] = []
        if not self._unflushed and not final:
            return pending
        text = self._open + "".join(self._unflushed)
        self._unflushed.clear()
        starts, open_at = split_blocks(text, block_parser())
        if final and text.strip():
            starts, open_at = [*starts, open_at], len(text)
        elif not text.strip():
            starts, open_at = [], 0
        dark = self.app.current_theme.dark
        new: list[Widget] = []
        for blocks, final in _groups(text, [*starts, open_at]):
            new.append(Placeholder(blocks, self._lines_done, dark, final=final))
            self._lines_done += "".join(blocks).count("\n")
        self._done += text[:open_at]
        self._open = text[open_at:]
        showing = bool(self._open.strip())
        tail = self._tail(create=showing, pending=pending)
        if new:
            pending.append(self.mount_all(new, before=tail))
            if not final:
                self._coalesce(pending)
        if tail is not None and not showing:
            pending.append(tail.remove())
        elif tail is not None:
            tail.update(rich_markdown(self._open, dark))
        self.shown_length = len(self._done) + len(self._open)
        return pending

    def _coalesce(self, pending: list[Awaitable[Any]]) -> None:
        """While streaming, every widget costs every layout (three compare columns of a long
        reply: ~100 placeholders): past MOST_PLACEHOLDERS, the oldest neighbours merge."""
        children = [c for c in self.children if isinstance(c, Placeholder)]
        count = sum(not c.final for c in children)
        i = 0
        while count > MOST_PLACEHOLDERS and i + 1 < len(children):
            upper, lower = children[i], children[i + 1]
            if upper.final or lower.final or len(upper.blocks) >= MERGED_BLOCKS or (
                    self.children.index(lower) != self.children.index(upper) + 1):
                i += 1
                continue
            upper.absorb(lower)
            pending.append(lower.remove())
            del children[i + 1]
            count -= 1

    def _tail(self, create: bool, pending: list[Awaitable[Any]]) -> RichLines | None:
        """The last child, showing the open block (made when there first is one)."""
        for child in reversed(self.children):
            if isinstance(child, RichLines) and child.has_class("md-tail"):
                return child
        if not create:
            return None
        tail = RichLines("", classes="md-tail", step=TAIL_STEP)
        pending.append(self.mount(tail))
        return tail

    # --- upgrading -----------------------------------------------------------------------
    def _view_changed(self, *_: Any) -> None:
        if self._finished and self.placeholders:
            upgrades(self.app).add(self)

    async def upgrade_visible(self) -> None:
        """Turn the placeholders in view into Textual blocks (shared out with other widgets
        by upgrade_queue.py); returns when none in view is left."""
        if self.placeholders:
            await upgrades(self.app).add(self).wait()

    def in_view(self, widget: Widget) -> bool:
        region = widget.region
        if not region or not self.display:
            return False
        scroller = next((a for a in self.ancestors if isinstance(a, ScrollableContainer)), None)
        view = scroller.region if scroller is not None else self.screen.region
        return region.overlaps(view)

    async def upgrade(self, placeholder: Placeholder) -> None:
        """Replace one placeholder by the Textual blocks of its text (a merged one is first
        split, and its parts upgraded as they come up)."""
        if len(placeholder.blocks) > BLOCKS_PER_PLACEHOLDER:
            await self.mount_all(placeholder.split(), before=placeholder)
            await placeholder.remove()
            return
        blocks = list(self._parse_markdown(full_parser().parse(placeholder.text)))
        for block in blocks:  # line ranges into the whole source, as Markdown keeps them
            start, end = block.source_range
            block.source_range = (start + placeholder.first_line, end + placeholder.first_line)
        if blocks:
            await self.mount_all(blocks, before=placeholder)
        await placeholder.remove()
