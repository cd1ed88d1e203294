"""Helpers for Pilot tests of the main screen."""

from __future__ import annotations

from collections.abc import Callable

from textual.message import Message
from textual.notifications import Notify
from textual.pilot import Pilot

from freechat.core.models import ModelInfo
from freechat.ui.app import FreechatApp
from freechat.ui.screens.main import MainScreen
from freechat.ui.widgets.message import AssistantMessage
from freechat.ui.widgets.model_picker import ModelPicker

SIZE = (120, 36)


async def settle(pilot: Pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def until(pilot: Pilot, predicate: Callable[[], bool], what: str) -> None:
    """Poll (bounded) for something the app does in the background."""
    for _ in range(400):
        if predicate():
            return
        await pilot.pause(0.025)
    raise AssertionError(f"never happened: {what}")


def main(app: FreechatApp) -> MainScreen:
    assert isinstance(app.screen, MainScreen)
    return app.screen


def last_reply(app: FreechatApp) -> AssistantMessage:
    return main(app).query(AssistantMessage).last()


def answer_text(message: AssistantMessage) -> str:
    return message.answer.source


def footer_text(message: AssistantMessage) -> str:
    return str(message.footer.render())


def notes(seen: list[Message]) -> list[str]:
    return [f"{m.notification.title}: {m.notification.message}" for m in seen
            if isinstance(m, Notify)]


def model_leaves(app: FreechatApp, provider: str = "openrouter") -> list[str]:
    picker = main(app).query_one(ModelPicker)
    leaves = []
    for node in picker.tree.root.children:
        if node.data is picker.provider(provider):
            leaves += [str(n.data.ref) for n in node.children if isinstance(n.data, ModelInfo)]
    return leaves


async def send(pilot: Pilot, text: str) -> None:
    await pilot.press(*text, "enter")


