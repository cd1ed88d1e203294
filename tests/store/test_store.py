"""ConversationStore on disk: atomic writes, corruption, leftovers, errors, modes, search."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
from pathlib import Path

import pytest

from freechat.core import fsutil
from freechat.core.conversation import ConversationTooNew, CorruptConversation
from freechat.core.conversation_json import dumps
from freechat.core.errors import UsageError
from freechat.core.store import (
    ConversationNotFound,
    ConversationReadOnly,
    ConversationStore,
    StoreBusy,
    StoreWriteError,
)
from tests.store.conftest import make_conversation, reply

GOLDEN = Path(__file__).parent / "golden"
A, B, C = "20260101-120000-aaaaaa", "20260101-120000-bbbbbb", "20260102-080000-cccccc"


def test_create_list_load(store: ConversationStore) -> None:
    store.create(make_conversation(A, "Older", updated="2026-01-01T10:00:00.000Z"))
    store.create(make_conversation(B, "Newer", updated="2026-01-01T11:00:00.000Z", turns=3))
    listed = store.list()
    assert [s.id for s in listed] == [B, A]
    assert listed[0].to_json() == {
        "id": B, "title": "Newer", "created_at": "2026-01-01T12:00:00.000Z",
        "updated_at": "2026-01-01T11:00:00.000Z", "messages": 6,
        "models": ["openrouter/x:free"]}
    assert listed[0].size == store.path(B).stat().st_size
    assert store.load(A) == make_conversation(A, "Older", updated="2026-01-01T10:00:00.000Z")


def test_S7_modes_even_with_umask_000(store: ConversationStore, isolated_env: Path) -> None:
    store.directory.mkdir(parents=True, mode=0o755)
    os.chmod(store.directory, 0o755)  # pre-existing and too open
    old = os.umask(0)
    try:
        store.create(make_conversation(A))
        store.update(A, lambda c: c.messages.append(reply("a9", "more")))
    finally:
        os.umask(old)
    for directory in (store.directory, isolated_env, isolated_env / "state"):
        assert directory.stat().st_mode & 0o777 == 0o700, directory
    for path in store.directory.iterdir():
        assert path.stat().st_mode & 0o777 == 0o600, path.name


def test_update_rereads_under_the_lock(store: ConversationStore, isolated_env: Path) -> None:
    store.create(make_conversation(A))
    other = ConversationStore(store.directory, store.journal_dir)  # a second freechat
    other.update(A, lambda c: c.messages.append(reply("x1", "from the other one")))
    mine = store.update(A, lambda c: c.messages.append(reply("x2", "from this one")))
    assert [m.id for m in mine.messages][-2:] == ["x1", "x2"]
    assert mine.updated_at == "2026-01-01T12:00:00.000Z"  # the injected clock


def test_update_failure_leaves_callers_objects_alone(store: ConversationStore) -> None:
    created = store.create(make_conversation(A))
    with pytest.raises(ZeroDivisionError):
        store.update(A, lambda c: (c.messages.clear(), 1 / 0))
    assert len(created.messages) == 4
    assert len(store.load(A).messages) == 4


def test_D2_leftover_temp_files_ignored_and_cleaned(store: ConversationStore) -> None:
    store.create(make_conversation(A))
    leftover = store.directory / f".tmp-{A}.json-k1ll3d"
    leftover.write_bytes(dumps(make_conversation(A))[:50])
    stray = store.directory / ".tmp-other"
    stray.write_bytes(b"{")
    store.journal_dir.mkdir(parents=True)
    unnamed_journal = store.journal_dir / f".tmp-{A}.m1.journal"
    unnamed_journal.write_bytes(b'{"k":"start"')
    assert [s.id for s in store.list()] == [A]
    assert not leftover.exists() and not stray.exists() and not unnamed_journal.exists()
    assert store.take_notices() == []


def test_D4_corrupt_file_set_aside_others_load(store: ConversationStore) -> None:
    store.create(make_conversation(A))
    store.create(make_conversation(B))
    bad = store.path(B)
    original = bad.read_bytes()[:-40]
    bad.write_bytes(original)
    assert [s.id for s in store.list()] == [A]
    aside = list(store.directory.glob(f"{B}.json.corrupt-*"))
    assert len(aside) == 1 and aside[0].name == f"{B}.json.corrupt-20260101T120000Z"
    assert aside[0].read_bytes() == original  # set aside byte for byte, never rewritten
    notices = store.take_notices()
    assert len(notices) == 1 and B in notices[0] and aside[0].name in notices[0]
    # A second corrupt file with the same name and time never overwrites the first.
    bad.write_bytes(b"{nope")
    with pytest.raises(CorruptConversation):
        store.load(B)
    assert len(list(store.directory.glob(f"{B}.json.corrupt-*"))) == 2


def test_D4_file_with_a_foreign_id_is_set_aside(store: ConversationStore) -> None:
    store.path(A).parent.mkdir(parents=True)
    store.path(A).write_bytes(dumps(make_conversation(B)))
    assert store.list() == []
    assert store.take_notices()


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EACCES, errno.EROFS])
def test_D5_failed_save_keeps_everything(store: ConversationStore,
                                         monkeypatch: pytest.MonkeyPatch, code: int) -> None:
    before = store.create(make_conversation(A))
    old_bytes = store.path(A).read_bytes()
    real_replace = os.replace

    def failing(src: str, dst: str) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(StoreWriteError) as caught:
        store.update(A, lambda c: c.messages.append(reply("new", "hello")))
    assert os.strerror(code) in caught.value.one_line()
    assert len(before.messages) == 4  # the caller's copy is intact
    assert store.path(A).read_bytes() == old_bytes  # the old file is intact
    assert not list(store.directory.glob(".tmp-*"))  # no debris
    monkeypatch.setattr(os, "replace", real_replace)
    after = store.update(A, lambda c: c.messages.append(reply("new", "hello")))  # retry works
    assert after.messages[-1].id == "new"


def test_D10_fsync_of_file_and_directory_on_every_commit(
        store: ConversationStore, monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[str] = []
    real = os.fsync

    def spy(fd: int) -> None:
        synced.append("dir" if os.path.isdir(f"/proc/self/fd/{fd}") else "file")
        real(fd)

    monkeypatch.setattr(os, "fsync", spy)
    store.create(make_conversation(A))
    assert synced == ["file", "dir"]
    synced.clear()
    store.update(A, lambda c: c.messages.append(reply("n", "x")))
    assert synced == ["file", "dir"]
    assert fsutil.os is os  # the spy sits where atomic_write looks


def test_D6_busy_lock_is_reported_not_waited_on_forever(store: ConversationStore) -> None:
    store.create(make_conversation(A))
    impatient = ConversationStore(store.directory, store.journal_dir, lock_timeout=0.05)
    fd = os.open(store.directory / ".lock", os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        with pytest.raises(StoreBusy) as caught:
            impatient.update(A, lambda c: None)
        assert "another freechat" in caught.value.one_line()
    finally:
        os.close(fd)
    impatient.update(A, lambda c: None)  # free again


def test_D7_older_schema_migrated_with_one_backup(store: ConversationStore) -> None:
    store.directory.mkdir(parents=True)
    target = store.directory / "20250301-090000-c0ffee.json"
    shutil.copy(GOLDEN / "v0.json", target)
    original = target.read_bytes()
    assert [s.title for s in store.list()] == ["Draft-era chat"]
    backup = store.directory / "20250301-090000-c0ffee.json.schema0.bak"
    assert backup.read_bytes() == original
    assert json.loads(target.read_bytes())["schema"] == 1
    # Another schema-0 file under the same name later: the first backup is not replaced.
    shutil.copy(GOLDEN / "v0.json", target)
    store.load("20250301-090000-c0ffee")
    assert backup.read_bytes() == original
    assert len(list(store.directory.glob("*.bak"))) == 1


def test_D7_newer_schema_is_read_only(store: ConversationStore) -> None:
    store.directory.mkdir(parents=True)
    data = json.loads(dumps(make_conversation(A)))
    data["schema"] = 2
    store.path(A).write_text(json.dumps(data))
    store.path(B).write_text(json.dumps({"schema": 2, "id": B, "messages": {"tree": []}}))
    before = {p.name: p.read_bytes() for p in store.directory.iterdir()}
    listed = store.list()
    assert [(s.id, s.read_only) for s in listed] == [(A, True)]
    assert any("newer freechat" in n for n in store.take_notices())
    with pytest.raises(ConversationReadOnly):
        store.rename(A, "new title")
    with pytest.raises(ConversationTooNew):
        store.load(B)
    after = {p.name: p.read_bytes() for p in store.directory.iterdir() if p.name != ".lock"}
    assert after == {k: v for k, v in before.items() if k != ".lock"}  # nothing touched


def test_search_titles_and_message_text(store: ConversationStore) -> None:
    store.create(make_conversation(A, "Rust lifetimes"))
    conv = make_conversation(B, "Dinner")
    conv.messages.append(reply("z", "Use guanciale, not BACON."))
    store.create(conv)
    assert [s.id for s in store.search("rust")] == [A]
    assert [s.id for s in store.search("bacon")] == [B]
    assert [s.id for s in store.search("  Guanciale,   not ")] == [B]
    assert store.search("nowhere") == []
    assert len(store.search("")) == 2
    store.rename(B, "Carbonara night")
    assert [s.id for s in store.search("carbonara")] == [B]  # the cache follows changes


def test_rename_delete_and_prefixes(store: ConversationStore) -> None:
    store.create(make_conversation(A))
    store.create(make_conversation(B))
    store.create(make_conversation(C))
    assert store.resolve("20260102") == C
    with pytest.raises(UsageError, match="matches 2"):
        store.resolve("20260101")
    with pytest.raises(ConversationNotFound):
        store.resolve("1999")
    with pytest.raises(UsageError):
        store.resolve("../x")
    assert store.rename(A, "  New\n title ").title == "New title"
    store.delete(B)
    assert not store.path(B).exists()
    assert {s.id for s in store.list()} == {A, C}
    with pytest.raises(ConversationNotFound):
        store.load(B)


def test_large_conversation_loads_and_pages(store: ConversationStore) -> None:
    store.create(make_conversation(A, turns=500))
    conv = store.load(A)
    assert len(conv.messages) == 1000
    assert [m.id for m in conv.newest(40)][-1] == "a499"
    assert len(conv.newest(40, before=20)) == 20
