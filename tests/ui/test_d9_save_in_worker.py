"""D9 (app half): conversation saves run in a worker thread, so a slow save of a huge file
never freezes the UI: while a save is stuck, the prompt keeps taking keys."""

from __future__ import annotations

import threading

import pytest

from freechat.core.chat_log import ChatLog
from freechat.ui.widgets.prompt import PromptInput
from tests.fakes.openai_stream import openrouter_stream
from tests.fakes.server import FakeResponse
from tests.ui.conftest import R1
from tests.ui.pilot import SIZE, saved, send, settle, until


async def test_D9_the_app_keeps_taking_keys_while_a_save_is_stuck(
    make_app, openrouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    openrouter.route("POST", "/chat/completions",
                     FakeResponse.sse(openrouter_stream(["saved later"])))
    release, entered, done = threading.Event(), threading.Event(), threading.Event()
    threads: list[int] = []
    real_finish = ChatLog.finish

    def slow_finish(self, turn, reply):  # stands in for a save of a huge file on a slow disk
        threads.append(threading.get_ident())
        entered.set()
        release.wait(10)
        try:
            return real_finish(self, turn, reply)
        finally:
            done.set()

    monkeypatch.setattr(ChatLog, "finish", slow_finish)
    app = make_app(model=R1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await send(pilot, "hello")
        await until(pilot, entered.is_set, "the save to start")
        await pilot.press(*"typed during the save")
        await pilot.pause()
        assert app.screen.query_one(PromptInput).text == "typed during the save"
        assert not done.is_set()  # the keys were handled while the save was still stuck
        assert threads and threads[0] != threading.get_ident()  # not on the event loop
        release.set()
        await settle(pilot)
        await until(pilot, lambda: bool(saved(app).messages), "the reply to be saved")
        assert [m.content for m in saved(app).messages] == ["hello", "saved later"]
