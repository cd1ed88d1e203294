"""Themes as data, in the running app: the bundled set, user themes, broken files, persistence
of the chosen theme, and styles that use theme variables only."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from textual.color import Color
from textual.geometry import Region
from textual.theme import BUILTIN_THEMES

from freechat.ui.app import FreechatApp
from freechat.ui.themes import (
    _COLOUR_FIELDS,
    DEFAULT_THEME,
    VARIABLE_DEFAULTS,
    bundled_theme_dirs,
    load_themes,
)
from freechat.ui.widgets.welcome import Welcome
from tests.ui.app_helpers import run_command
from tests.ui.conftest import R1
from tests.ui.pilot import SIZE, notes, settle, write_config

UI = Path(__file__).resolve().parents[2] / "freechat" / "ui"
BUNDLED = {t.name: t for t in load_themes(bundled_theme_dirs()).themes}
# Colours written out in a stylesheet instead of a theme variable.
LITERAL_COLOUR = re.compile(
    r"#[0-9a-fA-F]{3,8}\b|\b(rgb|rgba|hsl|hsla)\(|:\s*(red|green|blue|white|black|yellow|"
    r"cyan|magenta|grey|gray|orange|purple)\b")


def test_at_least_four_bundled_themes_dark_light_and_high_contrast():
    assert len(BUNDLED) >= 4
    assert DEFAULT_THEME in BUNDLED
    assert any(not t.dark for t in BUNDLED.values())
    assert "freechat-contrast" in BUNDLED


@pytest.mark.parametrize("name", sorted(BUNDLED))
def test_bundled_theme_is_complete(name: str):
    """Every colour of a Textual theme, and every freechat variable, set explicitly."""
    theme = BUNDLED[name]
    for field in _COLOUR_FIELDS:
        assert getattr(theme, field), f"{name} has no {field}"
    assert set(VARIABLE_DEFAULTS) <= set(theme.variables), set(VARIABLE_DEFAULTS) - set(
        theme.variables)


def test_stylesheets_use_theme_variables_only():
    offenders = []
    for path in sorted(UI.rglob("*.tcss")):
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
            if LITERAL_COLOUR.search(line.split("/*")[0]):
                offenders.append(f"{path.relative_to(UI)}:{number}: {line.strip()}")
    assert offenders == []


async def test_choosing_a_theme_saves_it_and_the_next_start_uses_it(make_app, isolated_env):
    write_config(isolated_env, '# mine\ndefault_model = "openrouter/x:free"\n'
                 '[keymap]\nnew-chat = "ctrl+b"\n')
    app = make_app(model=R1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await run_command(pilot, "theme: freechat-light")
        assert app.theme == "freechat-light"
        await settle(pilot)  # the save runs in a thread worker
    text = (isolated_env / "config.toml").read_text("utf-8")
    assert text.startswith('# mine\ndefault_model = "openrouter/x:free"\ntheme = ')  # in place
    saved = tomllib.loads(text)
    assert saved["theme"] == "freechat-light"
    assert saved["keymap"] == {"new-chat": "ctrl+b"}  # the rest of the file is kept
    assert saved["default_model"] == "openrouter/x:free"
    again = make_app(model=R1)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert again.theme == "freechat-light"


async def test_textual_builtin_theme_works_with_freechat_variables(make_app, isolated_env):
    assert "nord" in BUILTIN_THEMES
    write_config(isolated_env, 'theme = "nord"\n')
    app = make_app(model=R1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "nord"
        variables = app.theme_variables
        assert all(variables[name] for name in VARIABLE_DEFAULTS)
        assert not variables["quota-ok"].startswith("$")  # references resolved


async def test_broken_user_theme_gives_one_notification_naming_the_file(make_app, isolated_env):
    themes = isolated_env / "themes"
    themes.mkdir(parents=True)
    (themes / "sunset.toml").write_text('name = "sunset"\nprimary = "not-a-colour"\n')
    write_config(isolated_env, 'theme = "sunset"\n')
    seen: list = []
    app: FreechatApp = make_app(model=R1)
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await settle(pilot)
        assert app.theme == DEFAULT_THEME  # fell back
        about = [n for n in notes(seen) if "sunset" in n]
        assert len(about) == 2, about  # the broken file, then the theme config asked for
        assert "sunset.toml" in about[0] and "primary" in about[0]
        assert "'sunset' not found" in about[1]


def test_a_theme_file_with_a_bad_field_is_refused(tmp_path: Path):
    cases = {
        "dark.toml": 'name = "a"\nprimary = "#123456"\ndark = "yes"\n',
        "alpha.toml": 'name = "b"\nprimary = "#123456"\ntext_alpha = 3\n',
        "vars.toml": 'name = "c"\nprimary = "#123456"\nvariables = 1\n',
        "colour.toml": 'name = "d"\nprimary = "#123456"\nsurface = 12\n',
    }
    for file, text in cases.items():
        (tmp_path / file).write_text(text)
    found = load_themes([tmp_path])
    assert found.themes == []
    assert sorted(w.split()[2] for w in found.warnings) == sorted(cases)


async def test_switching_theme_recolours_the_welcome_note(make_app, isolated_env):
    """The welcome note is coloured by component classes: a theme switch must reach it."""
    app = make_app(model=R1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        welcome = app.screen.query_one(Welcome)

        def title_colours() -> set[str]:
            lines = welcome.render_lines(Region(0, 0, *welcome.size))
            return {segment.style.color.triplet.hex for line in lines for segment in line
                    if segment.text.strip() == "freechat" and segment.style and segment.style.color}

        primary = Color.parse(app.theme_variables["primary"]).hex.lower()
        assert title_colours() == {primary}
        await run_command(pilot, "theme: freechat-light")
        await settle(pilot)
        light = Color.parse(app.theme_variables["primary"]).hex.lower()
        assert light != primary
        assert title_colours() == {light}


async def test_switching_theme_recolours_the_picker_tier_labels(make_app, isolated_env):
    """The tier labels are Rich text coloured from theme variables: they must be rebuilt
    with the new theme's, not the old one's (they kept the old colours)."""
    app = make_app(model=R1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        tree = app.screen.query_one("#picker-tree")

        def tier_colours() -> set[str]:
            return {str(span.style).split()[-1].lower() for node in tree.root.children
                    for span in node.label.spans if str(span.style).startswith("bold #")}

        dark = Color.parse(app.theme_variables["tier-free"]).hex.lower()
        assert dark in tier_colours()
        await run_command(pilot, "theme: freechat-light")
        await settle(pilot)
        light = Color.parse(app.theme_variables["tier-free"]).hex.lower()
        assert light != dark
        assert light in tier_colours() and dark not in tier_colours()
