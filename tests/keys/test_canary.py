"""S1 canary sweep: a scripted session with a random canary key (enter it on the setup screen,
chat, hit an error that echoes it, save, export, list, doctor, quit), then a search of the raw
bytes of every file, screenshot, output stream and log record for any encoding of it."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import logging
import secrets
import sys
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from textual.widgets import Input

from freechat.cli import main
from freechat.core.runtime import Runtime
from tests.fakes.openai_stream import openrouter_stream
from tests.fakes.server import FakeResponse, RecordedRequest
from tests.keys.setup_app import SetupTestApp

MODEL = "openrouter/deepseek/deepseek-r1:free"


def encodings(key: str) -> dict[str, bytes]:
    raw = key.encode()
    return {
        "raw": raw,
        "base64": base64.b64encode(raw),
        "base64url": base64.urlsafe_b64encode(raw),
        "url": quote(key, safe="").encode(),
        "url+": quote_plus(key).encode(),
        "json": json.dumps(key)[1:-1].encode(),
        "prefix": raw[:-4],  # the last four may be shown, nothing more
    }


def echo_401(request: RecordedRequest) -> FakeResponse:
    """A provider that echoes the Authorization header back in its error (F25)."""
    header = request.headers.get("authorization", "")
    return FakeResponse.json(
        {"error": {"message": f"Invalid credentials in header '{header}'", "code": 401}}, 401)


async def setup_session(runtime: Runtime, key: str, shots: list[str]) -> None:
    app = SetupTestApp(runtime)
    async with app.run_test(size=(120, 36)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        shots.append(app.export_screenshot())
        key_input = app.screen.query_one("#key-input", Input)
        key_input.focus()
        await pilot.press(*key[:12])  # typed for real, then pasted
        key_input.value = key
        await pilot.pause()
        shots.append(app.export_screenshot())
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        shots.append(app.export_screenshot())
        await pilot.press("escape")
        await pilot.pause()
        shots.append(app.export_screenshot())


def test_S1_canary_sweep(fake_server, monkeypatch: pytest.MonkeyPatch, capsys, caplog,
                         isolated_env: Path, tmp_path: Path, keyring_timeout):
    canary = f"sk-canary-{secrets.token_hex(12)}+/={secrets.token_hex(8)}"
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "freechat", "asyncio"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    monkeypatch.setenv("FREECHAT_OPENROUTER_BASE_URL", fake_server.url)
    fake_server.route("GET", "/key", FakeResponse.json({"data": {"is_free_tier": True}}))
    fake_server.route("POST", "/chat/completions",
                      FakeResponse.sse(openrouter_stream(["Hello ", "canary ", "world"])),
                      echo_401)
    outputs: list[str] = []

    def cli(*args: str) -> int:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"")))
        code = main(list(args))
        out, err = capsys.readouterr()
        outputs.extend([out, err])
        return code

    shots: list[str] = []
    asyncio.run(setup_session(Runtime.from_env(), canary, shots))
    outputs.extend(capsys.readouterr())
    assert cli("keys", "list") == 0 and "keyring" in outputs[-2]

    assert cli("ask", "--save", "-m", MODEL, "say hello") == 0
    assert outputs[-2] == "Hello canary world"
    assert cli("ask", "--json", "--save", "-m", MODEL, "again") == 3  # the echoing 401
    error = json.loads(outputs[-2])["error"]
    assert error["type"] == "AuthError" and "[redacted]" in error["message"]
    assert fake_server.requests[-1].headers["authorization"] == f"Bearer {canary}"

    assert cli("conversations", "list", "--json") == 0
    exports = tmp_path / "exports"
    exports.mkdir()
    for number, conversation in enumerate(json.loads(outputs[-2])):
        for fmt in ("md", "json"):
            assert cli("conversations", "export", conversation["id"], "--format", fmt) == 0
            (exports / f"{number}.{fmt}").write_text(outputs[-2])
    assert len(list(exports.iterdir())) >= 2
    assert cli("doctor") == 0

    # --- the sweep ----------------------------------------------------------------------
    haystacks: dict[str, bytes] = {}
    for root in (isolated_env, exports):
        for path in root.rglob("*"):
            if path.is_file():
                haystacks[str(path)] = path.read_bytes()
    assert any(name.endswith(".json") for name in haystacks)  # conversations were saved
    for number, svg in enumerate(shots):
        haystacks[f"screenshot {number}"] = svg.encode()
    for number, text in enumerate(outputs):
        haystacks[f"output {number}"] = text.encode("utf-8", "surrogateescape")
    for record in caplog.records:
        text = f"{record.name} {record.getMessage()} {record.args!r} {record.exc_text or ''}"
        haystacks[f"log {record.name}:{record.lineno}"] = text.encode("utf-8", "replace")
    assert any(name.startswith("log httpx") for name in haystacks)  # logging was captured

    forms = encodings(canary)
    hits = [f"{where}: {form}" for where, data in haystacks.items()
            for form, needle in forms.items() if needle in data]
    assert hits == []
