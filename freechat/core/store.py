"""ConversationStore: one JSON file per conversation, written so that nothing is ever lost.

- Every write is atomic (fsutil.atomic_write: temp file, fsync, os.replace, fsync of the dir).
- Every read-modify-write holds an flock on `<dir>/.lock`, and re-reads the file inside it,
  so two running freechats never lose each other's messages (D6). A lock that stays busy
  for `lock_timeout` seconds is reported as `StoreBusy` (filelock.LockBusy).
- Journals left by a killed freechat are replayed into their conversation before it is read
  (D3); a placeholder whose journal never reached the disk is marked interrupted.
- An unreadable file is renamed `.corrupt-<time>` with a notice (D4); the others still load.
  A file from a newer freechat is read-only; an older schema is migrated, after a one-time
  backup (D7). Leftover `.tmp-*` files are removed (D2).
"""

from __future__ import annotations

import contextlib
import errno
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from freechat.core import conversation_json as codec
from freechat.core.conversation import (
    SCHEMA,
    Conversation,
    ConversationNotFound,
    ConversationReadOnly,
    ConversationSummary,
    ConversationTooNew,
    CorruptConversation,
    now_iso,
    settle_orphans,
    valid_id,
)
from freechat.core.errors import FreechatError, UsageError
from freechat.core.filelock import LockBusy, file_lock
from freechat.core.fsutil import atomic_write
from freechat.core.journal import JOURNAL_SUFFIX, apply_journal, parse_journal, try_lock
from freechat.core.paths import Paths, ensure_private_dir

StoreBusy = LockBusy  # the store's name for a lock another freechat holds too long


class StoreWriteError(FreechatError):
    default_title = "Could not save"


@dataclass
class _Entry:
    stamp: tuple[int, int]  # (mtime_ns, size): re-read the file when it changes
    conv: Conversation
    haystack: str | None = None

    def summary(self) -> ConversationSummary:
        c = self.conv
        return ConversationSummary(c.id, c.title, c.created_at, c.updated_at, len(c.messages),
                                   tuple(c.models), self.stamp[1], c.read_only)

    def matches(self, needle: str) -> bool:
        if self.haystack is None:
            parts = [self.conv.title, *(m.content for m in self.conv.messages)]
            self.haystack = "\n".join(parts).casefold()
        return needle in self.haystack


class ConversationStore:
    def __init__(self, directory: Path, journal_dir: Path, *, lock_timeout: float = 10.0,
                 clock: Callable[[], float] = time.time) -> None:
        self.directory = directory
        self.journal_dir = journal_dir
        self.lock_timeout = lock_timeout
        self._clock = clock
        self._cache: dict[str, _Entry] = {}
        self.notices: list[str] = []  # things the user should hear about (files set aside)

    @classmethod
    def from_paths(cls, paths: Paths, **kwargs: Any) -> ConversationStore:
        return cls(paths.conversations_dir, paths.state_dir / "journals", **kwargs)

    def take_notices(self) -> list[str]:
        notices, self.notices = self.notices, []
        return notices

    def path(self, conv_id: str) -> Path:
        if not valid_id(conv_id):
            raise UsageError(f"'{conv_id}' is not a conversation id",
                             hint="see `freechat conversations list`")
        return self.directory / f"{conv_id}.json"

    # --- locking --------------------------------------------------------------------------
    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        for directory in (self.directory.parent, self.directory, self.journal_dir.parent):
            ensure_private_dir(directory)  # mkdir(parents=True) leaves parents at the umask
        with file_lock(self.directory / ".lock", self.lock_timeout, "conversations"):
            yield

    # --- reading --------------------------------------------------------------------------
    def list(self) -> list[ConversationSummary]:
        """Every readable conversation, most recently updated first."""
        with self.locked():
            self._housekeep()
            entries = [e for p in self._files() if (e := self._entry(p)) is not None]
        entries.sort(key=lambda e: (e.conv.updated_at, e.conv.id), reverse=True)
        return [e.summary() for e in entries]

    def search(self, query: str) -> list[ConversationSummary]:
        """Conversations whose title or message text contains `query` (case-insensitive)."""
        needle = " ".join(query.split()).casefold()
        summaries = self.list()
        if not needle:
            return summaries
        return [s for s in summaries if (e := self._cache.get(s.id)) and e.matches(needle)]

    def load(self, conv_id: str) -> Conversation:
        """The conversation, with any journal left by a killed freechat replayed into it."""
        with self.locked():
            conv_id = self._resolve(conv_id)
            self._entry(self.path(conv_id), raise_errors=True)  # report what replay would skip
            self._replay(conv_id)
            entry = self._entry(self.path(conv_id), raise_errors=True)
            assert entry is not None
            return _copy(entry.conv)

    def resolve(self, text: str) -> str:
        """A full id from an id or a unique prefix of one."""
        with self.locked():
            return self._resolve(text)

    # --- writing --------------------------------------------------------------------------
    def create(self, conv: Conversation) -> Conversation:
        with self.locked():
            if self.path(conv.id).exists():
                raise UsageError(f"conversation {conv.id} already exists")
            self._write(conv)
        return _copy(conv)

    def update(self, conv_id: str, change: Callable[[Conversation], object], *,
               then: Callable[[Conversation], object] | None = None) -> Conversation:
        """Re-read the file under the lock, apply `change`, save. Returns the new state.

        The caller's own objects are never modified, so a failed save leaves them intact.
        `then` runs after the save, still under the lock (a turn starts its journal there).
        """
        with self.locked():
            entry = self._entry(self.path(conv_id), raise_errors=True)
            assert entry is not None
            if entry.conv.read_only:
                raise ConversationReadOnly(
                    f"{conv_id} was written by a newer freechat", hint="upgrade to change it"
                )
            conv = _copy(entry.conv)
            change(conv)
            conv.updated_at = now_iso(self._clock())
            self._write(conv)
            if then is not None:
                then(conv)
            return _copy(conv)

    def rename(self, conv_id: str, title: str) -> Conversation:
        title = " ".join(title.split()) or "Untitled"
        return self.update(conv_id, lambda c: setattr(c, "title", title))

    def delete(self, conv_id: str) -> None:
        with self.locked():
            path = self.path(self._resolve(conv_id))
            conv_id = path.stem
            for journal in self._journals(conv_id):
                journal.unlink(missing_ok=True)
            path.unlink()
            self._cache.pop(conv_id, None)

    def _write(self, conv: Conversation) -> None:
        payload = codec.dumps(conv)
        path = self.path(conv.id)
        try:
            atomic_write(path, payload)
        except OSError as error:
            reason = os.strerror(error.errno) if error.errno else type(error).__name__
            hint = ("free some disk space" if error.errno == errno.ENOSPC
                    else "check the permissions of " + str(self.directory))
            raise StoreWriteError(f"could not save conversation {conv.id}: {reason}",
                                  hint=hint + "; nothing in this session was lost") from None
        stat = path.stat()
        self._cache[conv.id] = _Entry((stat.st_mtime_ns, stat.st_size), _copy(conv))

    # --- internals (callers hold the lock) -------------------------------------------------
    def _files(self) -> list[Path]:
        if not self.directory.is_dir():
            return []
        return [p for p in self.directory.glob("*.json") if not p.name.startswith(".")]

    def _resolve(self, text: str) -> str:
        if self.path(text).exists():
            return text
        found = sorted(p.stem for p in self._files() if p.stem.startswith(text))
        if len(found) == 1:
            return found[0]
        if not found:
            raise ConversationNotFound(f"no conversation '{text}'",
                                       hint="see `freechat conversations list`")
        raise UsageError(f"'{text}' matches {len(found)} conversations",
                         hint="give more of the id: " + ", ".join(found[:3]))

    def _entry(self, path: Path, raise_errors: bool = False) -> _Entry | None:
        conv_id = path.stem
        try:
            stat = path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size)
            cached = self._cache.get(conv_id)
            if cached is not None and cached.stamp == stamp:
                return cached
            payload = path.read_bytes()
        except FileNotFoundError:
            self._cache.pop(conv_id, None)
            if raise_errors:
                raise ConversationNotFound(f"no conversation '{conv_id}'") from None
            return None
        try:
            conv = codec.loads(payload, source=path.name)
            if conv.id != conv_id:
                raise CorruptConversation(f"{path.name} holds conversation {conv.id}",
                                          hint="it was set aside; the others load")
        except ConversationTooNew as error:
            self.notices.append(error.one_line())
            if raise_errors:
                raise
            return None
        except CorruptConversation as error:
            aside = self._set_aside(path)
            self.notices.append(f"{error.message}; moved to {aside.name}")
            if raise_errors:
                raise CorruptConversation(error.message,
                                          hint=f"it was moved to {aside.name}") from None
            return None
        schema = codec.file_schema(payload)
        if schema is not None and schema < SCHEMA:
            return self._migrate(path, schema, payload, conv)
        entry = _Entry(stamp, conv)
        self._cache[conv_id] = entry
        return entry

    def _migrate(self, path: Path, schema: int, payload: bytes, conv: Conversation) -> _Entry:
        backup = path.with_name(f"{path.name}.schema{schema}.bak")
        try:
            if not backup.exists():  # the original, once, before the first rewrite
                atomic_write(backup, payload)
            self._write(conv)
        except (OSError, StoreWriteError) as error:  # still readable; migrate next time
            self.notices.append(f"{path.name} could not be upgraded ({error})")
            stat = path.stat()
            self._cache[conv.id] = _Entry((stat.st_mtime_ns, stat.st_size), conv)
        return self._cache[conv.id]

    def _set_aside(self, path: Path) -> Path:
        stamp = datetime.fromtimestamp(self._clock(), UTC).strftime("%Y%m%dT%H%M%SZ")
        target = path.with_name(f"{path.name}.corrupt-{stamp}")
        n = 1
        while target.exists():  # never overwrite an earlier one
            target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
            n += 1
        os.rename(path, target)
        self._cache.pop(path.stem, None)
        return target

    def _housekeep(self) -> None:
        for tmp in self.directory.glob(".tmp-*") if self.directory.is_dir() else ():
            tmp.unlink(missing_ok=True)  # a killed save; every writer holds the lock
        for tmp in self.journal_dir.glob(".tmp-*") if self.journal_dir.is_dir() else ():
            if (fd := try_lock(tmp)) is not None:  # a journal killed before it was named
                tmp.unlink(missing_ok=True)
                os.close(fd)
        journal_ids = {p.name.split(".", 1)[0] for p in self._journals()}
        for conv_id in journal_ids:
            if valid_id(conv_id) and self.path(conv_id).exists():
                self._replay(conv_id)

    def _journals(self, conv_id: str | None = None) -> list[Path]:
        if not self.journal_dir.is_dir():
            return []
        prefix = f"{conv_id}." if conv_id else ""
        return sorted(self.journal_dir.glob(f"{prefix}*{JOURNAL_SUFFIX}"))

    def _replay(self, conv_id: str) -> None:
        """Fold dead journals into the conversation; settle placeholders nobody streams."""
        dead: list[tuple[Path, int]] = []
        live: set[str] = set()  # message ids some running freechat is streaming
        for path in self._journals(conv_id):
            fd = try_lock(path)
            if fd is None:
                live.add(path.name[len(conv_id) + 1 : -len(JOURNAL_SUFFIX)])
                continue
            dead.append((path, fd))
        try:
            entry = self._entry(self.path(conv_id))
            if entry is None or entry.conv.read_only:
                return
            conv = _copy(entry.conv)
            changed = False
            for path, _ in dead:
                state = parse_journal(path.read_bytes())
                changed |= state is not None and apply_journal(conv, state)
            changed |= settle_orphans(conv, live)
            if changed:
                conv.updated_at = now_iso(self._clock())
                self._write(conv)
            for path, _ in dead:
                path.unlink(missing_ok=True)
        finally:
            for _, fd in dead:
                os.close(fd)


def _copy(conv: Conversation) -> Conversation:
    # Messages are frozen, so a shallow copy of the list is a full copy.
    return replace(conv, messages=list(conv.messages), extra=dict(conv.extra))
