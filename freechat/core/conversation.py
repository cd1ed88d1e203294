"""A saved conversation and its messages (DESIGN §7): plain data, no file access.

`conversation_json.py` turns these into the schema-1 JSON file and back; `store.py` puts them
on disk. Message slots keep their earlier versions (regenerated replies, edited prompts) as
`alternatives`, so nothing a user has seen is ever thrown away.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from freechat.core.errors import FreechatError
from freechat.core.events import RateWindow, Usage
from freechat.core.models import ChatMessage
from freechat.core.text import clean_surrogates

SCHEMA = 1
# How an assistant message ended: the session's statuses, plus `interrupted` for a reply
# recovered from a journal after freechat itself was killed mid-stream.
STATUS_COMPLETE = "complete"
STATUS_INTERRUPTED = "interrupted"
# A placeholder saved when a reply starts, replaced when it ends (session.STATUS_STREAMING).
STATUS_STREAMING = "streaming"
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


class CorruptConversation(FreechatError):
    """The file is not a conversation we can read (truncated, bad JSON, wrong shape)."""

    default_title = "Unreadable conversation"


class ConversationTooNew(FreechatError):
    """Written by a newer freechat in a shape this one cannot read at all."""

    default_title = "Conversation from a newer freechat"


class ConversationNotFound(FreechatError):
    default_title = "No such conversation"


class ConversationReadOnly(FreechatError):
    default_title = "Read-only conversation"


@dataclass(frozen=True)
class ConversationSummary:
    id: str
    title: str
    created_at: str
    updated_at: str
    messages: int
    models: tuple[str, ...]
    size: int  # bytes on disk
    read_only: bool = False

    def to_json(self) -> dict[str, Any]:
        """The `conversations list --json` object (DESIGN §5)."""
        return {"id": self.id, "title": self.title, "created_at": self.created_at,
                "updated_at": self.updated_at, "messages": self.messages,
                "models": list(self.models)}


@dataclass(frozen=True, slots=True)
class StoredError:
    type: str
    message: str  # already one line and redacted


@dataclass(frozen=True, slots=True)
class StoredMessage:
    """One message. Assistant messages carry what is needed to reproduce the experiment."""

    id: str
    role: str
    content: str
    created_at: str
    model: str | None = None  # provider/model ref
    reasoning: str = ""
    upstream_provider: str | None = None
    generation_id: str | None = None
    status: str | None = None  # complete | incomplete | error | cancelled | interrupted
    finish_reason: str | None = None
    error: StoredError | None = None
    usage: Usage | None = None
    ttft_ms: int | None = None
    total_ms: int | None = None
    rate_limits: tuple[RateWindow, ...] = ()
    # Earlier versions of this slot (regenerated replies, edited prompts), oldest first.
    alternatives: tuple[StoredMessage, ...] = ()

    @property
    def interrupted(self) -> bool:
        return self.status not in (None, STATUS_COMPLETE)


@dataclass
class Conversation:
    id: str
    title: str
    created_at: str
    updated_at: str
    messages: list[StoredMessage] = field(default_factory=list)
    system: str | None = None
    # Unknown top-level fields from a newer freechat, kept so that saving does not drop them.
    extra: dict[str, Any] = field(default_factory=dict)
    read_only: bool = field(default=False, compare=False)

    @property
    def models(self) -> list[str]:
        """Model refs used, in order of first use."""
        seen: dict[str, None] = {}
        for message in self.messages:
            if message.model and message.role == "assistant":
                seen.setdefault(message.model, None)
        return list(seen)

    def newest(self, count: int, before: int | None = None) -> list[StoredMessage]:
        """Up to `count` messages ending just before index `before` (default: the end).

        The UI shows the newest page first and asks for older pages as the user scrolls.
        """
        end = len(self.messages) if before is None else max(0, min(before, len(self.messages)))
        return self.messages[max(0, end - count) : end]

    def chat_messages(self) -> list[ChatMessage]:
        """The history to send to a model: current versions, with text, in order."""
        return [
            ChatMessage(m.role, m.content)
            for m in self.messages
            if m.role in ("user", "assistant") and m.content
        ]


# --- ids, times, titles -------------------------------------------------------------------
def now_iso(epoch: float | None = None) -> str:
    moment = datetime.fromtimestamp(time.time() if epoch is None else epoch, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_conversation_id(epoch: float | None = None) -> str:
    moment = datetime.fromtimestamp(time.time() if epoch is None else epoch, UTC)
    return f"{moment:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def new_message_id() -> str:
    return "m" + secrets.token_hex(6)


def valid_id(text: str) -> bool:
    return bool(_ID.match(text))


def title_from_prompt(prompt: str, limit: int = 60) -> str:
    """The first non-blank line, whitespace collapsed, cut at a word boundary. No API call."""
    line = next((ln for ln in prompt.splitlines() if ln.strip()), "")
    text = " ".join(clean_surrogates(line).split())
    if not text:
        return "Untitled"
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,.;:") + "…"


def new_conversation(title: str, system: str | None = None) -> Conversation:
    now = now_iso()
    return Conversation(new_conversation_id(), title, now, now, system=system)


def with_alternative(new: StoredMessage, old: StoredMessage) -> StoredMessage:
    """`new` in the slot of `old`, keeping `old` (and its own earlier versions) reachable."""
    earlier = (*old.alternatives, replace(old, alternatives=()))
    return replace(new, alternatives=(*earlier, *new.alternatives))


# --- turns: where a prompt and its reply go -------------------------------------------------
MODE_APPEND = "append"  # a new prompt and its reply at the end
MODE_REGENERATE = "regenerate"  # a new reply in the last reply's slot
MODE_EDIT = "edit"  # an edited last prompt and a new reply, in their old slots


def _last(conv: Conversation, role: str) -> int | None:
    for index in range(len(conv.messages) - 1, -1, -1):
        if conv.messages[index].role == role:
            return index
    return None


def open_turn(conv: Conversation, reply: StoredMessage, prompt: StoredMessage | None = None,
              mode: str = MODE_APPEND) -> None:
    """Put the prompt and the reply's placeholder in place; earlier versions stay reachable."""
    messages = conv.messages
    if mode == MODE_EDIT and prompt is not None and (i := _last(conv, "user")) is not None:
        messages[i] = with_alternative(prompt, messages[i])
        if i + 1 < len(messages) and messages[i + 1].role == "assistant":
            messages[i + 1] = with_alternative(reply, messages[i + 1])
        else:
            messages.insert(i + 1, reply)
        return
    if mode == MODE_REGENERATE and prompt is None and messages \
            and messages[-1].role == "assistant":
        messages[-1] = with_alternative(reply, messages[-1])
        return
    if prompt is not None:
        messages.append(prompt)
    messages.append(reply)


def settle(conv: Conversation, final: StoredMessage) -> None:
    """Put a finished (or recovered) reply where its placeholder is, or at the end."""
    for index, message in enumerate(conv.messages):
        if message.id == final.id:
            conv.messages[index] = replace(final, alternatives=message.alternatives)
            return
    conv.messages.append(final)


def settle_orphans(conv: Conversation, live: set[str] | frozenset[str] = frozenset()) -> bool:
    """Mark placeholders nobody is streaming any more (their journal never reached the disk)."""
    changed = False
    for index, message in enumerate(conv.messages):
        if message.status == STATUS_STREAMING and message.id not in live:
            conv.messages[index] = replace(
                message, status=STATUS_INTERRUPTED,
                error=message.error or StoredError("Interrupted", INTERRUPTED_TEXT),
            )
            changed = True
    return changed


INTERRUPTED_TEXT = "freechat stopped before the reply finished"
