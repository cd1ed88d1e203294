"""What every benchmark shares: the fake server process, child processes, medians, the report.

Every figure is measured in a fresh child process (so RSS and CPU are the app's own, and
imports are cold), in rounds interleaved with its floor, and reported as the median of
ROUNDS runs with the ratio to the floor measured in the same run.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.bench.measure import SIZE
from tests.conftest import TEST_KEY

REPO = Path(__file__).resolve().parents[2]
ROUNDS = int(os.environ.get("FREECHAT_BENCH_ROUNDS", "5"))
# The latest figures, one JSON object, for writing the README section.
RESULTS = Path(tempfile.gettempdir()) / "freechat-bench-results.json"


class Server:
    def __init__(self, process: subprocess.Popen[str], port: int, send_log: Path) -> None:
        self.process, self.port, self.send_log = process, port, send_log

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def paced_sends(self) -> dict[str, list[float]]:
        """Send times of every paced stream served so far, by model (and forget them)."""
        if not self.send_log.exists():
            return {}
        lines = self.send_log.read_text().splitlines()
        self.send_log.unlink()
        return {entry["model"]: entry["sends"] for entry in map(json.loads, lines)}


@contextmanager
def bench_server() -> Iterator[Server]:
    with tempfile.TemporaryDirectory(prefix="freechat-bench-") as tmp:
        log = Path(tmp) / "sends.jsonl"
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.bench.serve", str(log)], cwd=REPO,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        try:
            assert process.stdout is not None
            port = int(process.stdout.readline())
            yield Server(process, port, log)
        finally:
            assert process.stdin is not None
            process.stdin.close()
            process.wait(10)


def child_env(home: Path, server: Server | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("FREECHAT_", "TEXTUAL_")) and not k.endswith(("_KEY", "_TOKEN"))}
    # An installed freechat has compiled bytecode; a dev shell may forbid writing it, which
    # would make every run compile our modules from source. Keep the .pyc files out of the tree.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "freechat-bench-pycache")
    env.update({
        "FREECHAT_HOME": str(home), "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "COLUMNS": str(SIZE[0]), "LINES": str(SIZE[1]), "PYTHONPATH": str(REPO),
        "OPENROUTER_API_KEY": TEST_KEY, "TERM": "xterm-256color", "PYTHONHASHSEED": "0",
    })
    if server is not None:
        env["FREECHAT_OPENROUTER_BASE_URL"] = server.url
    return env


def run_child(args: list[str], env: dict[str, str], timeout: float = 120) -> dict:
    """Run `python -m tests.bench.<child> ARGS`; the child writes its figures as JSON."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
        path = out.name
    try:
        proc = subprocess.run([sys.executable, "-m", *args, path], env=env, cwd=REPO,
                              capture_output=True, timeout=timeout)
        if proc.returncode != 0:
            raise RuntimeError(f"{args} failed ({proc.returncode}):\n"
                               f"{proc.stderr.decode(errors='replace')[-3000:]}")
        return json.loads(Path(path).read_text())
    finally:
        os.unlink(path)


def median(values: list[float]) -> float:
    return statistics.median(values)


def report(name: str, figure: float, floor: float | None, unit: str, target: str,
           ok: bool, rounds: list[float] | None = None) -> None:
    """Print one benchmark line and record it for the README section."""
    ratio = f"{figure / floor:6.2f}×" if floor else "     —"
    floor_text = f"{floor:9.1f} {unit}" if floor is not None else "        —"
    verdict = "meets" if ok else "MISSES"
    print(f"\n[bench] {name:<44} {figure:9.1f} {unit}  floor {floor_text}  ratio {ratio}  "
          f"target {target}: {verdict}")
    if rounds:
        print(f"[bench]   rounds: {', '.join(f'{r:.1f}' for r in rounds)}")
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results[name] = {"figure": round(figure, 1), "floor": None if floor is None else
                     round(floor, 1), "unit": unit, "target": target, "meets": ok}
    RESULTS.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")


# --- reading an app child's probes ----------------------------------------------------------
def shown_at(result: dict, length: int, key: int | None = None) -> float | None:
    """When `length` characters of a reply (`key`: which one; default any) were first on
    screen: the first frame after the first flush that put them on widgets."""
    if not result["flushes"]:  # a build without the flush probe: when the reply settled
        return next((f for f in result["frames"] if f >= result["settled"]), None)
    flushed = next((t for t, shown, k in result["flushes"]
                    if shown >= length and key in (None, k)), None)
    if flushed is None:
        return None
    return next((f for f in result["frames"] if f >= flushed), None)


def token_lags(result: dict, sends: list[float], key: int | None = None) -> list[float]:
    """Seconds from the server sending each token (of reply `key`) to the frame that showed
    it. `sends` are the server's send times of every event of that reply; event 0 only opens
    the reply (role, no text), so token i went out with event i + 1.
    """
    tokens = [t for t in result["tokens"] if key in (None, t[2])]
    lags = []
    for i, (arrived, length, k) in enumerate(tokens):
        shown = shown_at(result, length, k)
        if shown is None:
            continue
        sent = sends[i + 1] if len(sends) > i + 1 else arrived
        lags.append(shown - sent)
    return lags


def max_stall(result: dict, start: float, end: float) -> float:
    """The longest the event loop was busy (a 10 ms sleep's lateness) between two times."""
    return max((late for t, late in result["late"] if start <= t <= end), default=0.0)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]
