"""Target 6 (idle half): the idle app ≤ 60 MiB RSS. (After the 2,000-token reply: in
test_stream.py.)"""

from __future__ import annotations

from pathlib import Path

from tests.bench.harness import ROUNDS, child_env, median, report, run_child


def test_bench_idle_rss(tmp_path: Path) -> None:
    env = child_env(tmp_path / "home", None)
    rss = [run_child(["tests.bench.app_child", "idle"], env)["idle_rss"] for _ in range(ROUNDS)]
    figure = median(rss)
    ok = figure <= 60
    report("RSS of the idle app", figure, None, "MiB", "≤ 60 MiB", ok, rss)
    assert ok
