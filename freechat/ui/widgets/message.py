"""One chat turn on screen: the user's prompt, or an assistant reply as it streams in.

An assistant reply is a header (the model), a collapsible "Reasoning" block that appears only
when reasoning arrives, the answer as Markdown, and a footer with the figures or with why the
reply stopped. Text is streamed through `LazyMarkdown` (lazy_markdown.py): a delta is only
appended, the screen catches up at most 20 times a second, and the reply is never
re-rendered whole. A saved reply is shown the same way from its text (`from_stored`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Collapsible, Static

from freechat.core.errors import Cancelled, StreamInterrupted
from freechat.core.models import ModelRef
from freechat.core.secret import redact
from freechat.core.session import (
    STATUS_CANCELLED,
    STATUS_COMPLETE,
    STATUS_INCOMPLETE,
    STATUS_STREAMING,
    Reply,
)

if TYPE_CHECKING:
    from freechat.core.conversation import StoredMessage
    from freechat.ui.widgets.lazy_markdown import LazyMarkdown


def format_ms(ms: int | None) -> str:
    if ms is None:
        return "?"
    if ms < 1_000:
        return f"{ms / 1000:.2f} s"
    if ms < 59_950:
        return f"{ms / 1000:.1f} s"
    minutes, seconds = divmod(round(ms / 1000), 60)
    return f"{minutes}m{seconds:02d}s"


def figures(reply: Reply | StoredMessage) -> list[str]:
    """Tokens and timing, in the order a reader wants them."""
    parts: list[str] = []
    usage = reply.usage
    if usage is not None and (usage.input_tokens is not None or usage.output_tokens is not None):
        tokens = f"{usage.input_tokens if usage.input_tokens is not None else '?'} in · "
        tokens += f"{usage.output_tokens if usage.output_tokens is not None else '?'} out"
        if usage.reasoning_tokens:
            tokens += f" ({usage.reasoning_tokens} reasoning)"
        parts.append(tokens)
    if reply.ttft_ms is not None:
        parts.append(f"first token {format_ms(reply.ttft_ms)}")
    if reply.total_ms is not None:
        parts.append(f"total {format_ms(reply.total_ms)}")
    upstream = reply.meta.upstream_provider if isinstance(reply, Reply) else (
        reply.upstream_provider)
    if upstream:
        parts.append(f"via {upstream}")
    return parts


def outcome(reply: Reply) -> tuple[str, str]:
    """(footer text, CSS class) for a finished reply."""
    error = reply.error
    if reply.status == STATUS_COMPLETE:
        finish = reply.finish_reason or "stop"
        if finish == "length":
            head, css = "⚠ cut off at the length limit", "-warning"
        elif finish == "content_filter":
            head, css = "⚠ stopped by the provider's content filter", "-warning"
        else:
            head, css = f"✓ {finish}", "-complete"
        return " · ".join([head, *figures(reply)]), css
    if reply.status == STATUS_CANCELLED or isinstance(error, Cancelled):
        kept = "partial reply kept" if reply.text else "nothing had arrived"
        return " · ".join(["■ stopped by user", kept, *figures(reply)]), "-stopped"
    what = redact(error.one_line()) if error is not None else "the reply ended early"
    if reply.status == STATUS_INCOMPLETE or isinstance(error, StreamInterrupted):
        return " · ".join([f"⚠ incomplete: {what}", *figures(reply)]), "-incomplete"
    return f"✗ {what}", "-error"


class UserMessage(Static):
    def __init__(self, text: str) -> None:
        super().__init__(text, markup=False, classes="message user-message")
        self.border_title = "you"


class AssistantMessage(Vertical):
    def __init__(self, model: ModelRef | str, *, text: str | None = None,
                 reasoning: str = "", footer: tuple[str, str] | None = None) -> None:
        """A live reply (`write_*` then `finish`), or a finished one when `text` is given."""
        done = text is not None
        super().__init__(classes="message assistant-message" + ("" if done else " -streaming"))
        self.model = model
        self.border_title = str(model)
        self._text = text
        self._reasoning_text = reasoning
        self._footer = footer
        self._answer_widget: LazyMarkdown | None = None
        self._reasoning_widget: LazyMarkdown | None = None
        self.has_text = bool(text)
        self.has_reasoning = bool(reasoning)
        if self.has_text:
            self.add_class("-has-text")
        if self.has_reasoning:
            self.add_class("-has-reasoning")
        if footer is not None and footer[1]:
            self.add_class(footer[1])

    @classmethod
    def from_stored(cls, message: StoredMessage) -> AssistantMessage:
        from freechat.core.chat_log import reply_from_message

        reply = reply_from_message(message)
        footer = outcome(reply) if reply.status != STATUS_STREAMING else (
            "⚠ incomplete: freechat stopped before the reply ended", "-incomplete")
        return cls(message.model or "unknown model", text=message.content,
                   reasoning=message.reasoning, footer=footer)

    def compose(self) -> ComposeResult:
        from freechat.ui.widgets.lazy_markdown import LazyMarkdown  # Markdown loads on first use

        done = self._text is not None
        if not done or self._reasoning_text:  # a saved reply without reasoning: 4 widgets less
            title = "Reasoning" if done else "Thinking…"
            with Collapsible(title=title, collapsed=done, classes="reasoning"):
                self._reasoning_widget = LazyMarkdown(self._reasoning_text if done else None,
                                                      classes="reasoning-body")
                yield self._reasoning_widget
        # Kept, not queried: written to per streamed token.
        self._answer_widget = LazyMarkdown(self._text, classes="answer")
        yield self._answer_widget
        footer = self._footer[0] if self._footer else "waiting for the first token…"
        yield Static(footer, classes="message-footer", markup=False)

    @property
    def answer(self) -> LazyMarkdown:
        assert self._answer_widget is not None, "not composed yet"
        return self._answer_widget

    @property
    def reasoning(self) -> Collapsible:
        return self.query_one(".reasoning", Collapsible)

    @property
    def reasoning_body(self) -> LazyMarkdown:
        assert self._reasoning_widget is not None, "no reasoning block"
        return self._reasoning_widget

    @property
    def footer(self) -> Static:
        return self.query_one(".message-footer", Static)

    async def write_reasoning(self, text: str) -> None:
        if not self.has_reasoning:
            self.add_class("-has-reasoning")
            self.has_reasoning = True
            self.footer.update("thinking…")
        self.reasoning_body.write(text)

    async def write_text(self, text: str) -> None:
        if not self.has_text:
            self.has_text = True
            self.add_class("-has-text")
            self.footer.update("streaming…")
            if self.has_reasoning:  # the answer matters now; reasoning stays one key away
                self.reasoning.title = "Reasoning"
                self.reasoning.collapsed = True
        self.answer.write(text)

    async def finish(self, reply: Reply) -> None:
        """Show all the text and how the reply ended; what is in view settles into real
        Markdown blocks before this returns."""
        if self.has_reasoning:
            self.reasoning.title = "Reasoning"
        if self._reasoning_widget is not None:
            await self._reasoning_widget.finish()
        await self.answer.finish()
        text, css = outcome(reply) if reply.status != STATUS_STREAMING else ("", "")
        self.footer.update(text)
        self.remove_class("-streaming")
        if css:
            self.add_class(css)
