"""Notifications that stay brief on screen and complete in the messages view (F9)."""

from __future__ import annotations

from collections import deque
from typing import Any

from freechat.ui.screens.messages import Notice, brief, is_long

NOTICES_KEPT = 50


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
