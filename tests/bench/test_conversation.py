"""Target 3: opening a 1,000-message conversation (~210 KB of Markdown) shows the newest
messages in ≤ 0.5 s with ≤ 80 MiB RSS; switching between two such conversations is as
fast; scrolling back mounts older messages on demand without visible stalls (here: none
over 100 ms while page-up is held from the newest message to the first)."""

from __future__ import annotations

from pathlib import Path

from tests.bench.harness import ROUNDS, child_env, max_stall, median, report, run_child


def test_bench_open_long_conversation(tmp_path: Path) -> None:
    first, switch, rss, stalls, scroll_rss = [], [], [], [], []
    for n in range(ROUNDS):
        env = child_env(tmp_path / f"home-{n}", None)  # each round saves its own two chats
        result = run_child(["tests.bench.app_child", "open"], env)
        opens = result["opens"]
        first.append((opens[0]["shown"] - opens[0]["start"]) * 1000)
        switch.append(max((o["shown"] - o["start"]) * 1000 for o in opens[1:]))
        rss.append(opens[0]["rss"])
        start, end = result["scroll"]
        assert result["reached_top"], f"round {n}: page-up never reached the first message"
        stalls.append(max_stall(result, start, end) * 1000)
        scroll_rss.append(result["end_rss"])
    shown, switched, mib, stall = median(first), median(switch), median(rss), median(stalls)
    report("open 1,000 messages: newest shown", shown, None, "ms", "≤ 500 ms", shown <= 500,
           first)
    report("switch between two 1,000-message chats", switched, None, "ms", "≤ 500 ms",
           switched <= 500, switch)
    report("RSS with a 1,000-message chat open", mib, None, "MiB", "≤ 80 MiB", mib <= 80, rss)
    report("scroll back to the first message: longest stall", stall, None, "ms", "≤ 100 ms",
           stall <= 100, stalls)
    report("RSS after scrolling back through it", median(scroll_rss), None, "MiB", "—", True,
           scroll_rss)
    assert shown <= 500 and switched <= 500 and mib <= 80 and stall <= 100
