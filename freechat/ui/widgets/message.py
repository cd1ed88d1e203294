"""One chat turn on screen: the user's prompt, or an assistant reply as it streams in.

An assistant reply is a header (the model), a collapsible "Reasoning" block that appears only
when reasoning arrives, the answer streamed as Markdown through `MarkdownStream` (each delta
is appended; the reply is never re-rendered whole), and a footer with the figures or with
why the reply stopped.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Collapsible, Markdown, Static
from textual.widgets.markdown import MarkdownStream

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


def format_ms(ms: int | None) -> str:
    if ms is None:
        return "?"
    if ms < 1_000:
        return f"{ms / 1000:.2f} s"
    if ms < 59_950:
        return f"{ms / 1000:.1f} s"
    minutes, seconds = divmod(round(ms / 1000), 60)
    return f"{minutes}m{seconds:02d}s"


def figures(reply: Reply) -> list[str]:
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
    if reply.meta.upstream_provider:
        parts.append(f"via {reply.meta.upstream_provider}")
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
    def __init__(self, model: ModelRef) -> None:
        super().__init__(classes="message assistant-message -streaming")
        self.model = model
        self.border_title = str(model)
        self._answer_stream: MarkdownStream | None = None
        self._reasoning_stream: MarkdownStream | None = None
        self.has_text = False
        self.has_reasoning = False

    def compose(self) -> ComposeResult:
        with Collapsible(title="Thinking…", collapsed=False, classes="reasoning"):
            yield Markdown(classes="reasoning-body")
        yield Markdown(classes="answer")
        yield Static("waiting for the first token…", classes="message-footer", markup=False)

    @property
    def answer(self) -> Markdown:
        return self.query_one(".answer", Markdown)

    @property
    def reasoning(self) -> Collapsible:
        return self.query_one(".reasoning", Collapsible)

    @property
    def footer(self) -> Static:
        return self.query_one(".message-footer", Static)

    async def write_reasoning(self, text: str) -> None:
        if self._reasoning_stream is None:
            self.add_class("-has-reasoning")
            self.has_reasoning = True
            body = self.query_one(".reasoning-body", Markdown)
            self._reasoning_stream = Markdown.get_stream(body)
            self.footer.update("thinking…")
        await self._reasoning_stream.write(text)

    async def write_text(self, text: str) -> None:
        if self._answer_stream is None:
            self.has_text = True
            self.add_class("-has-text")
            self._answer_stream = Markdown.get_stream(self.answer)
            self.footer.update("streaming…")
            if self.has_reasoning:  # the answer matters now; reasoning stays one key away
                self.reasoning.title = "Reasoning"
                self.reasoning.collapsed = True
        await self._answer_stream.write(text)

    async def finish(self, reply: Reply) -> None:
        """Flush what is buffered and show how the reply ended."""
        for stream in (self._reasoning_stream, self._answer_stream):
            if stream is not None:
                await stream.stop()
        if self.has_reasoning:
            self.reasoning.title = "Reasoning"
        text, css = outcome(reply) if reply.status != STATUS_STREAMING else ("", "")
        self.footer.update(text)
        self.remove_class("-streaming")
        if css:
            self.add_class(css)
