"""Notifications that stay brief on screen and complete in the messages view (F9,
screens/messages.py, loaded when first opened)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

NOTICES_KEPT = 50
LONG = 200  # characters; past this (or past a few lines) a toast becomes a wall of text
BRIEF = 120


@dataclass(frozen=True)
class Notice:
    title: str
    text: str
    severity: str  # information | warning | error


def is_long(text: str) -> bool:
    return len(text) > LONG or text.count("\n") >= 3


def brief(text: str, limit: int = BRIEF) -> str:
    """The first sentence or line, cut at a word boundary within `limit` characters."""
    first = text.strip().split("\n", 1)[0]
    for stop in (". ", "; "):
        head, found, _ = first.partition(stop)
        if found and len(head) >= 20:
            first = head + stop.strip()
            break
    if len(first) <= limit:
        return first
    cut = first[:limit].rsplit(" ", 1)[0].rstrip(",;:—- ")
    return cut + "…"


class NoticesMixin:
    """Every notification is kept (the last 50) for the messages view; a long one shows a
    brief version in its toast, with the key that opens it in full."""

    notices: deque[Notice]

    def init_notices(self) -> None:
        self.notices = deque(maxlen=NOTICES_KEPT)

    def notify(self, message: str, *, title: str = "", severity: Any = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        text = _plain(message) if markup else str(message)
        self.notices.append(Notice(title, text, str(severity)))
        if is_long(text):
            message = f"{brief(text)} ({self.key_label('show-messages')}: all of it)"  # type: ignore[attr-defined]
            markup = False
        super().notify(  # type: ignore[misc]
            message, title=title, severity=severity, timeout=timeout, markup=markup
        )


def _plain(message: str) -> str:
    from textual.content import Content

    try:
        return Content.from_markup(message).plain
    except Exception:  # not valid markup: show it as it is
        return str(message)
