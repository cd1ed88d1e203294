"""D9 (store half): a 10,000-message, ~50 MB conversation saves and loads intact. The app
half (saves run in a worker thread) is tests/ui/test_d9_save_in_worker.py."""

from __future__ import annotations

from pathlib import Path

from freechat.core.conversation import Conversation, StoredMessage, new_conversation
from freechat.core.paths import Paths
from freechat.core.store import ConversationStore

R1 = "openrouter/deepseek/deepseek-r1:free"


def big_conversation(count: int = 10_000, size: int = 5_000) -> Conversation:
    conv = new_conversation("big one")
    body = ("lorem ipsum 😀 " * (size // 15 + 1))[:size]
    for n in range(count):
        role = "user" if n % 2 == 0 else "assistant"
        conv.messages.append(StoredMessage(f"m{n}", role, f"{n} {body}", "2026-01-01T00:00:00Z",
                                           model=R1 if role == "assistant" else None))
    return conv


def test_D9_ten_thousand_messages_fifty_megabytes_round_trip(isolated_env: Path) -> None:
    store = ConversationStore.from_paths(Paths.from_env())
    conv = store.create(big_conversation())
    assert (store.directory / f"{conv.id}.json").stat().st_size > 45_000_000
    loaded = store.load(conv.id)
    assert len(loaded.messages) == 10_000
    assert loaded.messages[-1].content == conv.messages[-1].content
    assert [m.content for m in loaded.newest(40)] == [m.content for m in conv.messages[-40:]]
