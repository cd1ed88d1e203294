"""The journal of a reply while it streams: append-only JSON lines, flushed every ~0.2 s.

A conversation file is rewritten only when a reply ends; in between, what has arrived is
appended here so that a SIGKILL loses at most the last flush interval (D3/F30). The writer
holds an flock on the journal for as long as it streams, so a second freechat can tell a live
journal (skip it) from one left by a dead process (replay it into the conversation, marked
interrupted). A torn last line is ignored by the reader.

Lines: `{"k":"start", ...header}` then `text`/`reasoning` (`d`), `meta`, `usage`, `rate`,
`ttft` and `finish` records.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from freechat.core.conversation import (
    INTERRUPTED_TEXT,
    STATUS_COMPLETE,
    STATUS_INTERRUPTED,
    STATUS_STREAMING,
    Conversation,
    StoredError,
    StoredMessage,
    settle,
)
from freechat.core.events import RateWindow, Usage
from freechat.core.paths import PRIVATE_FILE_MODE, ensure_private_dir
from freechat.core.text import clean_surrogates

JOURNAL_SUFFIX = ".journal"
FLUSH_INTERVAL = 0.2
VERSION = 1


def journal_name(conversation_id: str, message_id: str) -> str:
    return f"{conversation_id}.{message_id}{JOURNAL_SUFFIX}"


class Journal:
    """Writes one reply's journal. Not thread-safe: use it from the task that streams."""

    def __init__(self, path: Path, fd: int, *, interval: float = FLUSH_INTERVAL,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.path = path
        self._fd: int | None = fd
        self._interval = interval
        self._clock = clock
        self._pending: list[dict[str, Any]] = []
        self._last_flush = clock()
        self._timer: asyncio.TimerHandle | None = None

    @classmethod
    def start(cls, directory: Path, header: dict[str, Any], **kwargs: Any) -> Journal:
        """Create the journal, locked and with its header on disk, under its final name.

        It is written and locked under a temporary name first, so that nobody can see (and
        replay) a journal that is live but not yet locked.
        """
        ensure_private_dir(directory)
        name = journal_name(header["conversation"], header["message"])
        tmp = directory / f".tmp-{name}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, PRIVATE_FILE_MODE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.write(fd, _line({"k": "start", "v": VERSION, **header}))
            os.fsync(fd)
            os.replace(tmp, directory / name)
        except BaseException:
            os.close(fd)
            tmp.unlink(missing_ok=True)
            raise
        return cls(directory / name, fd, **kwargs)

    # --- records --------------------------------------------------------------------------
    def add(self, record: dict[str, Any]) -> None:
        """Queue a record; write the queue if the interval has passed, else arm a timer."""
        if self._fd is None:
            return
        kind = record["k"]
        last = self._pending[-1] if self._pending else None
        if kind in ("text", "reasoning") and last is not None and last["k"] == kind:
            last["d"] += record["d"]  # coalesce deltas: fewer, larger writes
        else:
            self._pending.append(dict(record))
        if self._clock() - self._last_flush >= self._interval:
            with contextlib.suppress(OSError):  # a full disk must not break the stream;
                self.flush()  # the final save reports it
        elif self._timer is None:
            self._arm()

    def text(self, text: str) -> None:
        self.add({"k": "text", "d": text})

    def reasoning(self, text: str) -> None:
        self.add({"k": "reasoning", "d": text})

    def _arm(self) -> None:
        # A reply that pauses must still reach the disk within the interval.
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        delay = max(0.0, self._interval - (self._clock() - self._last_flush))
        self._timer = loop.call_later(delay, self._timer_flush)

    def _timer_flush(self) -> None:
        self._timer = None
        with contextlib.suppress(OSError):  # the final save reports disk trouble, not a timer
            self.flush()

    def flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._last_flush = self._clock()
        if self._fd is None or not self._pending:
            return
        payload = b"".join(_line(r) for r in self._pending)
        self._pending.clear()
        os.write(self._fd, payload)  # O_APPEND, one write: a kill tears at most the last line

    def close(self, *, delete: bool) -> None:
        """Stop journaling. `delete` once the reply is safely in the conversation file."""
        if self._fd is None:
            return
        try:
            if not delete:
                with contextlib.suppress(OSError):
                    self.flush()
            elif self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if delete:
                self.path.unlink(missing_ok=True)
        finally:
            os.close(self._fd)
            self._fd = None


def _line(record: dict[str, Any]) -> bytes:
    text = json.dumps(record, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return clean_surrogates(text).encode("utf-8") + b"\n"


# --- reading ------------------------------------------------------------------------------
@dataclass
class JournalState:
    """What a journal says about a reply: the header plus everything after it."""

    header: dict[str, Any]
    text: str = ""
    reasoning: str = ""
    records: dict[str, dict[str, Any]] = field(default_factory=dict)  # last of each kind

    @property
    def conversation_id(self) -> str:
        return str(self.header.get("conversation", ""))

    @property
    def message_id(self) -> str:
        return str(self.header.get("message", ""))


def parse_journal(payload: bytes) -> JournalState | None:
    """Replay the lines of a journal. None if it has no usable header."""
    state: JournalState | None = None
    for raw in payload.split(b"\n"):
        try:
            record = json.loads(raw.decode("utf-8"))
        except (ValueError, RecursionError):
            break  # a torn last line (or garbage): keep what came before
        if not isinstance(record, dict) or not isinstance(record.get("k"), str):
            break
        kind = record["k"]
        if state is None:
            if kind != "start" or not isinstance(record.get("conversation"), str) \
                    or not isinstance(record.get("message"), str):
                return None
            state = JournalState(header=record)
        elif kind in ("text", "reasoning") and isinstance(record.get("d"), str):
            setattr(state, kind, getattr(state, kind) + record["d"])
        else:
            state.records[kind] = record
    return state


def try_lock(path: Path) -> int | None:
    """An fd holding the journal's lock, or None if a live writer holds it (or it is gone)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def _field(record: dict[str, Any] | None, key: str, kind: type | tuple[type, ...]) -> Any:
    value = None if record is None else record.get(key)
    return value if isinstance(value, kind) and not isinstance(value, bool) else None


def message_from_journal(state: JournalState) -> StoredMessage:
    """The reply as far as the journal got. Complete only if the provider said it finished."""
    head, rec = state.header, state.records
    usage = rec.get("usage")
    meta = rec.get("meta")
    finish = _field(rec.get("finish"), "reason", str)
    windows = []
    for win in _field(rec.get("rate"), "windows", list) or []:
        if isinstance(win, dict) and isinstance(win.get("name"), str):
            windows.append(RateWindow(
                win["name"], _field(win, "unit", str) or "", _field(win, "limit", (int, float)),
                _field(win, "remaining", (int, float)), _field(win, "resets_at", (int, float)),
                _field(win, "source", str) or "reported",
            ))
    return StoredMessage(
        id=state.message_id, role="assistant", content=state.text,
        created_at=_field(head, "created_at", str) or "", model=_field(head, "model", str),
        reasoning=state.reasoning,
        upstream_provider=_field(meta, "upstream_provider", str),
        generation_id=_field(meta, "generation_id", str),
        status=STATUS_COMPLETE if finish else STATUS_INTERRUPTED,
        finish_reason=finish,
        error=None if finish else StoredError("Interrupted", INTERRUPTED_TEXT),
        usage=None if usage is None else Usage(
            _field(usage, "input_tokens", int), _field(usage, "output_tokens", int),
            _field(usage, "reasoning_tokens", int), _field(usage, "cost", (int, float)),
        ),
        ttft_ms=_field(rec.get("ttft"), "ms", int),
        rate_limits=tuple(windows),
    )


def apply_journal(conv: Conversation, state: JournalState) -> bool:
    """Fold a dead writer's journal into `conv`. False if the reply was already saved."""
    if state.conversation_id != conv.id or not state.message_id:
        return False
    for message in conv.messages:
        if any(alt.id == state.message_id for alt in message.alternatives):
            return False
        if message.id == state.message_id and message.status != STATUS_STREAMING:
            return False
    settle(conv, message_from_journal(state))
    return True
