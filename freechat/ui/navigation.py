"""Which screen is showing: the app's bindings and palette commands open the side screens
(setup, conversations, quota, compare, leaderboard, help, messages) over the chat screen.

Side screens open from the chat screen only (their own keys work inside them); help and the
messages view open anywhere. The chat screen is driven only through its public methods
(`set_model`, `new_chat`, `open_conversation`, `keys_changed`); where one is missing a
fallback keeps the app working.
"""

from __future__ import annotations

import asyncio
import inspect
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from textual import work

from freechat.core.errors import FreechatError
from freechat.core.models import ModelRef
from freechat.ui.screens.main import MainScreen

if TYPE_CHECKING:
    from freechat.ui.commands import PaletteState


def _showing(screen: Any, module: str, class_name: str) -> bool:
    loaded = sys.modules.get(module)
    return loaded is not None and isinstance(screen, getattr(loaded, class_name))

CHAT_ONLY = frozenset({"open_setup", "open_conversations", "open_quota", "open_compare",
                       "open_leaderboard"})


async def _call(target: Any, name: str, *args: Any) -> bool:
    """Call `target.name(*args)` (awaiting it if it is async); False when it does not exist."""
    method = getattr(target, name, None)
    if method is None:
        return False
    result = method(*args)
    if inspect.isawaitable(result):
        await result
    return True


class NavigationMixin:
    """Mixed into FreechatApp (which provides runtime, http_client, screens, notify)."""

    runtime: Any
    http_client: Any
    _conversation_store: Any = None

    # --- state -------------------------------------------------------------------------------
    @property
    def main_screen(self) -> MainScreen | None:
        app: Any = self
        return next((s for s in app.screen_stack if isinstance(s, MainScreen)), None)

    def on_chat(self) -> bool:
        app: Any = self
        return isinstance(app.screen, MainScreen)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        app: Any = self
        if action in CHAT_ONLY:
            return self.on_chat()
        # Loaded on first use (not on the way to the first frame): not loaded, not showing.
        if action == "help":
            return not _showing(app.screen, "freechat.ui.screens.help", "HelpScreen")
        if action == "show_messages":
            return not _showing(app.screen, "freechat.ui.screens.messages", "MessagesScreen")
        result: bool | None = super().check_action(action, parameters)  # type: ignore[misc]
        return result

    def key_label(self, binding_id: str) -> str:
        """The key(s) bound to `binding_id` now, as people write them ('F3', 'Ctrl+O')."""
        app: Any = self
        keys = app._keymap.get(binding_id)
        if keys is None:
            nodes = [app, *(s for s in app.screen_stack if isinstance(s, MainScreen))]
            for node in nodes:
                for key, bindings in node._bindings.key_to_bindings.items():
                    if any(b.id == binding_id for b in bindings):
                        keys = key if keys is None else f"{keys},{key}"
                if keys is not None:
                    break
        from freechat.ui.screens.help import key_label

        return " / ".join(key_label(k) for k in (keys or "?").split(","))

    # --- help and messages -------------------------------------------------------------------
    def action_help(self) -> None:
        from freechat.ui.screens.help import HelpScreen

        app: Any = self
        path = self.runtime.config.path or self.runtime.paths.config_file
        app.push_screen(HelpScreen(app.screen, config_file=str(path)))

    def action_show_messages(self) -> None:
        from freechat.ui.screens.messages import MessagesScreen

        app: Any = self
        app.push_screen(MessagesScreen(list(app.notices)))

    # --- keys ----------------------------------------------------------------------------------
    def action_open_setup(self, provider_id: str | None = None) -> None:
        from freechat.ui.screens.setup import SetupScreen

        app: Any = self
        app.push_screen(SetupScreen(self.runtime, provider_id=provider_id), self._setup_closed)

    def first_run(self) -> None:
        """No key anywhere and no local server: say what freechat needs and open setup."""
        app: Any = self
        if not self.on_chat():
            return
        self.action_open_setup()
        app.notify("No provider is set up yet: choose one, paste its free API key, Save. "
                   "Esc goes to the chat.", title="Welcome to freechat", timeout=15,
                   markup=False)

    async def _setup_closed(self, changed: bool | None) -> None:
        if not changed:
            return
        app: Any = self
        await app.refresh_keys()
        main = self.main_screen
        if main is None or await _call(main, "keys_changed"):
            return
        if main.model is not None:  # fallback: re-show where the key comes from
            main.set_model(main.model)

    # --- conversations -------------------------------------------------------------------------
    def conversation_store(self) -> Any:
        if self._conversation_store is None:
            from freechat.core.store import ConversationStore

            self._conversation_store = ConversationStore.from_paths(self.runtime.paths)
        return self._conversation_store

    def action_open_conversations(self) -> None:
        from freechat.ui.screens.conversations import ConversationsScreen

        app: Any = self
        app.push_screen(ConversationsScreen(self.conversation_store()), self._conversation_chosen)

    async def _conversation_chosen(self, conversation_id: str | None) -> None:
        if conversation_id:
            await self.open_conversation(conversation_id)

    async def open_conversation(self, conversation_id: str) -> None:
        app: Any = self
        main = self.main_screen
        if main is None or not await _call(main, "open_conversation", conversation_id):
            app.notify("reopening saved conversations is not available yet",
                       title="Conversations", severity="warning", markup=False)

    # --- chat ------------------------------------------------------------------------------
    async def new_chat(self) -> None:
        main = self.main_screen
        if main is not None and not await _call(main, "new_chat"):
            await main.action_new_chat()

    def switch_model(self, ref: ModelRef) -> None:
        main = self.main_screen
        if main is None:
            return
        set_model = getattr(main, "set_model", None)
        if set_model is not None:
            set_model(ref)
        else:
            main.set_model(ref)
            main.picker.reveal(ref)

    def focus_picker(self) -> None:
        main = self.main_screen
        if main is not None:
            main.action_focus_picker()

    # --- quota, compare, leaderboard -------------------------------------------------------
    def action_open_quota(self) -> None:
        from freechat.ui.screens.quota import QuotaScreen

        app: Any = self
        app.push_screen(QuotaScreen(self._load_quota, clock=app.wall_clock))

    async def _load_quota(self, refresh: bool) -> tuple[Any, Any]:
        from freechat.core.quota import open_book
        from freechat.core.quota_sources import gather_quota

        app: Any = self
        book, _ = await app.quota()
        if book is None:
            book = await asyncio.to_thread(open_book, self.runtime, clock=app.wall_clock)
        return await gather_quota(self.runtime, book, self.http_client, refresh=refresh)

    def action_open_leaderboard(self) -> None:
        from freechat.core.leaderboard import VoteBook
        from freechat.ui.screens.leaderboard import LeaderboardScreen

        app: Any = self
        app.push_screen(LeaderboardScreen(VoteBook.from_paths(self.runtime.paths)))

    @work(group="compare-open", exclusive=True, exit_on_error=False)
    async def action_open_compare(self, blind: bool = False) -> None:
        from freechat.ui.screens.compare_setup import CompareSetupScreen

        app: Any = self
        state = await self.palette_state(app.screen)
        chooser = CompareSetupScreen(state.models, current=state.current, blind=blind)
        request = await app.push_screen_wait(chooser)
        if request is not None:
            self.start_compare(request.models, request.blind)

    @work(group="compare-open", exit_on_error=False)
    async def start_compare(self, refs: Sequence[ModelRef], blind: bool = False) -> None:
        from freechat.ui.screens.compare import CompareScreen

        app: Any = self
        _, guard = await app.quota()
        try:
            screen = CompareScreen(self.runtime, self.http_client, list(refs), blind=blind,
                                   guard=guard)
        except (FreechatError, ValueError) as error:
            text = error.one_line() if isinstance(error, FreechatError) else str(error)
            app.notify(text, title="Compare", severity="warning", markup=False)
            return
        await app.push_screen(screen)

    # --- the palette's view of the app -------------------------------------------------------
    async def palette_state(self, screen: Any) -> PaletteState:
        from freechat.core.model_choices import model_choices, usable_providers
        from freechat.ui.commands import PaletteState

        if not isinstance(screen, MainScreen):
            return PaletteState()
        app: Any = self
        keys = app.key_sources or await app.refresh_keys()
        local = [*getattr(screen, "local_providers", ()),
                 *(s.provider for s in app.local_servers or [])]
        providers = usable_providers(keys, local)
        models = await asyncio.to_thread(model_choices, self.runtime, providers)
        recent = await asyncio.to_thread(self._recent_conversations)
        return PaletteState(models, recent, screen.model, on_chat=True)

    def _recent_conversations(self) -> list[tuple[str, str]]:
        """(id, title) of the latest few; blocking file work (a thread)."""
        app: Any = self
        store = self.conversation_store()
        try:
            summaries = store.list()
        except (FreechatError, OSError):
            return []
        for notice in store.take_notices():
            app.notify(notice, title="Conversations", severity="warning", markup=False)
        return [(s.id, s.title or "untitled") for s in summaries[:10]]
