"""Helpers for Pilot tests of the main screen."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.message import Message
from textual.notifications import Notify
from textual.pilot import Pilot

from freechat.core.conversation import Conversation
from freechat.core.models import ModelInfo
from freechat.core.store import ConversationStore
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




def write_config(home: Path, text: str) -> None:
    """A config.toml under FREECHAT_HOME, before the app starts."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(text, encoding="utf-8")


FAST = "[quota]\nretries = 0\n"  # faults fail at once: no backoff in Pilot tests


def saved(app: FreechatApp) -> Conversation:
    """The conversation the main screen saves into, as it is on disk now."""
    screen = main(app)
    assert screen.chat_log.conversation_id is not None, "nothing was saved"
    return ConversationStore.from_paths(screen.runtime.paths).load(
        screen.chat_log.conversation_id)


def state_text(app: FreechatApp) -> str:
    return str(main(app).query_one("#status-state").render())


async def responds(pilot: Pilot) -> None:
    """The app still takes keys: typing reaches the prompt (then it is cleared again)."""
    screen = main(pilot.app)
    screen.prompt.focus()
    await pilot.press(*"ok?")
    assert screen.prompt.text.endswith("ok?")
    screen.prompt.clear()
