"""Drivers for the fault suite: one scenario, two levels (core stream and `freechat ask`)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from freechat.core import errors
from freechat.core.config import ProviderConfig, Timeouts
from freechat.core.errors import FreechatError
from freechat.core.events import StreamEvent, TextDelta, Waiting
from freechat.core.runtime import Runtime
from freechat.core.session import ChatSession, Reply
from tests.conftest import REPO, TEST_KEY, CliResult
from tests.fakes.faults import Expect, Fault
from tests.fakes.server import FakeProviderServer

MODEL = "openrouter/deepseek/deepseek-r1:free"
PROMPT = "tell me something"


@dataclass
class Outcome:
    reply: Reply
    events: list[StreamEvent] = field(default_factory=list)
    error: FreechatError | None = None

    @property
    def waiting(self) -> int:
        return sum(isinstance(e, Waiting) for e in self.events)

    @property
    def streamed_text(self) -> str:
        return "".join(e.text for e in self.events if isinstance(e, TextDelta))


def runtime_for(url: str, home: Path, key: str = TEST_KEY,
                timeouts: Mapping[str, float] | None = None) -> Runtime:
    runtime = Runtime.from_env({"FREECHAT_HOME": str(home), "OPENROUTER_API_KEY": key})
    # Through config rather than FREECHAT_OPENROUTER_BASE_URL: the env var is read from
    # os.environ, which the in-process tests leave alone.
    runtime.config.providers["openrouter"] = ProviderConfig(base_url=url)
    runtime.config.timeouts = Timeouts(**(timeouts or {}))
    return runtime


async def drive(url: str, home: Path, *, key: str = TEST_KEY, prompt: str = PROMPT,
                timeouts: Mapping[str, float] | None = None,
                on_event: Callable[[StreamEvent, Reply], bool] | None = None) -> Outcome:
    """Stream one reply through the real runtime → adapter → ChatSession path.

    `on_event` returning True cancels the stream at that point (as the app's Esc does).
    """
    runtime = runtime_for(url, home, key, timeouts)
    ref = runtime.resolve_model(MODEL)
    async with runtime.make_client() as client:
        session = ChatSession(ref, runtime.adapter(ref.provider, client))
        reply = Reply(ref, time.monotonic())
        outcome = Outcome(reply)

        stopped = False

        async def consume() -> None:
            nonlocal stopped
            async for event in session.send(prompt, reply):
                outcome.events.append(event)
                if on_event is not None and on_event(event, reply):
                    stopped = True
                    task.cancel()

        task = asyncio.ensure_future(consume())
        try:
            await task
        except FreechatError as error:
            outcome.error = error
        except asyncio.CancelledError:
            if not stopped:  # cancelled from outside: let it propagate
                raise
        return outcome


def check_core(outcome: Outcome, expect: Expect) -> None:
    """The three promises at core level: the text kept, how it ended, and why."""
    reply = outcome.reply
    assert reply.text == expect.text
    assert outcome.streamed_text == expect.text
    reply.text.encode("utf-8")  # never a lone surrogate: saving and rendering must not crash
    assert reply.status == expect.status, (reply.status, outcome.error)
    if expect.error is None:
        assert outcome.error is None and reply.error is None
        return
    error = reply.error
    assert error is not None
    assert isinstance(error, getattr(errors, expect.error)), (type(error), error)
    if outcome.error is not None:
        assert outcome.error is error
    line = error.one_line()
    assert "\n" not in line and expect.message.lower() in line.lower(), line
    assert error.hint or expect.error == "Cancelled", "every failure says what to do"


@pytest.fixture
def home(isolated_env: Path) -> Path:
    return isolated_env


@pytest.fixture
def core(fake_server: FakeProviderServer, home: Path):
    """Route a fault on the fake server and stream it through the core."""

    def run(fault: Fault, **kwargs: Any) -> Outcome:
        fake_server.route("POST", "/chat/completions", *fault.responses)
        timeouts = {**fault.timeouts, **kwargs.pop("timeouts", {})}
        return asyncio.run(drive(fake_server.url, home, timeouts=timeouts, **kwargs))

    return run


# --- the user-facing path ------------------------------------------------------------------
def write_config(home: Path, timeouts: Mapping[str, float]) -> None:
    if not timeouts:
        return
    home.mkdir(parents=True, exist_ok=True)
    lines = ["[timeouts]", *(f"{name} = {value}" for name, value in timeouts.items())]
    (home / "config.toml").write_text("\n".join(lines) + "\n")


def cli_env(url: str, home: Path, key: str = TEST_KEY) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("FREECHAT_") and not k.endswith(("_API_KEY", "_TOKEN"))}
    env.update({"FREECHAT_HOME": str(home), "FREECHAT_OPENROUTER_BASE_URL": url,
                "OPENROUTER_API_KEY": key,
                "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    return env


def check_cli(result: CliResult, expect: Expect, *, as_json: bool) -> dict[str, Any] | None:
    """Exit code, exactly one stderr line for a failure (none for success), the partial text
    on stdout or in --json, and never a traceback."""
    err = result.err
    assert "Traceback" not in err and "Traceback" not in result.out
    assert result.returncode == expect.exit_code, (result.returncode, err)
    if expect.error is None:
        assert err == ""
    else:
        lines = err.splitlines()
        assert len(lines) == 1, err
        assert lines[0].startswith("freechat: openrouter: "), lines[0]
        assert expect.message.lower() in lines[0].lower(), lines[0]
    if not as_json:
        assert result.out == expect.text
        return None
    obj = json.loads(result.out)
    assert obj["text"] == expect.text
    assert obj["status"] == expect.status
    if expect.error is None:
        assert obj["error"] is None
    else:
        assert obj["error"]["type"] == expect.error
        assert obj["error"]["message"] == lines[0].removeprefix("freechat: ")
    return obj


@pytest.fixture
def ask(run_cli, fake_server: FakeProviderServer, home: Path):
    """Route a fault and run `freechat ask` on it; checks the contract and returns the result."""

    def run(fault: Fault, *, as_json: bool = False, key: str = TEST_KEY,
            check: bool = True) -> tuple[CliResult, dict[str, Any] | None]:
        fake_server.route("POST", "/chat/completions", *fault.responses)
        write_config(home, fault.timeouts)
        args = ["ask", "-m", MODEL, *(["--json"] if as_json else []), PROMPT]
        result = run_cli(*args, env=cli_env(fake_server.url, home, key))
        obj = check_cli(result, fault.expect, as_json=as_json) if check else None
        return result, obj

    return run


@pytest.fixture
def second_server() -> Iterator[FakeProviderServer]:
    with FakeProviderServer() as server:
        yield server


def start_ask(url: str, home: Path, *extra: str, prompt: str = PROMPT) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "freechat", "ask", "-m", MODEL, *extra, prompt],
        env=cli_env(url, home), cwd=REPO, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )


def interrupt(proc: subprocess.Popen, wait_for: bytes | None = None) -> CliResult:
    """Wait until stdout shows `wait_for` (or the process is running), then send SIGINT."""
    assert proc.stdout is not None
    seen = b""
    if wait_for:
        os.set_blocking(proc.stdout.fileno(), False)
        deadline = time.monotonic() + 20
        while wait_for not in seen and time.monotonic() < deadline:
            seen += proc.stdout.read() or b""
            time.sleep(0.02)
        os.set_blocking(proc.stdout.fileno(), True)
        assert wait_for in seen, seen
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    return CliResult(proc.returncode, seen + out, err)
