"""An incremental Server-Sent Events parser that follows the WHATWG rules.

Bytes in, events out (https://html.spec.whatwg.org/multipage/server-sent-events.html §9.2.5-6):
UTF-8 with invalid bytes replaced, one leading BOM stripped, lines ending in CRLF, LF or a lone
CR (a CRLF may be split across chunks), comments skipped (but reported, since keep-alives are
activity), one space after the colon dropped, empty-data events not dispatched, and a pending
event discarded at EOF. We never use httpx's `aiter_lines`: it splits on U+2028, NEL and FF.
Lines and events are capped so a hostile or broken server cannot exhaust memory.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from freechat.core.errors import ResponseTooLarge

DEFAULT_MAX_LINE = 1 << 20  # 1 MiB
DEFAULT_MAX_EVENT = 4 << 20  # 4 MiB
_LINE_END = re.compile(r"[\r\n]")


@dataclass(frozen=True, slots=True)
class SSEEvent:
    data: str
    event: str = "message"
    id: str = ""
    retry: int | None = None


@dataclass(frozen=True, slots=True)
class SSEComment:
    text: str


class SSEParser:
    def __init__(
        self, *, max_line: int = DEFAULT_MAX_LINE, max_event: int = DEFAULT_MAX_EVENT
    ) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._max_line = max_line
        self._max_event = max_event
        self._started = False  # BOM handled
        self._pending_cr = False  # last chunk ended in CR: a following LF belongs to it
        self._line_parts: list[str] = []
        self._line_len = 0
        self._data: list[str] = []
        self._data_len = 0
        self._event_type = ""
        self._last_id = ""
        self.retry: int | None = None

    def feed(self, chunk: bytes) -> list[SSEEvent | SSEComment]:
        return self._feed_text(self._decoder.decode(chunk))

    def close(self) -> list[SSEEvent | SSEComment]:
        """End of stream: an unterminated line and an event without its blank line are
        discarded, as the spec says (so a truncated final chunk is never mistaken for data)."""
        self._decoder.decode(b"", final=True)
        self._line_parts, self._line_len = [], 0
        self._data, self._data_len, self._event_type = [], 0, ""
        return []

    def _feed_text(self, text: str) -> list[SSEEvent | SSEComment]:
        out: list[SSEEvent | SSEComment] = []
        if not text:
            return out
        if not self._started:
            self._started = True
            if text[0] == "\ufeff":
                text = text[1:]
        if self._pending_cr:
            self._pending_cr = False
            if text.startswith("\n"):
                text = text[1:]
        pos = 0
        length = len(text)
        while pos < length:
            match = _LINE_END.search(text, pos)
            if match is None:
                rest = text[pos:]
                self._line_len += len(rest)
                if self._line_len > self._max_line:
                    raise self._too_large("a line", self._max_line)
                self._line_parts.append(rest)
                break
            end = match.start()
            if self._line_parts:
                line = "".join(self._line_parts) + text[pos:end]
                self._line_parts, self._line_len = [], 0
            else:
                line = text[pos:end]
            if len(line) > self._max_line:
                raise self._too_large("a line", self._max_line)
            pos = end + 1
            if text[end] == "\r":
                if pos < length:
                    if text[pos] == "\n":
                        pos += 1
                else:
                    self._pending_cr = True
            self._process_line(line, out)
        return out

    def _process_line(self, line: str, out: list[SSEEvent | SSEComment]) -> None:
        if not line:
            self._dispatch(out)
            return
        if line[0] == ":":
            out.append(SSEComment(line[1:].lstrip(" ")))
            return
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
            self._data_len += len(value) + 1
            if self._data_len > self._max_event:
                raise self._too_large("an event", self._max_event)
        elif name == "event":
            self._event_type = value
        elif name == "id":
            if "\0" not in value:
                self._last_id = value
        elif name == "retry" and value and value.isascii() and value.isdigit():
            self.retry = int(value)

    @property
    def buffered(self) -> int:
        """Characters held for an unfinished line and event (bounded by the two caps)."""
        return self._line_len + self._data_len

    @staticmethod
    def _too_large(what: str, cap: int) -> ResponseTooLarge:
        size = f"{cap // (1 << 20)} MiB" if cap >= 1 << 20 else f"{cap} characters"
        return ResponseTooLarge(
            f"response too large: {what} of the reply stream is over {size}; stopped reading",
            hint="the provider sent malformed data; try again or pick another model",
        )

    def _dispatch(self, out: list[SSEEvent | SSEComment]) -> None:
        if not self._data:
            self._event_type = ""
            return
        out.append(
            SSEEvent(
                data="\n".join(self._data),
                event=self._event_type or "message",
                id=self._last_id,
                retry=self.retry,
            )
        )
        self._data, self._data_len, self._event_type = [], 0, ""
