"""Target 2: a 2,000-token Markdown reply (headings, lists, code fences, tables).

- full speed: the last token on screen ≤ 10× raw httpx reading the same SSE;
- 200 tokens/s: the screen ≤ 100 ms behind the stream, no event-loop stall > 50 ms, at most
  half a core;
- memory (target 6): after that reply ≤ 90 MiB.
"""

from __future__ import annotations

from pathlib import Path

from tests.bench.harness import (
    ROUNDS,
    bench_server,
    child_env,
    max_stall,
    median,
    percentile,
    report,
    run_child,
    shown_at,
    token_lags,
)


def test_bench_stream_full_speed(tmp_path: Path) -> None:
    with bench_server() as server:
        env = child_env(tmp_path / "home", server)
        floors, figures, rss = [], [], []
        for _ in range(ROUNDS):
            floor = run_child(["tests.bench.floor_child", server.url, "bench/full:free"], env)
            floors.append(floor["seconds"] * 1000)
            app = run_child(["tests.bench.app_child", "reply", "bench/full:free"], env)
            last = shown_at(app, app["text_length"])
            assert last is not None and app["text_length"] == floor["length"]
            figures.append((last - app["sent"]) * 1000)
            rss.append(app["after_rss"])
    floor, figure = median(floors), median(figures)
    ok = figure <= 10 * floor
    report("2,000 tokens full speed: last token shown", figure, floor, "ms", "≤ 10× floor",
           ok, figures)
    after = median(rss)
    report("RSS after the 2,000-token reply", after, None, "MiB", "≤ 90 MiB", after <= 90, rss)
    assert ok and after <= 90


def test_bench_stream_paced(tmp_path: Path) -> None:
    with bench_server() as server:
        env = child_env(tmp_path / "home", server)
        p95s, maxes, stalls, cores = [], [], [], []
        for _ in range(ROUNDS):
            app = run_child(["tests.bench.app_child", "reply", "bench/paced:free"], env)
            sends = server.paced_sends()["bench/paced:free"]
            lags = token_lags(app, sends)
            assert len(lags) == len(app["tokens"])
            p95s.append(percentile(lags, 0.95) * 1000)
            maxes.append(max(lags) * 1000)
            stalls.append(max_stall(app, app["sent"], app["settled"]) * 1000)
            cores.append(app["cpu"] / (app["end"] - app["sent"]))
    lag, worst, stall, core = median(p95s), median(maxes), median(stalls), median(cores)
    report("200 tok/s: lag behind the stream, p95", lag, None, "ms", "≤ 100 ms", lag <= 100, p95s)
    report("200 tok/s: lag behind the stream, max", worst, None, "ms", "≤ 100 ms",
           worst <= 100, maxes)
    report("200 tok/s: longest event-loop stall", stall, None, "ms", "≤ 50 ms", stall <= 50,
           stalls)
    report("200 tok/s: CPU (cores)", core, None, "core", "≤ 0.5", core <= 0.5, cores)
    assert worst <= 100 and stall <= 50 and core <= 0.5
