"""Target 5: `freechat ask` never imports Textual, and for the 2,000-token stream its whole
process time is ≤ 1.5× a minimal Python+httpx script doing the same request (both cold)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from tests.bench.harness import REPO, ROUNDS, bench_server, child_env, median, report

TARGET = 1.5
MINIMAL = """
import json, sys, httpx
url, key = sys.argv[1], sys.argv[2]
body = {"model": "bench/full:free", "stream": True,
        "messages": [{"role": "user", "content": "hi"}]}
with httpx.stream("POST", url + "/chat/completions", json=body, timeout=30,
                  headers={"authorization": "Bearer " + key}) as response:
    for line in response.iter_lines():
        if line.startswith("data: ") and line != "data: [DONE]":
            for choice in json.loads(line[6:]).get("choices") or []:
                sys.stdout.write((choice.get("delta") or {}).get("content") or "")
"""


def timed(args: list[str], env: dict[str, str]) -> tuple[float, bytes]:
    start = time.monotonic()
    proc = subprocess.run([sys.executable, *args], env=env, cwd=REPO, capture_output=True,
                          timeout=60)
    elapsed = (time.monotonic() - start) * 1000
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-2000:]
    return elapsed, proc.stdout


def test_bench_ask(tmp_path: Path) -> None:
    with bench_server() as server:
        env = child_env(tmp_path / "home", server)
        ask = ["-m", "freechat", "ask", "-m", "openrouter/bench/full:free", "hi"]
        floor_args = ["-c", MINIMAL, server.url, env["OPENROUTER_API_KEY"]]
        timed(ask, env)  # warm the OS file cache and the bytecode, unmeasured
        timed(floor_args, env)
        floors, figures = [], []
        for _ in range(ROUNDS):
            ms, floor_out = timed(floor_args, env)
            floors.append(ms)
            ms, ask_out = timed(ask, env)
            figures.append(ms)
            assert ask_out.decode().strip() == floor_out.decode().strip()
        probe = subprocess.run(
            [sys.executable, "-X", "importtime", *ask], env=env, cwd=REPO,
            capture_output=True, timeout=60)
        assert b" textual" not in probe.stderr  # ask never imports Textual
    floor, figure = median(floors), median(figures)
    ok = figure <= TARGET * floor
    report("freechat ask, 2,000 tokens, whole process", figure, floor, "ms",
           f"≤ {TARGET}× floor", ok, figures)
    assert ok
