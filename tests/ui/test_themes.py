"""Themes are data: TOML files → Textual themes, bundled and user ones, broken ones skipped."""

from __future__ import annotations

from pathlib import Path

from freechat.ui.app import FreechatApp
from freechat.ui.themes import DEFAULT_THEME, bundled_theme_dirs, load_themes
from tests.ui.conftest import R1


def test_bundled_theme_is_found():
    dirs = bundled_theme_dirs()
    assert any((d / f"{DEFAULT_THEME}.toml").is_file() for d in dirs)
    names = [t.name for t in load_themes(dirs).themes]
    assert DEFAULT_THEME in names


def test_installed_layout_is_found(tmp_path: Path):
    """In a wheel the themes sit in freechat/themes/, and no checkout is around."""
    package = tmp_path / "site-packages" / "freechat"
    (package / "themes").mkdir(parents=True)
    (package / "themes" / "wheel-only.toml").write_text('name = "wheel-only"\nprimary = "#123"\n')
    (tmp_path / "site-packages" / "themes").mkdir()  # someone else's folder: not ours
    dirs = bundled_theme_dirs(package)
    assert dirs == [package / "themes"]
    assert [t.name for t in load_themes(dirs).themes] == ["wheel-only"]


def test_broken_theme_files_are_skipped_with_a_warning(tmp_path: Path):
    (tmp_path / "a-bad.toml").write_text("name = \n")
    (tmp_path / "b-noprimary.toml").write_text('name = "x"\n')
    (tmp_path / "c-good.toml").write_text(
        'name = "mine"\nprimary = "#ff0000"\ndark = false\n[variables]\ntier-free = "#00ff00"\n'
    )
    found = load_themes([tmp_path, tmp_path / "missing"])
    assert [t.name for t in found.themes] == ["mine"]
    assert found.themes[0].dark is False
    assert found.themes[0].variables == {"tier-free": "#00ff00"}
    assert len(found.warnings) == 2 and all("skipped" in w for w in found.warnings)


async def test_app_uses_bundled_theme_and_user_theme_from_config(make_app, isolated_env: Path):
    themes = isolated_env / "themes"
    themes.mkdir(parents=True)
    (themes / "mine.toml").write_text('name = "mine"\nprimary = "#ff8800"\n')
    (isolated_env / "config.toml").write_text('theme = "mine"\n')
    app = make_app(model=R1)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.theme == "mine"
        assert DEFAULT_THEME in app.available_themes
        # freechat's own variables get defaults even in a theme that does not set them
        assert app.theme_variables["tier-free"]


async def test_unknown_theme_in_config_falls_back(make_app, isolated_env: Path):
    isolated_env.mkdir(parents=True, exist_ok=True)
    (isolated_env / "config.toml").write_text('theme = "nope"\n')
    app: FreechatApp = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.theme == DEFAULT_THEME
