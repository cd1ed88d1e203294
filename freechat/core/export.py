"""A conversation as Markdown or JSON for sharing (S9: messages and safe metadata only).

Neither form carries a URL, a header or any provider configuration: only what the
conversation file holds (which never has those), with error text redacted once more.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from freechat import __version__
from freechat.core.conversation import STATUS_COMPLETE, Conversation, StoredError, StoredMessage
from freechat.core.conversation_json import to_json
from freechat.core.fsutil import atomic_write
from freechat.core.secret import redact


def _clean(message: StoredMessage) -> StoredMessage:
    error = message.error
    if error is not None:
        error = StoredError(error.type, redact(error.message))
    return replace(message, error=error,
                   alternatives=tuple(_clean(a) for a in message.alternatives))


def export_json(conv: Conversation) -> str:
    data: dict[str, Any] = {"exported_by": f"freechat {__version__}"}
    data.update(to_json(replace(conv, messages=[_clean(m) for m in conv.messages])))
    return json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def _figures(message: StoredMessage) -> str:
    parts = []
    if message.finish_reason:
        parts.append(message.finish_reason)
    if message.ttft_ms is not None:
        parts.append(f"TTFT {message.ttft_ms} ms")
    if message.total_ms is not None:
        parts.append(f"total {message.total_ms / 1000:.1f} s")
    usage = message.usage
    if usage is not None and (usage.input_tokens is not None or usage.output_tokens is not None):
        parts.append(f"{usage.input_tokens or 0} in / {usage.output_tokens or 0} out tokens")
    return " · ".join(parts)


def _heading(message: StoredMessage) -> str:
    if message.role == "user":
        return "You"
    if message.role == "system":
        return "System"
    name = message.model or "Assistant"
    if message.upstream_provider:
        name += f" (via {message.upstream_provider})"
    return name


def export_markdown(conv: Conversation) -> str:
    lines = [f"# {conv.title}", ""]
    lines.append(f"*{len(conv.messages)} messages · created {conv.created_at} · "
                 f"updated {conv.updated_at}*")
    if conv.models:
        lines.append(f"*models: {', '.join(conv.models)}*")
    lines.append("")
    if conv.system:
        lines += ["## System", "", conv.system, ""]
    for message in conv.messages:
        lines += [f"## {_heading(message)}", ""]
        if message.reasoning:
            quoted = "\n".join("> " + ln if ln else ">" for ln in message.reasoning.splitlines())
            lines += ["> **Reasoning**", ">", quoted, ""]
        if message.content:
            lines += [message.content.rstrip("\n"), ""]
        if message.role == "assistant":
            if message.status not in (None, STATUS_COMPLETE):
                why = redact(message.error.message) if message.error else "no finish marker"
                lines += [f"> ⚠ {message.status}: {why}", ""]
            figures = _figures(message)
            if figures:
                lines += [f"*{figures}*", ""]
            if message.alternatives:
                lines += [f"*{len(message.alternatives)} earlier version(s) of this reply "
                          "are kept in the JSON export*", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def export_to_file(conv: Conversation, directory: Path, fmt: str) -> Path:
    """Write an export (0600, atomically) into `directory` and return its path."""
    slug = re.sub(r"[^a-z0-9]+", "-", conv.title.casefold()).strip("-")[:40] or "conversation"
    text = export_json(conv) if fmt == "json" else export_markdown(conv)
    path = directory / f"{slug}-{conv.id}.{'json' if fmt == 'json' else 'md'}"
    atomic_write(path, text.encode("utf-8"))
    return path
