"""Target 4: three concurrent streams at 200 tokens/s each stay within 200 ms of their
streams (every token of every column on screen ≤ 200 ms after the server sent it)."""

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
    token_lags,
)


def test_bench_compare_three_columns(tmp_path: Path) -> None:
    with bench_server() as server:
        env = child_env(tmp_path / "home", server)
        worst, p95s, stalls, cores = [], [], [], []
        for _ in range(ROUNDS):
            app = run_child(["tests.bench.app_child", "compare"], env)
            sends = server.paced_sends()
            lags = []
            for key, model in app["models"].items():
                column = token_lags(app, sends[model.split("/", 1)[1]], int(key))
                assert len(column) == 2000
                lags += column
            worst.append(max(lags) * 1000)
            p95s.append(percentile(lags, 0.95) * 1000)
            stalls.append(max_stall(app, app["sent"], app["settled"]) * 1000)
            cores.append(app["cpu"] / (app["end"] - app["sent"]))
    figure = median(worst)
    ok = figure <= 200
    report("compare 3×200 tok/s: lag behind the streams, max", figure, None, "ms", "≤ 200 ms",
           ok, worst)
    report("compare 3×200 tok/s: lag, p95", median(p95s), None, "ms", "—", True, p95s)
    report("compare 3×200 tok/s: longest stall", median(stalls), None, "ms", "—", True, stalls)
    report("compare 3×200 tok/s: CPU (cores)", median(cores), None, "core", "—", True, cores)
    assert ok
