"""FreechatApp: app-wide things only — themes, keymap, the HTTP client's lifetime, the shared
quota book, notifications, and which screen is showing (navigation.py)."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import Any, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.events import Resize
from textual.theme import Theme
from textual.widgets import Footer

from freechat.core.lazy_client import LazyClient
from freechat.core.runtime import Runtime
from freechat.ui import gc_tuning
from freechat.ui.css_cache import ParsedCssCache, parse_cache_of
from freechat.ui.footer_fit import NARROW, WIDE, FooterFitter
from freechat.ui.navigation import NavigationMixin
from freechat.ui.notices import NoticesMixin
from freechat.ui.safe_errors import SafeErrorsMixin
from freechat.ui.screens.main import MainScreen
from freechat.ui.startup import StartupMixin
from freechat.ui.themes import (
    DEFAULT_THEME,
    build_themes,
    bundled_theme_dirs,
    read_theme_files,
    set_initial_theme,
    variable_defaults,
)


def _palette() -> type:
    """The palette's provider, loaded when the palette first opens (Textual accepts a
    callable here), not on the way to the first frame."""
    from freechat.ui.commands import FreechatCommands

    return FreechatCommands


class FreechatApp(NoticesMixin, NavigationMixin, StartupMixin, SafeErrorsMixin, App[int]):
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
        self._variable_defaults: tuple[Theme, dict[str, str]] | None = None
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
        # Only the theme it opens with is made now; the rest once the first frame is up.
        self._theme_files = read_theme_files(
            [*bundled_theme_dirs(), runtime.paths.user_themes_dir])
        self.bundled_themes: list[str] = []
        self._themes_tried: set[str] = set()
        self._startup_warnings = list(self._theme_files.warnings) + list(runtime.config.warnings)
        wanted = runtime.config.theme or DEFAULT_THEME
        if wanted not in self.available_themes:  # not one of Textual's own
            self._startup_warnings += self._register_themes([wanted])
        if wanted not in self.available_themes:
            self._startup_warnings.append(f"theme '{wanted}' not found; using {DEFAULT_THEME}")
            self._startup_warnings += self._register_themes([DEFAULT_THEME])
            wanted = DEFAULT_THEME
        variables = set_initial_theme(self, wanted)
        self._css_cache = ParsedCssCache(runtime.paths.cache_dir, variables)
        parse_cache = parse_cache_of(self.stylesheet)
        if parse_cache is not None:
            self._css_cache.load_into(parse_cache)
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

    def get_theme_variable_defaults(self) -> dict[str, str]:
        # Textual asks on every CSS variable refresh (twice on the way to the first frame);
        # resolving means generating the theme's whole colour system.
        theme = self.current_theme
        cached = self._variable_defaults
        if cached is None or cached[0] is not theme:
            cached = self._variable_defaults = (theme, variable_defaults(theme))
        return cached[1]

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
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        # Background work waits for the main screen's first frame (main_screen_shown).

    async def on_unmount(self) -> None:
        await self.stop_background()
        if self.http_client is not None:
            await self.http_client.aclose()
            self.http_client = None

    # --- themes ------------------------------------------------------------------------------
    def _register_themes(self, names: list[str]) -> list[str]:
        """Make and register the named theme files' themes; returns the warnings."""
        self._themes_tried.update(names)
        found = build_themes(self._theme_files, names)
        for theme in found.themes:
            self.register_theme(theme)
            self.bundled_themes.append(theme.name)
        return found.warnings

    def save_parsed_css(self) -> None:
        """After the first frame: keep what Textual parsed for the next start, if it is new."""
        parse_cache = parse_cache_of(self.stylesheet)
        entries = self._css_cache.new_entries(parse_cache) if parse_cache is not None else []
        if entries:
            self.run_worker(partial(self._css_cache.save, entries), thread=True,
                            exit_on_error=False, name="save parsed CSS")

    def register_other_themes(self) -> None:
        """Every theme file's theme, for the palette and the theme browser (after the first
        frame; once)."""
        names = [n for n in self._theme_files.tables if n not in self._themes_tried]
        for warning in self._register_themes(names):
            self.notify(warning, title="Config", severity="warning", timeout=8, markup=False)

    def set_theme(self, name: str) -> None:
        self.theme = name  # _theme_changed saves it

    def _theme_changed(self, theme: Theme) -> None:
        if theme.name != self.runtime.config.theme:
            self.runtime.config.theme = theme.name
            self.save_setting("theme", theme.name)


def run_app(runtime: Runtime, *, model: str | None = None, resume: str | None = None) -> int:
    """Open the app; returns the process exit code."""
    gc_tuning.tune()
    app = FreechatApp(runtime, model=model, resume=resume, tune_gc=True)
    result = app.run()
    if isinstance(result, int):
        return result
    return app.return_code or 0
