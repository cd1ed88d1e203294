"""ChatView.show_history: the newest saved messages first, older pages mounted as the view
nears the top without moving what the user sees, and a bounded number mounted at a time."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Static

from freechat.core.conversation import StoredMessage
from freechat.ui.widgets.chat_view import MOST, PAGE, ChatView
from freechat.ui.widgets.message import AssistantMessage, UserMessage

CSS = ".message { height: auto; margin: 0 0 1 0; } #chat.-empty Static { display: block; }"


def saved(count: int) -> list[StoredMessage]:
    out = []
    for n in range(count):
        if n % 2 == 0:
            out.append(StoredMessage(f"u{n}", "user", f"question {n}", "2026-01-01T12:00:00Z"))
        else:
            out.append(StoredMessage(
                f"a{n}", "assistant", f"Answer {n}.\n\n- one\n- two\n", "2026-01-01T12:00:01Z",
                model="openrouter/x:free", status="complete", finish_reason="stop"))
    return out


class Host(App[None]):
    CSS = CSS

    def compose(self) -> ComposeResult:
        yield ChatView(Static("welcome"), id="chat")


def shown(chat: ChatView) -> list[str]:
    """The ids of the mounted saved messages, in order (from their text)."""
    out = []
    for widget in chat.query(".message"):
        if isinstance(widget, UserMessage):
            out.append(str(widget.render()).split()[-1])
        elif isinstance(widget, AssistantMessage) and widget.children:
            # (Just mounted but not composed yet: not on screen either; a busy CI machine
            # caught the loop below reading one mid-scroll.)
            out.append(widget.answer.source.split()[1].rstrip("."))
    return out


async def settle(pilot, rounds: int = 6) -> None:
    for _ in range(rounds):
        await pilot.pause()


async def test_opens_on_the_newest_page_at_the_bottom() -> None:
    app = Host()
    async with app.run_test(size=(80, 30)) as pilot:
        chat = app.query_one(ChatView)
        await chat.show_history(saved(200))
        await settle(pilot)
        assert shown(chat) == [str(n) for n in range(200 - PAGE, 200)]
        assert chat.has_older and not chat.has_class("-empty")
        assert chat.scroll_y == chat.max_scroll_y  # anchored to the newest message


async def test_scrolling_up_mounts_older_pages_and_keeps_the_view_in_place() -> None:
    app = Host()
    async with app.run_test(size=(80, 30)) as pilot:
        chat = app.query_one(ChatView)
        await chat.show_history(saved(200))
        await settle(pilot)
        chat.scroll_to(y=2, animate=False, immediate=True)  # near the top of what is mounted
        await settle(pilot)
        top = app.screen.get_widget_at(10, chat.region.y + 1)[0]
        await settle(pilot, 20)
        assert len(shown(chat)) > PAGE  # an older page came in above...
        assert shown(chat)[-1] == "199"
        assert app.screen.get_widget_at(10, chat.region.y + 1)[0] is top  # ...and nothing moved


async def test_at_most_MOST_saved_messages_are_mounted() -> None:
    app = Host()
    async with app.run_test(size=(80, 30)) as pilot:
        chat = app.query_one(ChatView)
        await chat.show_history(saved(3 * MOST))
        await settle(pilot)
        for _ in range(400):
            if not chat.has_older and chat.scroll_y == 0:
                break
            chat.scroll_page_up(animate=False)
            await pilot.pause()
        await settle(pilot)
        assert not chat.has_older and chat.scroll_y == 0
        assert shown(chat)[0] == "0"
        assert len(shown(chat)) <= MOST
        for _ in range(400):  # and back down: the newest come back
            if shown(chat)[-1] == str(3 * MOST - 1) and chat.scroll_y == chat.max_scroll_y:
                break
            chat.scroll_page_down(animate=False)
            await pilot.pause()
        assert shown(chat)[-1] == str(3 * MOST - 1) and len(shown(chat)) <= MOST


async def test_a_new_turn_after_scrolling_back_comes_after_the_newest_saved() -> None:
    app = Host()
    async with app.run_test(size=(80, 30)) as pilot:
        chat = app.query_one(ChatView)
        await chat.show_history(saved(3 * MOST))
        await settle(pilot)
        last = str(3 * MOST - 1)
        for _ in range(200):
            if shown(chat)[-1] != last:
                break
            chat.scroll_page_up(animate=False)
            await pilot.pause()
        assert shown(chat)[-1] != last  # the newest were unmounted
        await chat.add_user("question new")
        await settle(pilot)
        assert shown(chat)[-3:] == [str(3 * MOST - 2), last, "new"]


async def test_clear_and_is_empty() -> None:
    app = Host()
    async with app.run_test(size=(80, 30)) as pilot:
        chat = app.query_one(ChatView)
        await chat.show_history(saved(4))
        await settle(pilot)
        assert not chat.is_empty and not chat.has_older
        await chat.clear()
        assert chat.is_empty and chat.has_class("-empty")
