"""Conversation files as JSON (DESIGN §7): `dumps`, `loads` and schema migration.

The loader reads untrusted bytes. It never raises anything but `CorruptConversation` or
`ConversationTooNew` (P5/P6): bad UTF-8, truncation, deep nesting, NaN, duplicate keys and
wrong types are all corruption. A file from a newer freechat loads read-only when its shape
is still readable. Lone surrogates are replaced, since they cannot be written back as UTF-8.
"""

from __future__ import annotations

import json
import math
from typing import Any

from freechat.core.conversation import (
    SCHEMA,
    STATUS_COMPLETE,
    Conversation,
    ConversationTooNew,
    CorruptConversation,
    StoredError,
    StoredMessage,
    now_iso,
    valid_id,
)
from freechat.core.events import RateWindow, Usage
from freechat.core.text import clean_surrogates

_ROLES = ("system", "user", "assistant")


def _num(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) or math.isinf(value) else value


def message_to_json(message: StoredMessage) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": message.id, "role": message.role, "content": message.content,
        "created_at": message.created_at,
    }
    if message.role == "assistant" or message.model:
        data["model"] = message.model
    if message.role == "assistant":
        usage = message.usage
        data.update({
            "reasoning": message.reasoning,
            "upstream_provider": message.upstream_provider,
            "generation_id": message.generation_id,
            "status": message.status,
            "finish_reason": message.finish_reason,
            "error": None if message.error is None
            else {"type": message.error.type, "message": message.error.message},
            "usage": None if usage is None else {
                "input_tokens": usage.input_tokens, "output_tokens": usage.output_tokens,
                "reasoning_tokens": usage.reasoning_tokens, "cost": _num(usage.cost),
            },
            "ttft_ms": message.ttft_ms,
            "total_ms": message.total_ms,
            "rate_limits": [
                {"name": w.name, "unit": w.unit, "limit": _num(w.limit),
                 "remaining": _num(w.remaining), "resets_at": _num(w.resets_at),
                 "source": w.source}
                for w in message.rate_limits
            ],
        })
    elif message.reasoning:
        data["reasoning"] = message.reasoning
    if message.alternatives:
        data["alternatives"] = [message_to_json(a) for a in message.alternatives]
    return data


def to_json(conv: Conversation) -> dict[str, Any]:
    data = dict(conv.extra)
    data.update({
        "schema": SCHEMA, "id": conv.id, "title": conv.title,
        "created_at": conv.created_at, "updated_at": conv.updated_at,
        "system": conv.system,
        "messages": [message_to_json(m) for m in conv.messages],
    })
    return data


def dumps(conv: Conversation) -> bytes:
    text = json.dumps(to_json(conv), ensure_ascii=False, indent=1, allow_nan=False)
    # Surrogates are cleaned on the way in; this is the last guard before the disk.
    return clean_surrogates(text).encode("utf-8") + b"\n"


# The loader reads untrusted bytes: everything below raises _Bad, turned into one typed error.
class _Bad(Exception):
    pass


def _no_dup_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _Bad(f"duplicate key '{key}'")
        result[key] = value
    return result


def _reject_constant(name: str) -> Any:
    raise _Bad(f"{name} is not valid JSON")


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise _Bad("number out of range")
    return value


def _get(obj: dict[str, Any], key: str, kind: type | tuple[type, ...], default: Any = ...) -> Any:
    if key not in obj or (obj[key] is None and default is not ...):
        if default is ...:
            raise _Bad(f"missing '{key}'")
        return default
    value = obj[key]
    if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
        raise _Bad(f"'{key}' has the wrong type")
    if not isinstance(value, kind):
        raise _Bad(f"'{key}' has the wrong type")
    return clean_surrogates(value) if isinstance(value, str) else value


def _opt_str(obj: dict[str, Any], key: str) -> str | None:
    return _get(obj, key, str, None)


def _opt_int(obj: dict[str, Any], key: str) -> int | None:
    return _get(obj, key, int, None)


def _opt_num(obj: dict[str, Any], key: str) -> float | None:
    return _get(obj, key, (int, float), None)


def _dict(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Bad(f"{what} is not an object")
    return value


def _list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise _Bad(f"{what} is not a list")
    return value


def _message(raw: Any, depth: int = 0) -> StoredMessage:
    obj = _dict(raw, "a message")
    role = _get(obj, "role", str)
    if role not in _ROLES:
        raise _Bad(f"unknown role '{role}'")
    error = usage = None
    if obj.get("error") is not None:
        err = _dict(obj["error"], "error")
        error = StoredError(_get(err, "type", str, ""), _get(err, "message", str, ""))
    if obj.get("usage") is not None:
        use = _dict(obj["usage"], "usage")
        usage = Usage(_opt_int(use, "input_tokens"), _opt_int(use, "output_tokens"),
                      _opt_int(use, "reasoning_tokens"), _opt_num(use, "cost"))
    windows = []
    for item in _list(obj.get("rate_limits") or [], "rate_limits"):
        win = _dict(item, "a rate limit")
        windows.append(RateWindow(
            _get(win, "name", str), _get(win, "unit", str, ""), _opt_num(win, "limit"),
            _opt_num(win, "remaining"), _opt_num(win, "resets_at"),
            _get(win, "source", str, "reported"),
        ))
    if depth > 8:  # alternatives nest one level in practice; deeper is a damaged file
        raise _Bad("alternatives nested too deeply")
    alternatives = tuple(_message(a, depth + 1)
                         for a in _list(obj.get("alternatives") or [], "alternatives"))
    message_id = _get(obj, "id", str)
    if not message_id:
        raise _Bad("empty message id")
    return StoredMessage(
        id=message_id, role=role, content=_get(obj, "content", str, ""),
        created_at=_get(obj, "created_at", str, ""), model=_opt_str(obj, "model"),
        reasoning=_get(obj, "reasoning", str, ""),
        upstream_provider=_opt_str(obj, "upstream_provider"),
        generation_id=_opt_str(obj, "generation_id"), status=_opt_str(obj, "status"),
        finish_reason=_opt_str(obj, "finish_reason"), error=error, usage=usage,
        ttft_ms=_opt_int(obj, "ttft_ms"), total_ms=_opt_int(obj, "total_ms"),
        rate_limits=tuple(windows), alternatives=alternatives,
    )


# --- migrations: MIGRATIONS[n] turns a schema-n object into schema n+1 ------------------
def _v0_to_v1(obj: dict[str, Any]) -> dict[str, Any]:
    """Schema 0, the pre-release draft: no `schema`, `text` for content, epoch-second times."""
    def when(value: Any) -> Any:
        return now_iso(value) if isinstance(value, int | float) and not isinstance(
            value, bool) and math.isfinite(value) and 0 <= value < 1e11 else value

    out = {k: v for k, v in obj.items() if k not in ("created", "updated")}
    out["created_at"] = when(obj.get("created_at", obj.get("created", "")))
    out["updated_at"] = when(obj.get("updated_at", obj.get("updated", out["created_at"])))
    messages = []
    for index, raw in enumerate(_list(obj.get("messages", []), "messages")):
        msg = dict(_dict(raw, "a message"))
        if "content" not in msg:
            msg["content"] = msg.pop("text", "")
        msg.setdefault("id", f"v0-{index}")  # stable: migrating twice gives the same ids
        msg["created_at"] = when(msg.pop("time", msg.get("created_at", "")))
        if msg.get("role") == "assistant":
            msg.setdefault("status", STATUS_COMPLETE)
        messages.append(msg)
    out["messages"] = messages
    out["schema"] = 1
    return out


MIGRATIONS = {0: _v0_to_v1}


def migrate(obj: dict[str, Any], schema: int) -> dict[str, Any]:
    while schema < SCHEMA:
        obj = MIGRATIONS[schema](obj)
        schema += 1
    return obj


_KNOWN = {"schema", "id", "title", "created_at", "updated_at", "system", "messages"}


def from_json(raw: Any) -> Conversation:
    """A Conversation from parsed JSON of the current schema (migrate older ones first)."""
    obj = _dict(raw, "the file")
    schema = obj.get("schema", 0)
    if not isinstance(schema, int) or isinstance(schema, bool) or schema < 0:
        raise _Bad("'schema' is not a version number")
    too_new = schema > SCHEMA
    if schema < SCHEMA:
        obj = migrate(obj, schema)
    conv_id = _get(obj, "id", str)
    if not valid_id(conv_id):
        raise _Bad("bad conversation id")
    return Conversation(
        id=conv_id, title=_get(obj, "title", str, "Untitled"),
        created_at=_get(obj, "created_at", str, ""), updated_at=_get(obj, "updated_at", str, ""),
        messages=[_message(m) for m in _list(obj.get("messages", []), "messages")],
        system=_opt_str(obj, "system"),
        extra={k: v for k, v in obj.items() if k not in _KNOWN},
        read_only=too_new,
    )


def file_schema(payload: bytes) -> int | None:
    """The schema number of a parseable file, or None."""
    try:
        obj = json.loads(payload.decode("utf-8-sig"))
    except (ValueError, RecursionError):
        return None
    schema = obj.get("schema", 0) if isinstance(obj, dict) else None
    return schema if isinstance(schema, int) and not isinstance(schema, bool) else None


def loads(payload: bytes, source: str = "conversation") -> Conversation:
    """Parse a conversation file. Raises only CorruptConversation or ConversationTooNew."""
    try:
        text = payload.decode("utf-8-sig")
        raw = json.loads(text, object_pairs_hook=_no_dup_keys, parse_constant=_reject_constant,
                         parse_float=_finite)
        return from_json(raw)
    except (_Bad, ValueError, RecursionError, MemoryError, TypeError, KeyError) as error:
        schema = file_schema(payload)
        if schema is not None and schema > SCHEMA:
            raise ConversationTooNew(
                f"{source} was written by a newer freechat (schema {schema})",
                hint="upgrade freechat to open it; the file was left as it is",
            ) from None
        reason = str(error) if isinstance(error, _Bad) else type(error).__name__
        raise CorruptConversation(
            f"{source} cannot be read ({reason})", hint="it was set aside; the others load"
        ) from None
