"""A freechat-like writer process for the crash and two-process tests (D1, D6).

    python -m tests.store.writer grow DIR ID          append forever ("ready" after the first)
    python -m tests.store.writer append DIR ID TAG N  append N messages tagged TAG, then exit
"""

from __future__ import annotations

import sys
from pathlib import Path

from freechat.core.conversation import Conversation, StoredMessage
from freechat.core.store import ConversationNotFound, ConversationStore


def message(tag: str, n: int) -> StoredMessage:
    # Big enough that each rewrite takes a while: more chances to be killed mid-write.
    return StoredMessage(f"{tag}-{n}", "user", f"{tag} message {n} " + "x" * 2000,
                         "2026-01-01T00:00:00.000Z")


def main(argv: list[str]) -> None:
    mode, directory, conv_id = argv[:3]
    root = Path(directory)
    store = ConversationStore(root / "conversations", root / "journals", lock_timeout=30)
    try:
        store.load(conv_id)
    except ConversationNotFound:
        store.create(Conversation(conv_id, "crash test", "", ""))
    if mode == "grow":
        n = 0
        while True:
            store.update(conv_id, lambda c, n=n: c.messages.append(message("grow", n)))
            if n == 0:
                print("ready", flush=True)
            n += 1
    tag, count = argv[3], int(argv[4])
    for n in range(count):
        store.update(conv_id, lambda c, n=n: c.messages.append(message(tag, n)))


if __name__ == "__main__":
    main(sys.argv[1:])
