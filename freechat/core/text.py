"""Text hygiene for streamed deltas.

Providers split surrogate pairs across deltas (`"\\ud83d"` then `"\\ude00"`) or send lone
surrogates; joined naively they make a str that cannot be encoded, which kills saving and
rendering. `SurrogateJoiner` pairs halves across deltas and turns lone ones into U+FFFD.
"""

from __future__ import annotations

from freechat.core.events import Finished, ReasoningDelta, StreamEvent, TextDelta
from freechat.core.surrogates import REPLACEMENT, clean_surrogates


class SurrogateJoiner:
    """Feeds deltas through, holding back a trailing high surrogate until the next delta."""

    def __init__(self) -> None:
        self._pending = ""

    def feed(self, text: str) -> str:
        text = self._pending + text
        self._pending = ""
        if text and "\ud800" <= text[-1] <= "\udbff":
            self._pending, text = text[-1], text[:-1]
        return clean_surrogates(text)

    def flush(self) -> str:
        pending, self._pending = self._pending, ""
        return REPLACEMENT if pending else ""


class DeltaCleaner:
    """Surrogate hygiene for a whole event stream, whatever adapter produced it.

    ChatSession runs every event through one of these, so the text that reaches the screen and
    the saved file is always encodable even if an adapter forgot its own SurrogateJoiner. Clean
    events pass through as the same objects; a held-back half is flushed before `Finished`.
    """

    def __init__(self) -> None:
        self._text = SurrogateJoiner()
        self._reasoning = SurrogateJoiner()

    def feed(self, event: StreamEvent) -> list[StreamEvent]:
        if isinstance(event, TextDelta):
            return self._clean(event, self._text, TextDelta)
        if isinstance(event, ReasoningDelta):
            return self._clean(event, self._reasoning, ReasoningDelta)
        if isinstance(event, Finished):
            return [*self.flush(), event]
        return [event]

    def flush(self) -> list[StreamEvent]:
        out: list[StreamEvent] = []
        if reasoning := self._reasoning.flush():
            out.append(ReasoningDelta(reasoning))
        if text := self._text.flush():
            out.append(TextDelta(text))
        return out

    @staticmethod
    def _clean(
        event: TextDelta | ReasoningDelta, joiner: SurrogateJoiner,
        cls: type[TextDelta] | type[ReasoningDelta],
    ) -> list[StreamEvent]:
        text = joiner.feed(event.text)
        if not text:
            return []
        return [event if text == event.text else cls(text)]


class ThinkTagSplitter:
    """Splits `<think>…</think>` at the start of a reply out of the visible text.

    DeepSeek-R1 style models served raw put their reasoning inline. Only a reply that *starts*
    with `<think>` (after whitespace) is treated this way, so answers that merely mention the
    tag are left alone. Tags split across deltas are handled. `feed` returns (reasoning, text).
    """

    OPEN = "<think>"
    CLOSE = "</think>"

    def __init__(self) -> None:
        self._state = "start"  # start -> thinking -> text
        self._buffer = ""

    def feed(self, text: str) -> tuple[str, str]:
        if self._state == "text":
            return "", text
        self._buffer += text
        if self._state == "start":
            stripped = self._buffer.lstrip()
            if not stripped:
                return "", ""
            if len(stripped) < len(self.OPEN) and self.OPEN.startswith(stripped):
                return "", ""
            if not stripped.startswith(self.OPEN):
                self._state = "text"
                out, self._buffer = self._buffer, ""
                return "", out
            self._state = "thinking"
            self._buffer = stripped[len(self.OPEN):]
        # thinking
        end = self._buffer.find(self.CLOSE)
        if end >= 0:
            reasoning, rest = self._buffer[:end], self._buffer[end + len(self.CLOSE):]
            self._buffer = ""
            self._state = "text"
            return reasoning, rest.lstrip("\n")
        # Hold back a possible partial closing tag.
        keep = 0
        for size in range(min(len(self.CLOSE) - 1, len(self._buffer)), 0, -1):
            if self.CLOSE.startswith(self._buffer[-size:]):
                keep = size
                break
        reasoning = self._buffer[: len(self._buffer) - keep]
        self._buffer = self._buffer[len(self._buffer) - keep:]
        return reasoning, ""

    def flush(self) -> tuple[str, str]:
        buffer, self._buffer = self._buffer, ""
        if self._state == "thinking":
            return buffer, ""
        return "", buffer
