"""Real processes, real SIGKILLs: D1 (kill while rewriting), D6 (two writers), F30/D3 (kill
`freechat ask --save` mid-stream, then find the partial reply marked interrupted)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from freechat.core.conversation import Conversation
from freechat.core.store import ConversationStore
from tests.conftest import REPO, TEST_KEY
from tests.fakes.openai_stream import KEEPALIVE, openrouter_chunk, sse
from tests.fakes.server import FakeProviderServer, FakeResponse, Send, Sleep

CONV = "20260101-120000-c4a5h0"


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    env.update(extra)
    return env


def _writer(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "tests.store.writer", *args], cwd=REPO,
                            env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_D1_sigkill_while_rewriting_never_leaves_a_broken_file(tmp_path: Path) -> None:
    rng = random.Random(20260101)  # random kill times, the same on every run
    path = tmp_path / "conversations" / f"{CONV}.json"
    seen = 0
    for _ in range(10):
        proc = _writer("grow", str(tmp_path), CONV)
        assert proc.stdout is not None
        assert proc.stdout.readline() == b"ready\n", proc.stderr.read() if proc.stderr else ""
        time.sleep(rng.uniform(0.0, 0.15))
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        data = json.loads(path.read_bytes())  # parses as it lies on disk, before any cleanup
        assert len(data["messages"]) >= seen  # and nothing written earlier was lost
        seen = len(data["messages"])
        store = ConversationStore(tmp_path / "conversations", tmp_path / "journals")
        assert len(store.load(CONV).messages) == seen
        assert store.take_notices() == []
        store.list()  # cleans the killed save's temp file (D2)
        assert not list(path.parent.glob(".tmp-*"))
    assert seen > 10


def test_D6_two_processes_lose_no_messages(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "conversations", tmp_path / "journals")
    store.create(Conversation(CONV, "shared", "", ""))
    procs = [_writer("append", str(tmp_path), CONV, tag, "60") for tag in ("one", "two")]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    ids = [m.id for m in store.load(CONV).messages]
    assert len(ids) == 120
    assert set(ids) == {f"{tag}-{n}" for tag in ("one", "two") for n in range(60)}
    for tag in ("one", "two"):  # each writer's own messages stay in its order
        mine = [i for i in ids if i.startswith(tag)]
        assert mine == [f"{tag}-{n}" for n in range(60)]


def _drip_stream() -> FakeResponse:
    steps: list[Send | Sleep] = [Send(KEEPALIVE)]
    for n in range(1, 4):
        steps.append(Send(sse(openrouter_chunk(content=f"part-{n} "))))
        steps.append(Sleep(0.05))
    steps.append(Sleep(60))  # the provider goes quiet; the test kills freechat meanwhile
    return FakeResponse(200, {"content-type": "text/event-stream"}, steps)


def test_F30_sigkill_mid_stream_keeps_the_partial_reply(
        fake_server: FakeProviderServer, isolated_env: Path, run_cli) -> None:
    fake_server.route("POST", "/chat/completions", _drip_stream())
    env = _env(FREECHAT_OPENROUTER_BASE_URL=fake_server.url, OPENROUTER_API_KEY=TEST_KEY)
    proc = subprocess.Popen(
        [sys.executable, "-m", "freechat", "ask", "-m", "openrouter/x:free", "--save",
         "tell me a story"], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    journals = isolated_env / "state" / "journals"
    deadline = time.monotonic() + 30
    try:
        while not any(b"part-3" in p.read_bytes() for p in journals.glob("*.journal")):
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            assert time.monotonic() < deadline, "the journal never got the third part"
            time.sleep(0.02)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=10)

    listed = run_cli("conversations", "list", "--json")
    assert listed.returncode == 0, listed.err
    (summary,) = json.loads(listed.out)
    assert summary["title"] == "tell me a story" and summary["messages"] == 2
    exported = run_cli("conversations", "export", summary["id"], "--format", "json")
    user, partial = json.loads(exported.out)["messages"]
    assert user["content"] == "tell me a story"
    assert partial["content"] == "part-1 part-2 part-3 "
    assert partial["status"] == "interrupted"
    assert partial["model"] == "openrouter/x:free"
    assert not list(journals.glob("*.journal"))  # replayed once, then removed
    shown = run_cli("conversations", "show", summary["id"][:15])
    assert "interrupted" in shown.out and "part-3" in shown.out
