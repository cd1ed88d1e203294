"""Target 1: process start to the main screen's first frame ≤ 1.3× a bare Textual hello app."""

from __future__ import annotations

import time
from pathlib import Path

from tests.bench.harness import ROUNDS, child_env, median, report, run_child

TARGET = 1.3


def first_frame_ms(which: str, env: dict[str, str]) -> float:
    start = time.monotonic()
    result = run_child(["tests.bench.startup_child", which], env)
    return (result["first_frame"] - start) * 1000


def test_bench_startup(tmp_path: Path) -> None:
    # No server: startup must not touch the network (a model list would come from cache).
    env = child_env(tmp_path / "home", None)
    first_frame_ms("hello", env)  # warm the OS file cache for both, unmeasured
    first_frame_ms("freechat-settle", env)  # and let the app write its caches, as any run does
    hello, app = [], []
    for _ in range(ROUNDS):
        hello.append(first_frame_ms("hello", env))
        app.append(first_frame_ms("freechat", env))
    floor, figure = median(hello), median(app)
    ok = figure <= TARGET * floor
    report("startup to first frame", figure, floor, "ms", f"≤ {TARGET}× floor", ok, app)
    assert ok
