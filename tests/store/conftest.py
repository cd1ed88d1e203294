"""Fixtures for the conversation store: a store in tmp, and conversations with fixed content."""

from __future__ import annotations

from pathlib import Path

import pytest

from freechat.core.conversation import Conversation, StoredError, StoredMessage
from freechat.core.events import RateWindow, Usage
from freechat.core.store import ConversationStore


@pytest.fixture
def store(isolated_env: Path) -> ConversationStore:
    return ConversationStore(isolated_env / "conversations", isolated_env / "state" / "journals",
                             lock_timeout=5.0, clock=lambda: 1_767_268_800.0)


def reply(message_id: str, text: str, *, model: str = "openrouter/x:free",
          status: str = "complete") -> StoredMessage:
    return StoredMessage(
        message_id, "assistant", text, "2026-01-01T12:00:01.000Z", model=model,
        upstream_provider="Chutes", generation_id="gen-1", status=status,
        finish_reason="stop" if status == "complete" else None,
        error=None if status == "complete" else StoredError("StreamInterrupted", "cut"),
        usage=Usage(9, 20, 0, 0.0), ttft_ms=120, total_ms=900,
        rate_limits=(RateWindow("requests/day", "requests", 50, 49, 1767312000.0),),
    )


def make_conversation(conv_id: str = "20260101-120000-abcdef", title: str = "Fixed title",
                      turns: int = 2, updated: str = "2026-01-01T12:00:02.000Z",
                      model: str = "openrouter/x:free") -> Conversation:
    messages: list[StoredMessage] = []
    for n in range(turns):
        messages.append(StoredMessage(f"u{n}", "user", f"question {n} about {title}",
                                      "2026-01-01T12:00:00.000Z", model=model))
        messages.append(reply(f"a{n}", f"answer {n}", model=model))
    return Conversation(conv_id, title, "2026-01-01T12:00:00.000Z", updated, messages)
