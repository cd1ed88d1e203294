"""The app, headless, in its own process: one scenario, figures written as JSON.

    python -m tests.bench.app_child reply MODEL OUT.json      # send one prompt, watch it render
    python -m tests.bench.app_child idle OUT.json             # RSS of the idle app
    python -m tests.bench.app_child open OUT.json             # 1,000-message conversations
    python -m tests.bench.app_child compare OUT.json          # three columns at 200 tok/s

The app is built as `freechat` builds it (`run_app`'s GC settings, `tune_gc=True`) and run
with `run_test` (headless: everything is rendered except the terminal write). Probes:
- frames: every screen update handed to the driver (`App._display`), timestamped;
- tokens: each text delta as the screen receives it (`AssistantMessage.write_text`);
- flushes: how much text the reply's widgets show (`LazyMarkdown.shown_length`) after each
  render-task flush;
- stalls: a task sleeping 10 ms at a time; any lateness is time the event loop was busy;
- CPU (user + system, all threads) and RSS of this process.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from typing import Any

from textual.app import App

from freechat.core.runtime import Runtime
from freechat.ui import gc_tuning
from freechat.ui.app import FreechatApp
from freechat.ui.widgets.message import AssistantMessage
from tests.bench.measure import SIZE, cpu_seconds, rss_mib
from tests.bench.workload import conversation_messages

IDLE = 1.5  # seconds the app idles before a scenario (startup work and warm-up settle)


class Probes:
    def __init__(self) -> None:
        self.frames: list[float] = []
        # Keyed by the reply's AssistantMessage (compare has one per column):
        self.tokens: list[tuple[float, int, int]] = []  # (time, text length so far, key)
        self.flushes: list[tuple[float, int, int]] = []  # (time, text length shown, key)
        self.late: list[tuple[float, float]] = []  # (time, lateness of a 10 ms sleep)
        self._lengths: dict[int, int] = {}

    def install(self) -> None:
        display = App._display
        probes = self

        def frame(app: App, screen: Any, renderable: Any) -> None:
            display(app, screen, renderable)
            if renderable is not None:
                probes.frames.append(time.monotonic())

        App._display = frame  # type: ignore[method-assign]
        write_text = AssistantMessage.write_text

        async def token(message: AssistantMessage, text: str) -> None:
            key = id(message)
            probes._lengths[key] = probes._lengths.get(key, 0) + len(text)
            probes.tokens.append((time.monotonic(), probes._lengths[key], key))
            await write_text(message, text)

        AssistantMessage.write_text = token  # type: ignore[method-assign]
        try:
            from freechat.ui.widgets.lazy_markdown import LazyMarkdown
        except ImportError:  # measuring a build without it: no flush probe
            return
        flush = LazyMarkdown._flush

        def flushed(widget: LazyMarkdown, *, final: bool) -> Any:
            started = flush(widget, final=final)
            if widget.has_class("answer"):
                key = id(widget.parent)
                probes.flushes.append((time.monotonic(), widget.shown_length, key))
            return started

        LazyMarkdown._flush = flushed  # type: ignore[method-assign]

    async def watch_loop(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            before = time.monotonic()
            await asyncio.sleep(0.01)
            self.late.append((time.monotonic(), time.monotonic() - before - 0.01))


async def reply(model: str) -> dict[str, Any]:
    probes = Probes()
    probes.install()
    app = FreechatApp(Runtime.from_env(), model=f"openrouter/{model}", tune_gc=True)
    async with app.run_test(size=SIZE) as pilot:
        await asyncio.sleep(IDLE)
        idle_rss = rss_mib()
        stop = asyncio.Event()
        watcher = asyncio.create_task(probes.watch_loop(stop))
        await pilot.press("h", "i")
        await pilot.pause()
        profile = _profiler()
        cpu0, sent = cpu_seconds(), time.monotonic()
        await pilot.press("enter")
        while not app.screen.query(AssistantMessage):
            await asyncio.sleep(0.005)
        while app.screen.streaming:  # no DOM query per poll: that would be measured too
            await asyncio.sleep(0.005)
        settled = time.monotonic()
        if profile is not None:
            profile.disable()
            profile.dump_stats(os.environ["FREECHAT_BENCH_PROFILE"])
        await asyncio.sleep(0.3)  # anything the end of the reply still scheduled
        stop.set()
        await watcher
        cpu1, end = cpu_seconds(), time.monotonic()
        message = app.screen.query(AssistantMessage).last()
        text = message.answer.source
        after_rss = rss_mib()
    return {
        "sent": sent, "settled": settled, "end": end, "cpu": cpu1 - cpu0,
        "idle_rss": idle_rss, "after_rss": after_rss, "text_length": len(text),
        "frames": probes.frames, "tokens": probes.tokens, "flushes": probes.flushes,
        "late": probes.late,
    }


def _profiler() -> Any:
    """cProfile from the prompt to the settled reply, when FREECHAT_BENCH_PROFILE names a file
    (for finding where the time goes; the figures are then not comparable)."""
    if not os.environ.get("FREECHAT_BENCH_PROFILE"):
        return None
    import cProfile

    profile = cProfile.Profile()
    profile.enable()
    return profile


async def idle() -> dict[str, Any]:
    app = FreechatApp(Runtime.from_env(), tune_gc=True)
    async with app.run_test(size=SIZE):
        await asyncio.sleep(IDLE)
        return {"idle_rss": rss_mib()}


async def compare() -> dict[str, Any]:
    """Three models side by side, each streaming the reply at 200 tokens/s."""
    from freechat.core.models import ModelRef
    from freechat.ui.screens.compare import CompareScreen

    probes = Probes()
    probes.install()
    runtime = Runtime.from_env()
    app = FreechatApp(runtime, tune_gc=True)
    async with app.run_test(size=SIZE) as pilot:
        await asyncio.sleep(IDLE)
        refs = [ModelRef.parse(f"openrouter/bench/{name}:free")
                for name in ("paced", "paced-2", "paced-3")]
        screen = CompareScreen(runtime, app.http_client, refs, save=False)
        await app.push_screen(screen)
        await asyncio.sleep(0.5)
        stop = asyncio.Event()
        watcher = asyncio.create_task(probes.watch_loop(stop))
        await pilot.press("h", "i")
        profile = _profiler()
        cpu0, sent = cpu_seconds(), time.monotonic()
        await pilot.press("enter")
        while not screen.has_class("-streaming"):
            await asyncio.sleep(0.005)
        while screen.has_class("-streaming"):
            await asyncio.sleep(0.005)
        settled = time.monotonic()
        if profile is not None:
            profile.disable()
            profile.dump_stats(os.environ["FREECHAT_BENCH_PROFILE"])
        await asyncio.sleep(0.3)
        stop.set()
        await watcher
        cpu1, end = cpu_seconds(), time.monotonic()
        models = {id(column.message): str(column.message.model) for column in screen.columns
                  if column.message is not None}
    return {"sent": sent, "settled": settled, "end": end, "cpu": cpu1 - cpu0,
            "models": {str(k): v for k, v in models.items()}, "frames": probes.frames,
            "tokens": probes.tokens, "flushes": probes.flushes, "late": probes.late}


def save_conversation(runtime: Runtime, conv_id: str, seed: int) -> None:
    from freechat.core.conversation import Conversation, StoredMessage
    from freechat.core.events import Usage
    from freechat.core.store import ConversationStore

    when = "2026-01-01T12:00:00.000Z"
    messages = [
        StoredMessage(f"m{n}", role, text, when, model="openrouter/bench/full:free",
                      status="complete" if role == "assistant" else None,
                      finish_reason="stop" if role == "assistant" else None,
                      usage=Usage(20, 60, 0, 0.0) if role == "assistant" else None,
                      ttft_ms=300, total_ms=2100)
        for n, (role, text) in enumerate(conversation_messages(seed=seed))
    ]
    ConversationStore.from_paths(runtime.paths).create(
        Conversation(conv_id, f"Bench {seed}", when, when, messages))


async def open_conversations() -> dict[str, Any]:
    """Open a 1,000-message conversation, the other one, the first again; then scroll back
    through the first one page by page."""
    probes = Probes()
    probes.install()
    runtime = Runtime.from_env()
    ids = ["20260101-120000-aaaaaa", "20260101-120000-bbbbbb"]
    for seed, conv_id in enumerate(ids):
        save_conversation(runtime, conv_id, seed)
    app = FreechatApp(runtime, tune_gc=True)
    async with app.run_test(size=SIZE) as pilot:
        await asyncio.sleep(IDLE)
        idle_rss = rss_mib()
        stop = asyncio.Event()
        watcher = asyncio.create_task(probes.watch_loop(stop))
        screen: Any = app.screen
        opens = []
        for conv_id in (ids[0], ids[1], ids[0]):
            start = time.monotonic()
            screen.open_conversation(conv_id)
            await app.workers.wait_for_complete()
            done = time.monotonic()
            await pilot.pause()
            frame = next((f for f in probes.frames if f >= done), time.monotonic())
            opens.append({"start": start, "shown": frame, "rss": rss_mib()})
        chat = screen.chat
        mounted = len(chat.query(".message"))
        scroll_start = time.monotonic()
        presses = 0
        while (chat.has_older or chat.scroll_y > 0) and presses < 2000:
            chat.scroll_page_up(animate=False)  # the user holds page-up (key repeat ~30/s)
            await asyncio.sleep(0.033)
            presses += 1
        scroll_end = time.monotonic()
        stop.set()
        await watcher
        return {"idle_rss": idle_rss, "opens": opens, "first_mounted": mounted,
                "scroll": [scroll_start, scroll_end], "presses": presses,
                "reached_top": not chat.has_older and chat.scroll_y == 0, "late": probes.late,
                "all_mounted": len(chat.query(".message")), "end_rss": rss_mib()}


def main() -> None:
    gc_tuning.tune()  # as run_app does
    scenario, *args, out = sys.argv[1:]
    if scenario == "reply":
        result = asyncio.run(reply(args[0]))
    elif scenario == "open":
        result = asyncio.run(open_conversations())
    elif scenario == "compare":
        result = asyncio.run(compare())
    else:
        result = asyncio.run(idle())
    with open(out, "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
