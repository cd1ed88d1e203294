"""The command palette (Ctrl+P): namespaced commands that follow the app's state.

Titles read `namespace: what` (`model: …`, `chat: new`, `compare: …`, `keys: …`, `quota: show`,
`theme: …`, `leaderboard: show`, `help: keys`). What is offered depends on where the palette was
opened: the chat screen gets everything; other screens only what makes sense over them. Model
and conversation lists are read in threads when the palette opens (files only, no network).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

from freechat.core.models import ModelInfo, ModelRef
from freechat.ui.widgets.status_bar import tier_label

if TYPE_CHECKING:
    from freechat.ui.app import FreechatApp

RECENT_CONVERSATIONS = 10


@dataclass(frozen=True)
class PaletteCommand:
    title: str
    help: str
    run: Callable[[], object]
    discover: bool = False  # listed before anything is typed


@dataclass
class PaletteState:
    models: list[ModelInfo] = field(default_factory=list)
    recent: list[tuple[str, str]] = field(default_factory=list)  # (id, title)
    current: ModelRef | None = None
    on_chat: bool = False  # opened over the chat screen


def _chat_commands(app: FreechatApp, state: PaletteState) -> Iterable[PaletteCommand]:
    key = app.key_label
    yield PaletteCommand("chat: new", f"Start an empty conversation ({key('new-chat')})",
                         app.new_chat, True)
    yield PaletteCommand("chat: open …", "Browse, search and reopen saved conversations "
                         f"({key('open-conversations')})", app.action_open_conversations, True)
    for conv_id, title in state.recent:
        yield PaletteCommand(f"chat: open “{title}”", "Reopen this saved conversation",
                             partial(app.open_conversation, conv_id))
    yield PaletteCommand("model: choose from the list",
                         f"Filter the model picker ({key('focus-picker')})",
                         app.focus_picker, True)
    for info in state.models:
        mark = " (current)" if info.ref == state.current else ""
        name = f"{info.name} · " if info.name and info.name != info.ref.model else ""
        yield PaletteCommand(f"model: {info.ref}{mark}", f"{name}{tier_label(info.tier)}",
                             partial(app.switch_model, info.ref))
    yield from _compare_commands(app, state)
    yield PaletteCommand("keys: set up providers", "Add, check or delete API keys; sign-up "
                         f"links for every free tier ({key('open-setup')})",
                         app.action_open_setup, True)
    for pid in app.runtime.config.all_provider_ids():
        spec = app.runtime.spec(pid)
        if spec.needs_key:
            yield PaletteCommand(f"keys: set {spec.name} key", f"{spec.free_tier}",
                                 partial(app.action_open_setup, pid))
    yield PaletteCommand("quota: show", "Remaining free quota of every provider, and when it "
                         f"resets ({key('open-quota')})", app.action_open_quota, True)
    yield PaletteCommand("leaderboard: show", "Models ranked by your blind votes "
                         f"({key('open-leaderboard')})", app.action_open_leaderboard, True)


def _compare_commands(app: FreechatApp, state: PaletteState) -> Iterable[PaletteCommand]:
    key = app.key_label("open-compare")
    yield PaletteCommand("compare: choose models …", f"Same prompt, side by side ({key})",
                         partial(app.action_open_compare, False), True)
    yield PaletteCommand("compare: blind …", "Names hidden until you vote; votes feed the "
                         "leaderboard", partial(app.action_open_compare, True), True)
    current = state.current
    if current is None:
        return
    for info in state.models:
        if info.ref == current:
            continue
        pair = (current, info.ref)
        yield PaletteCommand(f"compare: {current} vs {info.ref}", "Open comparison",
                             partial(app.start_compare, pair, False))
        yield PaletteCommand(f"compare blind: {current} vs {info.ref}",
                             "Names hidden until you vote", partial(app.start_compare, pair, True))


def build_commands(app: FreechatApp, state: PaletteState) -> list[PaletteCommand]:
    commands = list(_chat_commands(app, state)) if state.on_chat else []
    current_theme = app.theme
    bundled = set(app.bundled_themes)
    for name in sorted(app.available_themes, key=lambda n: (n not in bundled, n)):
        mark = " (current)" if name == current_theme else ""
        commands.append(PaletteCommand(f"theme: {name}{mark}", "Switch colours (saved in config)",
                                       partial(app.set_theme, name), name in bundled))
    commands.append(PaletteCommand("theme: browse all …", "Every theme, Textual's "
                                   "built-in ones included", app.search_themes))
    commands.append(PaletteCommand("help: keys", "Every key as mapped now "
                                   f"({app.key_label('help')})", app.action_help, True))
    if app.notices:
        commands.append(PaletteCommand("messages: show", "Recent notifications in full "
                                       f"({app.key_label('show-messages')})",
                                       app.action_show_messages, True))
    commands.append(PaletteCommand("app: screenshot", "Save an SVG picture of the screen "
                                   "(keys never appear on screen)", app.action_screenshot))
    commands.append(PaletteCommand("app: quit", f"Leave freechat ({app.key_label('quit')})",
                                   app.action_quit, True))
    return commands


class FreechatCommands(Provider):
    """freechat's commands for Textual's palette: the app's only provider, so that the list
    reads in one order, namespaced, with Textual's own useful commands folded in."""

    async def startup(self) -> None:
        app: Any = self.app
        self._state: PaletteState = await app.palette_state(self.screen)

    def _commands(self) -> list[PaletteCommand]:
        app: Any = self.app
        return build_commands(app, getattr(self, "_state", PaletteState()))

    async def discover(self) -> Hits:
        for command in self._commands():
            if command.discover:
                yield DiscoveryHit(command.title, command.run, help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for index, command in enumerate(self._commands()):
            score = matcher.match(command.title)
            if score > 0:
                yield Hit(score, matcher.highlight(command.title), command.run,
                          text=command.title, help=command.help)
            if index % 50 == 49:
                await asyncio.sleep(0)  # long model lists: let the palette stay responsive
