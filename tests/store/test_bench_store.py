"""Benchmarks (run explicitly: `pytest tests/store -m bench -s`): opening a 1,000-message
conversation and listing/searching a few hundred, cold (parse) and warm (cache)."""

from __future__ import annotations

import time

import pytest

from freechat.core.store import ConversationStore
from tests.store.conftest import make_conversation

pytestmark = pytest.mark.bench


@pytest.fixture(autouse=True)
def only_when_asked(request: pytest.FixtureRequest) -> None:
    if "bench" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("benchmark: run with -m bench")


def _best(fn, rounds: int = 5) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def test_bench_open_1000_messages(store: ConversationStore) -> None:
    conv = store.create(make_conversation("20260101-120000-bbbbbb", turns=500))
    cold = _best(lambda: ConversationStore(store.directory, store.journal_dir).load(conv.id))
    warm = _best(lambda: store.load(conv.id))
    newest = _best(lambda: store.load(conv.id).newest(40))
    print(f"\nopen 1,000 messages: cold {cold * 1000:.1f} ms, warm {warm * 1000:.2f} ms, "
          f"newest 40 {newest * 1000:.2f} ms")
    assert cold < 0.5  # generous: ~15 ms on the 2-core dev box


def test_bench_list_and_search_300(store: ConversationStore) -> None:
    for n in range(300):
        store.create(make_conversation(f"20260101-120000-{n:06d}", turns=10))
    cold = _best(lambda: ConversationStore(store.directory, store.journal_dir).list(), 3)
    warm = _best(store.list)
    search = _best(lambda: store.search("answer 7"))
    print(f"\nlist 300: cold {cold * 1000:.1f} ms, warm {warm * 1000:.1f} ms, "
          f"search {search * 1000:.1f} ms")
    assert cold < 2.0
