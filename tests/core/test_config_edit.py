"""A setting saved from the app edits config.toml in place: comments and layout survive."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from freechat.core.config import load_config, update_setting
from freechat.core.config_edit import set_top_level
from freechat.core.errors import ConfigError

COMMENTED = """\
# my freechat settings
theme = "freechat-dark"  # dark at night
default_model = "openrouter/x:free"

# keys I remapped
[keymap]
new-chat = "ctrl+b"  # ctrl+n is my terminal's
"""


def test_an_existing_setting_changes_on_its_own_line_and_keeps_its_comment():
    edited = set_top_level(COMMENTED, "theme", "freechat-light")
    assert edited == COMMENTED.replace('"freechat-dark"', '"freechat-light"')


def test_a_new_setting_goes_after_the_top_level_lines_not_into_a_table():
    text = COMMENTED.replace('theme = "freechat-dark"  # dark at night\n', "")
    edited = set_top_level(text, "theme", "nord")
    assert edited is not None
    assert edited.splitlines()[:3] == [
        "# my freechat settings", 'default_model = "openrouter/x:free"', 'theme = "nord"']
    assert "# keys I remapped" in edited and 'new-chat = "ctrl+b"  # ctrl+n' in edited
    assert tomllib.loads(edited)["keymap"] == {"new-chat": "ctrl+b"}


@pytest.mark.parametrize(("text", "expected"), [
    ("", 'theme = "nord"\n'),
    ("# only a comment", '# only a comment\ntheme = "nord"\n'),
    ('[keymap]\nhelp = "f1"\n', 'theme = "nord"\n\n[keymap]\nhelp = "f1"\n'),
    ('theme = "a"\r\n[keymap]\r\nhelp = "f1"\r\n', 'theme = "nord"\r\n[keymap]\r\nhelp = "f1"\r\n'),
    ("'theme' = 'a'  # quoted key\n", 'theme = "nord"  # quoted key\n'),
    ('theme = "a # not a comment"\n', 'theme = "nord"\n'),
    ('theme = "say \\"#\\""  # real\n', 'theme = "nord"  # real\n'),
])
def test_edge_layouts(text: str, expected: str):
    assert set_top_level(text, "theme", "nord") == expected


def test_what_cannot_be_edited_in_place_is_refused_not_saved_wrong():
    multiline = 'theme = """\nfreechat-dark"""\n'
    assert set_top_level(multiline, "theme", "nord") is None
    assert set_top_level("theme = = broken", "theme", "nord") is None


def test_update_setting_keeps_the_users_file_and_falls_back_when_it_must(tmp_path: Path):
    path = tmp_path / "config.toml"
    path.write_text(COMMENTED, "utf-8")
    update_setting(path, "theme", "freechat-light")
    assert path.read_text("utf-8") == COMMENTED.replace('"freechat-dark"', '"freechat-light"')
    assert load_config(path).theme == "freechat-light"

    path.write_text('theme = """\nfreechat-dark"""\nmystery = 1\n', "utf-8")
    update_setting(path, "theme", "nord")  # rewritten whole: still right, unknown keys kept
    assert tomllib.loads(path.read_text("utf-8")) == {"theme": "nord", "mystery": 1}

    missing = tmp_path / "new" / "config.toml"
    update_setting(missing, "theme", "nord")
    assert tomllib.loads(missing.read_text("utf-8")) == {"theme": "nord"}


def test_a_broken_file_is_an_error_and_is_left_alone(tmp_path: Path):
    path = tmp_path / "config.toml"
    path.write_text("theme = = broken\n", "utf-8")
    with pytest.raises(ConfigError):
        update_setting(path, "theme", "nord")
    assert path.read_text("utf-8") == "theme = = broken\n"
