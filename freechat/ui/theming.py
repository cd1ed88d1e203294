"""The app's themes and stylesheets: the theme it opens with, the other theme files after the
first frame, the chosen theme saved to config, and Textual's parsed CSS kept between runs.

Mixed into FreechatApp before Textual's App (it overrides two of App's methods). The theme
files themselves are data (themes.py); the parsed-CSS file is css_cache.py.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from textual.app import App
from textual.theme import Theme

from freechat.ui.css_cache import ParsedCssCache, parse_cache_of
from freechat.ui.themes import (
    DEFAULT_THEME,
    ThemeFiles,
    build_themes,
    bundled_theme_dirs,
    read_theme_files,
    set_initial_theme,
    variable_defaults,
)


class ThemingMixin:
    """Needs from the app: runtime, notify, run_worker, save_setting (and App's theming)."""

    runtime: Any
    bundled_themes: list[str]
    _theme_files: ThemeFiles
    _themes_tried: set[str]
    _css_cache: ParsedCssCache
    _theme_set = False  # until init_theming: see get_css_variables
    _variable_defaults: tuple[Theme, dict[str, str]] | None = None

    def init_theming(self) -> list[str]:
        """From the app's __init__, before any stylesheet is parsed. Only the theme the app
        opens with is made now (checking a theme's colours costs ~1 ms); returns warnings."""
        app: Any = self
        bundled = bundled_theme_dirs()
        self._theme_files = read_theme_files(
            [*bundled, self.runtime.paths.user_themes_dir], bundled=bundled)
        self.bundled_themes, self._themes_tried = [], set()
        warnings = list(self._theme_files.warnings)
        wanted = self.runtime.config.theme or DEFAULT_THEME
        if wanted not in app.available_themes:  # not one of Textual's own
            warnings += self._register_themes([wanted])
        if wanted not in app.available_themes:
            warnings.append(f"theme '{wanted}' not found; using {DEFAULT_THEME}")
            warnings += self._register_themes([DEFAULT_THEME])
            wanted = DEFAULT_THEME
        self._theme_set = True
        variables = set_initial_theme(app, wanted)
        self._css_cache = ParsedCssCache(self.runtime.paths.cache_dir, variables)
        parse_cache = parse_cache_of(app.stylesheet)
        if parse_cache is not None:
            self._css_cache.load_into(parse_cache)
        return warnings

    def themes_after_first_frame(self) -> None:
        """Every other theme file's theme (for the palette and the theme browser), and the
        parsed CSS saved for the next start if it was not all in the file. Once."""
        app: Any = self
        names = [n for n in self._theme_files.tables if n not in self._themes_tried]
        for warning in self._register_themes(names):
            app.notify(warning, title="Config", severity="warning", timeout=8, markup=False)
        parse_cache = parse_cache_of(app.stylesheet)
        entries = self._css_cache.new_entries(parse_cache) if parse_cache is not None else []
        if entries:
            app.run_worker(partial(self._css_cache.save, entries), thread=True,
                           exit_on_error=False, name="save parsed CSS")

    def _register_themes(self, names: list[str]) -> list[str]:
        """Make and register the named theme files' themes; returns the warnings."""
        app: Any = self
        self._themes_tried.update(names)
        found = build_themes(self._theme_files, names)
        for theme in found.themes:
            app.register_theme(theme)
            self.bundled_themes.append(theme.name)
        return found.warnings

    def get_css_variables(self) -> dict[str, str]:
        # Textual's __init__ makes the stylesheet with its default theme's variables, which
        # init_theming replaces before anything is parsed: not worth two colour systems.
        if not self._theme_set:
            return {}
        variables: dict[str, str] = App.get_css_variables(self)  # type: ignore[arg-type]
        return variables

    def get_theme_variable_defaults(self) -> dict[str, str]:
        # Textual asks on every CSS variable refresh; resolving means generating the theme's
        # whole colour system.
        theme: Theme = self.current_theme  # type: ignore[attr-defined]
        cached = self._variable_defaults
        if cached is None or cached[0] is not theme:
            cached = self._variable_defaults = (theme, variable_defaults(theme))
        return cached[1]

    def set_theme(self, name: str) -> None:
        app: Any = self
        app.theme = name  # theme_changed saves it

    def theme_changed(self, theme: Theme) -> None:
        """Subscribed to Textual's theme signal once the app runs: saves the choice."""
        if theme.name != self.runtime.config.theme:
            self.runtime.config.theme = theme.name
            self.save_setting("theme", theme.name)  # type: ignore[attr-defined]
