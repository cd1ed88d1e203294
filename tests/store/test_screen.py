"""The conversations screen on a minimal app: search, open, rename, delete, export; a snapshot."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from textual.app import App
from textual.message import Message
from textual.pilot import Pilot

from freechat.core.store import ConversationStore
from freechat.ui.screens.conversations import ConversationsScreen
from tests.store.conftest import make_conversation, reply

RUST, PASTA, NOTES = "20260101-120000-aaaaaa", "20260101-120000-bbbbbb", "20260101-120000-cccccc"


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "UTC")  # the screen shows local times
    time.tzset()


def fill(store: ConversationStore) -> None:
    store.create(make_conversation(RUST, "Rust lifetimes", updated="2026-01-03T09:30:00.000Z"))
    pasta = make_conversation(PASTA, "Dinner ideas", updated="2026-01-02T19:05:00.000Z",
                              model="groq/llama-3.3-70b-versatile")
    pasta.messages.append(reply("g1", "Carbonara uses guanciale.", model="gemini/flash"))
    store.create(pasta)
    store.create(make_conversation(NOTES, "Meeting notes", turns=40,
                                   updated="2026-01-01T08:00:00.000Z"))


class Host(App[None]):
    def __init__(self, store: ConversationStore, export_dir: Path) -> None:
        super().__init__()
        self.store, self.export_dir = store, export_dir

    def on_mount(self) -> None:
        self.push_screen(ConversationsScreen(self.store, export_dir=self.export_dir))


async def settle(pilot: Pilot) -> None:
    for _ in range(3):  # a worker may start another (rename -> reload)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def titles(app: App) -> list[str]:
    return [s.title for s in app.screen.summaries]  # type: ignore[attr-defined]


async def test_incremental_search_titles_and_text(store: ConversationStore,
                                                  tmp_path: Path) -> None:
    fill(store)
    app = Host(store, tmp_path / "exports")
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        assert titles(app) == ["Rust lifetimes", "Dinner ideas", "Meeting notes"]
        await pilot.press("slash", *"guanc")
        await settle(pilot)
        assert titles(app) == ["Dinner ideas"]  # found in a message, not the title
        await pilot.press(*"ialez")
        await settle(pilot)
        assert titles(app) == []
        assert "Nothing matches" in str(app.screen.query_one("#conversations-empty").render())
        await pilot.press("ctrl+u", *"RUST")
        await settle(pilot)
        assert titles(app) == ["Rust lifetimes"]


async def test_open_posts_message_and_dismisses(store: ConversationStore,
                                                tmp_path: Path) -> None:
    fill(store)
    seen: list[Message] = []
    app = Host(store, tmp_path / "exports")
    async with app.run_test(size=(100, 24), message_hook=seen.append) as pilot:
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        opened = [m for m in seen if isinstance(m, ConversationsScreen.ConversationOpened)]
        assert opened and {m.conversation_id for m in opened} == {PASTA}
        assert not isinstance(app.screen, ConversationsScreen)


async def test_rename(store: ConversationStore, tmp_path: Path) -> None:
    fill(store)
    app = Host(store, tmp_path / "exports")
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("ctrl+u", *"Borrow checker", "enter")
        await settle(pilot)
        assert "Borrow checker" in titles(app) and "Rust lifetimes" not in titles(app)
        assert store.load(RUST).title == "Borrow checker"
        await pilot.press("r", "escape")  # cancelled: nothing changes
        await settle(pilot)
        assert store.load(RUST).title == "Borrow checker"


async def test_delete_asks_first(store: ConversationStore, tmp_path: Path) -> None:
    fill(store)
    app = Host(store, tmp_path / "exports")
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        await pilot.press("d", "n")  # declined
        await settle(pilot)
        assert store.path(RUST).exists() and len(titles(app)) == 3
        await pilot.press("d", "enter")  # enter on the focused "Keep" button
        await settle(pilot)
        assert store.path(RUST).exists()
        await pilot.press("d", "y")
        await settle(pilot)
        assert not store.path(RUST).exists()
        assert titles(app) == ["Dinner ideas", "Meeting notes"]


async def test_export_markdown_and_json(store: ConversationStore, tmp_path: Path) -> None:
    fill(store)
    exports = tmp_path / "exports"
    app = Host(store, exports)
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        await pilot.press("down", "e", "j")
        await settle(pilot)
    md = exports / f"dinner-ideas-{PASTA}.md"
    js = exports / f"dinner-ideas-{PASTA}.json"
    assert md.read_text().startswith("# Dinner ideas\n") and "guanciale" in md.read_text()
    assert json.loads(js.read_text())["id"] == PASTA
    assert md.stat().st_mode & 0o777 == 0o600 and exports.stat().st_mode & 0o777 == 0o700


async def test_D4_corrupt_file_notice(store: ConversationStore, tmp_path: Path) -> None:
    fill(store)
    store.path(NOTES).write_bytes(b"{broken")
    app = Host(store, tmp_path / "exports")
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        assert titles(app) == ["Rust lifetimes", "Dinner ideas"]
        notes = [n.message for n in app._notifications]
        assert any(NOTES in n and ".corrupt-" in n for n in notes)


def test_snapshot_conversations_screen(snap_compare, store: ConversationStore,
                                       tmp_path: Path) -> None:
    """Three conversations, newest first: title, first model (+N for more), updated time
    (UTC), message count and size; the first row is highlighted; footer lists the keys."""
    fill(store)
    app = Host(store, tmp_path / "exports")

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)

    assert snap_compare(app, run_before=run_before, terminal_size=(100, 24))
