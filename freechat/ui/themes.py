"""Themes are data: `themes/*.toml` files become `textual.theme.Theme` objects.

Bundled themes ship inside the wheel as `freechat/themes/`; in a repo checkout they are in the
top-level `themes/`. Users can drop their own files in `<config dir>/themes/`. A broken file is
skipped with a warning: a theme must never stop the app from opening.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textual.app import App
from textual.color import Color, ColorParseError
from textual.theme import Theme

DEFAULT_THEME = "freechat-dark"

_COLOUR_FIELDS = (
    "primary", "secondary", "accent", "warning", "error", "success",
    "foreground", "background", "surface", "panel", "boost",
)

# freechat's own CSS variables; a theme may override any of them in [variables]. Values
# naming another variable are resolved against the active theme (see `variable_defaults`).
VARIABLE_DEFAULTS: dict[str, str] = {
    "tier-free": "$success",
    "tier-trial": "$warning",
    "tier-paid": "$error",
    "tier-local": "$secondary",
    "reasoning-text": "$text-muted",
    # The quota bar and screen colour figures by headroom (ui/widgets/quota_bar.py).
    "quota-ok": "$success",
    "quota-warn": "$warning",
    "quota-bad": "$error",
    # Message accents: the border and title of the user's and the model's messages.
    "user-accent": "$secondary",
    "assistant-accent": "$primary",
}


def variable_defaults(theme: Theme) -> dict[str, str]:
    """VARIABLE_DEFAULTS with `$name` references resolved in `theme`'s colour system
    (Textual does not resolve references inside variable values)."""
    base = theme.to_color_system().generate()
    resolved = {}
    for name, value in VARIABLE_DEFAULTS.items():
        while value.startswith("$") and value[1:] in base:
            value = base[value[1:]]
        resolved[name] = value
    return resolved


@dataclass
class ThemeSet:
    themes: list[Theme] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def bundled_theme_dirs(package_dir: Path | None = None) -> list[Path]:
    """The wheel's `freechat/themes/` first, then a source checkout's top-level `themes/`."""
    package = package_dir or Path(__file__).resolve().parents[1]
    dirs = [package / "themes"] if (package / "themes").is_dir() else []
    checkout = package.parent
    # Only a checkout (pyproject beside the package), never a stray site-packages/themes.
    if (checkout / "pyproject.toml").is_file() and (checkout / "themes").is_dir():
        dirs.append(checkout / "themes")
    return dirs


def theme_from_toml(data: dict[str, Any], *, check_colours: bool = True) -> Theme:
    """A Theme from one file's table; ValueError says what is wrong (the app skips the file:
    a bad colour would otherwise fail later, when the theme is applied). `check_colours`
    False skips generating the colour system, for the bundled files (the tests check them)."""
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValueError("a theme needs a name")
    if not isinstance(data.get("primary"), str):
        raise ValueError("a theme needs a primary colour")
    colours: dict[str, str] = {}
    for key in _COLOUR_FIELDS:
        value = data.get(key)
        if value is None:
            continue
        try:
            if not isinstance(value, str):
                raise ColorParseError(str(value))
            Color.parse(value)
        except ColorParseError:
            raise ValueError(f"{key} = {value!r} is not a colour") from None
        colours[key] = value
    variables = data.get("variables", {})
    if not isinstance(variables, dict):
        raise ValueError("[variables] must be a table")
    if not isinstance(data.get("dark", True), bool):
        raise ValueError("dark must be true or false")
    numbers: dict[str, float] = {}
    for key in ("luminosity_spread", "text_alpha"):
        value = data.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise ValueError(f"{key} must be a number from 0 to 1")
        numbers[key] = float(value)
    theme = Theme(
        name=name.strip(),
        dark=data.get("dark", True),
        variables={str(k): str(v) for k, v in variables.items()},
        **colours,
        **numbers,  # type: ignore[arg-type]
    )
    if not check_colours:
        return theme
    try:
        theme.to_color_system().generate()
    except (ColorParseError, ValueError, TypeError) as error:
        raise ValueError(f"colours do not combine ({error})") from None
    return theme


@dataclass
class ThemeFiles:
    """Theme files read but not yet made into themes: checking one's colours costs about a
    millisecond, so the app makes the theme it opens with first and the rest after the
    first frame."""

    # theme name -> [(file name, table, whether it is one of ours)], in reading order
    tables: dict[str, list[tuple[str, dict[str, Any], bool]]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def read_theme_files(dirs: Iterable[Path], *, bundled: Iterable[Path] = ()) -> ThemeFiles:
    """Every `*.toml` in `dirs`, in order, by theme name (a later file with a name wins).
    Files in `bundled` dirs are ours: their colours are not checked again when made."""
    result = ThemeFiles()
    ours = set(bundled)
    for directory in dirs:
        try:
            files = sorted(directory.glob("*.toml"))
        except OSError:
            continue
        for path in files:
            try:
                table = tomllib.loads(path.read_text("utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
                result.warnings.append(f"theme file {path.name} skipped: {error}")
                continue
            name = table.get("name")
            if not isinstance(name, str) or not name.strip():
                result.warnings.append(f"theme file {path.name} skipped: a theme needs a name")
                continue
            result.tables.setdefault(name.strip(), []).append(
                (path.name, table, directory in ours))
    return result


def build_themes(files: ThemeFiles, names: Iterable[str]) -> ThemeSet:
    """The named themes from `files` (their last file that is valid), with a warning for
    each file skipped; names without a file are left out."""
    result = ThemeSet()
    for name in names:
        for file_name, table, ours in reversed(files.tables.get(name, [])):
            try:
                result.themes.append(theme_from_toml(table, check_colours=not ours))
                break
            except ValueError as error:
                result.warnings.append(f"theme file {file_name} skipped: {error}")
    return result


def load_themes(dirs: Iterable[Path]) -> ThemeSet:
    """Every theme in `dirs` (see read_theme_files)."""
    files = read_theme_files(dirs)
    found = build_themes(files, list(files.tables))
    found.warnings[:0] = files.warnings
    return found


def resolve_colour(app: App[object], name: str) -> str | None:
    """The colour a theme variable stands for (following `$other` references), as hex.

    For the few places that build Rich text in Python (tree labels); CSS uses `$name`.
    """
    variables = app.theme_variables or app.get_css_variables()
    value = variables.get(name)
    for _ in range(5):  # references are short chains; never loop forever on a cycle
        if not isinstance(value, str) or not value.startswith("$"):
            break
        value = variables.get(value[1:])
    if not isinstance(value, str):
        return None
    try:
        return Color.parse(value.split()[0]).hex
    except ColorParseError:
        return None


def set_initial_theme(app: App[Any], name: str) -> dict[str, str]:
    """What Textual's App.__init__ does for its default theme, for the configured one: the
    `theme` watcher would queue a CSS refresh that reparses every stylesheet before the
    first frame. Call from the app's __init__, before any stylesheet is parsed. Returns the
    CSS variables the stylesheets will be parsed with."""
    app.set_reactive(App.theme, name)
    dark = app.current_theme.dark
    app.set_class(True, f"-theme-{name}", update=False)
    app.set_class(dark, "-dark-mode", update=False)
    app.set_class(not dark, "-light-mode", update=False)
    # The stylesheet was made in App.__init__ with the default theme's variables.
    variables = app.get_css_variables()
    app.stylesheet.set_variables(variables)
    refresh_filter = getattr(app, "_refresh_truecolor_filter", None)  # private: guarded
    if callable(refresh_filter):
        refresh_filter(app.ansi_theme)  # ANSI colours mapped for this theme, dark or light
    return variables
