"""FreechatApp: app-wide things only — themes (theming.py), keymap, the HTTP client's
lifetime, the shared quota book (startup.py), notifications, and which screen is showing
(navigation.py)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.events import Resize
from textual.widgets import Footer

from freechat.core.lazy_client import LazyClient
from freechat.core.runtime import Runtime
from freechat.ui import gc_tuning
from freechat.ui.footer_fit import NARROW, WIDE, FooterFitter
from freechat.ui.navigation import NavigationMixin
from freechat.ui.notices import NoticesMixin
from freechat.ui.safe_errors import SafeErrorsMixin
from freechat.ui.screens.main import MainScreen
from freechat.ui.startup import StartupMixin
from freechat.ui.theming import ThemingMixin


def _palette() -> type:
    """The palette's provider, loaded when the palette first opens (Textual accepts a
    callable here), not on the way to the first frame."""
    from freechat.ui.commands import FreechatCommands

    return FreechatCommands


class FreechatApp(NoticesMixin, NavigationMixin, StartupMixin, ThemingMixin, SafeErrorsMixin,
                  App[int]):
    """SafeErrorsMixin before App: a crash must never print local variables (they can hold
    keys). Every binding has an id: users remap them in config `[keymap]`."""

    # main.tcss loads with the app: as the main screen's CSS_PATH, pushing that screen made
    # Textual reparse every stylesheet on the way to the first frame.
    CSS_PATH: ClassVar[Any] = ["app.tcss", "screens/main.tcss"]
    TITLE = "freechat"
    COMMANDS: ClassVar[Any] = {_palette}  # Textual's system commands are folded in
    # Sets -narrow / -medium / -wide on every screen; app.tcss collapses the picker when narrow.
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [
        (0, "-narrow"), (NARROW, "-medium"), (WIDE, "-wide"),
    ]
    # priority: quitting and the palette must work whatever has focus (the prompt eats keys).
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
        Binding("ctrl+p", "command_palette", "Commands", id="command-palette", show=False,
                priority=True),
        Binding("f1,question_mark", "help", "Help", id="help"),
        Binding("f3", "open_setup", "Keys", id="open-setup"),
        Binding("ctrl+o", "open_conversations", "Chats", id="open-conversations"),
        Binding("f5", "open_quota", "Quota", id="open-quota", show=False),
        Binding("f4", "open_compare", "Compare", id="open-compare", show=False),
        Binding("f8", "open_leaderboard", "Leaderboard", id="open-leaderboard", show=False),
        Binding("f9", "show_messages", "Messages", id="show-messages", show=False),
    ]

    def __init__(
        self, runtime: Runtime, *, model: str | None = None, resume: str | None = None,
        clock: Callable[[], float] = time.monotonic, tune_gc: bool = False,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        """`clock` times replies; `wall_clock` (epoch seconds) drives quota windows and reset
        countdowns: tests pin both, so figures and snapshots are the same on every run."""
        super().__init__()
        self.runtime = runtime
        self.wall_clock = wall_clock
        self.http_client: Any = None  # made on mount by core (the UI never imports httpx)
        self.resume_id = resume
        self._model = model
        self._clock = clock
        self.tune_gc = tune_gc
        self.init_background()
        self.init_notices()
        self._footer = FooterFitter()
        self._startup_warnings = self.init_theming() + list(runtime.config.warnings)
        keymap = runtime.config.keymap
        # The footer looks the palette key up by this name: keep it right when remapped.
        self.COMMAND_PALETTE_BINDING = keymap.get("command-palette", "ctrl+p").split(",")[0]
        self.set_keymap(keymap)

    def on_resize(self, event: Resize) -> None:
        # After the refresh: the screens' -narrow/-wide classes are set by then, and the
        # footer, recomposed for the new bindings, picks up their styles.
        self.call_after_refresh(self._fit_footer, event.size.width)

    def _fit_footer(self, width: int | None = None) -> None:
        main = self.main_screen
        self._footer.fit([self] if main is None else [self, main], width or self.size.width)
        for footer in self.screen.query(Footer):  # restyle its keys for the new width
            footer.refresh(recompose=True)
        self.refresh_bindings()

    def get_default_screen(self) -> MainScreen:
        # The chat screen is the bottom of the stack, not pushed over Textual's blank default
        # one: one screen composed, styled and laid out on the way to the first frame.
        # Made on first use (or warmed in a thread once shown): not before the first frame.
        self.http_client = LazyClient(self.runtime.make_client)
        screen = MainScreen(self.runtime, self.http_client, model=self._model,
                            resume=self.resume_id, clock=self._clock,
                            store=self.conversation_store)
        # Its width class now, so that the first resize does not restyle every widget.
        for threshold, name in sorted(self.HORIZONTAL_BREAKPOINTS, reverse=True):
            if self.size.width >= threshold:
                screen.add_class(name, update=False)  # styled when registered
                break
        return screen

    def on_mount(self) -> None:
        for warning in self._startup_warnings:
            self.notify(warning, title="Config", severity="warning", timeout=8, markup=False)
        self.call_after_refresh(self._fit_footer)
        self.theme_changed_signal.subscribe(self, self.theme_changed)
        # Background work waits for the main screen's first frame (main_screen_shown).

    async def on_unmount(self) -> None:
        await self.stop_background()
        if self.http_client is not None:
            await self.http_client.aclose()
            self.http_client = None


def run_app(runtime: Runtime, *, model: str | None = None, resume: str | None = None) -> int:
    """Open the app; returns the process exit code."""
    gc_tuning.tune()
    app = FreechatApp(runtime, model=model, resume=resume, tune_gc=True)
    result = app.run()
    if isinstance(result, int):
        return result
    return app.return_code or 0
