"""One column of a comparison, and the one-key vote bar of a blind comparison.

A column is a title (the model, or "Model A" while blind), an anchored scroll of turns (the
prompt, then the answer streamed through `AssistantMessage`, i.e. `Markdown.get_stream()`),
and the live figures under it. The screen sets what it shows; the vote bar posts `Voted`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from freechat.core.compare_figures import Figures, figure_parts
from freechat.core.models import ModelRef
from freechat.ui.widgets.message import AssistantMessage


class CompareColumn(Vertical):
    def __init__(self, index: int, title: str, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="compare-column")
        self.index = index
        self._title = title
        self.messages: list[AssistantMessage] = []

    def compose(self) -> ComposeResult:
        yield Static(self._title, classes="column-title", markup=False)
        yield VerticalScroll(classes="column-body")
        yield Static("", classes="column-figures", markup=False)

    def follow(self) -> None:
        """Stay at the bottom once the answer outgrows the column (until the user scrolls).

        Anchoring earlier would push short answers to the bottom, and the columns' prompts
        would no longer line up side by side.
        """
        body = self.body
        if not body.is_anchored and body.max_scroll_y > 0:
            body.anchor()

    @property
    def body(self) -> VerticalScroll:
        return self.query_one(".column-body", VerticalScroll)

    @property
    def figures(self) -> Static:
        return self.query_one(".column-figures", Static)

    @property
    def message(self) -> AssistantMessage | None:
        return self.messages[-1] if self.messages else None

    def set_title(self, title: str) -> None:
        self._title = title
        self.query_one(".column-title", Static).update(title)
        for message in self.messages:
            message.border_title = ""  # the column title names the model

    async def start_turn(self, prompt: str, ref: ModelRef) -> AssistantMessage:
        message = AssistantMessage(ref)
        message.border_title = ""  # never the model name: the column may be blind
        self.messages.append(message)
        await self.body.mount(Static(prompt, classes="turn-prompt", markup=False), message)
        self.follow()
        return message

    def show_figures(self, figures: Figures, note: str = "") -> None:
        ttft, rate, tokens, total, outcome, quota = figure_parts(figures)
        # Short lines, so that four narrow columns stay readable: speed, end, cost.
        lines = [f"{ttft} · {rate} · {tokens}", f"{total} · {outcome}", quota]
        if figures.ttft_ms is None and figures.status not in ("waiting", "streaming"):
            lines = lines[1:]  # nothing arrived: no speed to show
        if note:
            lines.append(note)
        self._set_figures("\n".join(lines))
        self.follow()
        live = figures.status in ("waiting", "streaming")
        wanted = "-live" if live else f"-{figures.status}"
        # Called 4 times a second per column while streaming: each class change restyles,
        # so an unchanged state changes nothing (it removed and re-added -live each time).
        for css in ("-complete", "-error", "-incomplete", "-cancelled", "-live"):
            if css != wanted:
                self.figures.remove_class(css)
        self.figures.add_class(wanted)

    def show_note(self, text: str) -> None:
        self._set_figures(text)

    def _set_figures(self, text: str) -> None:
        """Four times a second per column while streaming: a layout of the whole screen each
        time (~30 ms with three columns) unless the text takes the same lines as before."""
        figures = self.figures
        old = str(figures.content)
        if text == old:
            return
        width = figures.content_region.width
        same_height = width > 0 and len(Content(text).wrap(width)) == len(
            Content(old).wrap(width))
        figures.update(text, layout=not same_height)


class VoteBar(Static, can_focus=True):
    """Which answer was better? One key: a label, T for a tie, X for both bad."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "vote('A')", "A better", id="vote-a"),
        Binding("b", "vote('B')", "B better", id="vote-b"),
        Binding("c", "vote('C')", "C better", id="vote-c"),
        Binding("d", "vote('D')", "D better", id="vote-d"),
        Binding("t", "vote('tie')", "Tie", id="vote-tie"),
        Binding("x", "vote('bad')", "Both bad", id="vote-bad"),
    ]

    @dataclass
    class Voted(Message):
        bar: VoteBar
        choice: str

        @property
        def control(self) -> VoteBar:
            return self.bar

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self.labels: list[str] = []

    def offer(self, labels: list[str]) -> None:
        self.labels = list(labels)
        better = "   ".join(f"[{label.lower()}] {label} better" for label in labels)
        bad = "both bad" if len(labels) == 2 else "all bad"
        self.update(f"Which was better?   {better}   [t] tie   [x] {bad}")
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "vote" and parameters:
            return parameters[0] in (*self.labels, "tie", "bad")
        return True

    def action_vote(self, choice: str) -> None:
        self.post_message(self.Voted(self, choice))
