"""Parsed stylesheets are kept between runs (ui/css_cache.py): the next start skips Textual's
CSS parsing, looks exactly the same, and a cache file that is stale, foreign, corrupt or
hostile is ignored without running anything from it."""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any

import pytest
import textual.css.stylesheet as textual_stylesheet

from freechat.core.paths import Paths
from freechat.ui.css_cache import FILE_NAME, ParsedCssCache
from freechat.ui.screens.main import MainScreen
from tests.ui.conftest import R1
from tests.ui.pilot import until


def _styles(screen: MainScreen) -> dict[str, list[str]]:
    return {repr(node): [node.styles.css] + [node.get_component_styles(name).css
                                             for name in sorted(node.COMPONENT_CLASSES)]
            for node in [screen, *screen.walk_children()]}


async def _first_frame(make_app, monkeypatch) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Run the app to its first frame: the styles then, what it looked like, and how many
    stylesheets Textual had to parse on the way."""
    seen: dict[str, Any] = {}
    parses: list[str] = []
    parse = textual_stylesheet.parse

    def counting_parse(*args: Any, **kwargs: Any) -> Any:
        parses.append(str(args[2]))
        return parse(*args, **kwargs)

    shown = MainScreen._first_frame_shown

    def capture(screen: MainScreen) -> None:
        seen.update(styles=_styles(screen), picture=screen.app.export_screenshot(),
                    parsed=list(parses))
        shown(screen)

    monkeypatch.setattr(textual_stylesheet, "parse", counting_parse)
    monkeypatch.setattr(MainScreen, "_first_frame_shown", capture)
    app = make_app(model=R1)
    cache_file = Paths.from_env().cache_dir / FILE_NAME
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: "styles" in seen and cache_file.is_file(), "the cache file")
    return seen


async def test_the_second_start_parses_no_css_and_looks_the_same(make_app, isolated_env,
                                                                monkeypatch):
    cold = await _first_frame(make_app, monkeypatch)
    assert len(cold["parsed"]) > 10  # the app's files and every widget's DEFAULT_CSS
    warm = await _first_frame(make_app, monkeypatch)
    assert warm["parsed"] == []
    assert warm["styles"] == cold["styles"]
    assert warm["picture"] == cold["picture"]


def _cache_with_rules(tmp_path: Path, variables: dict[str, str]) -> ParsedCssCache:
    """A cache file holding the rules of one small stylesheet."""
    sheet = textual_stylesheet.Stylesheet(variables=variables)
    sheet.add_source("Screen { background: $primary; } .x > #y:focus { color: red; }",
                     read_from=("test.tcss", ""))
    sheet.parse()
    cache = ParsedCssCache(tmp_path, variables)
    entries = cache.new_entries(sheet._parse_cache)
    assert entries
    cache.save(entries)
    assert cache.path.is_file() and cache.path.stat().st_mode & 0o777 == 0o600
    return cache


class _Recorder:
    """Stands in for Textual's parse cache."""

    def __init__(self) -> None:
        self.entries: dict[object, object] = {}

    def set(self, key: object, value: object) -> None:
        self.entries[key] = value

    def get(self, key: object) -> object:
        return self.entries.get(key)

    def keys(self) -> list[object]:
        return list(self.entries)


VARIABLES = {"primary": "#004578"}


def test_a_file_for_the_same_variables_is_used(tmp_path: Path):
    _cache_with_rules(tmp_path, VARIABLES)
    into = _Recorder()
    assert ParsedCssCache(tmp_path, VARIABLES).load_into(into) == 1
    (rules,) = into.entries.values()
    assert [str(rule.selector_set[0]) for rule in rules]  # real RuleSets came back


def test_a_file_parsed_with_other_theme_variables_is_not_used(tmp_path: Path):
    _cache_with_rules(tmp_path, VARIABLES)
    into = _Recorder()
    assert ParsedCssCache(tmp_path, {"primary": "#ff0000"}).load_into(into) == 0
    assert into.entries == {}


def test_a_file_others_can_write_is_not_used(tmp_path: Path):
    cache = _cache_with_rules(tmp_path, VARIABLES)
    os.chmod(cache.path, 0o666)
    assert ParsedCssCache(tmp_path, VARIABLES).load_into(_Recorder()) == 0


@pytest.mark.parametrize("payload", [b"", b"not a pickle", pickle.dumps(("header", []))[:-3]])
def test_a_corrupt_file_is_not_used(tmp_path: Path, payload: bytes):
    cache = _cache_with_rules(tmp_path, VARIABLES)
    cache.path.write_bytes(payload)
    assert ParsedCssCache(tmp_path, VARIABLES).load_into(_Recorder()) == 0


class _Hostile:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (os.system, (f"touch {self.marker}",))


class _Sneaky:
    """Reaches for a module through an attribute of a container."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (getattr, ({}, "__class__"))


@pytest.mark.parametrize("make", [_Hostile, lambda marker: _Sneaky()])
def test_a_hostile_file_runs_nothing(tmp_path: Path, make):  # type: ignore[no-untyped-def]
    cache = _cache_with_rules(tmp_path, VARIABLES)
    marker = tmp_path / "ran"
    header = cache._header()
    cache.path.write_bytes(pickle.dumps((header, [(("k",), make(marker))])))
    os.chmod(cache.path, 0o600)
    into = _Recorder()
    assert ParsedCssCache(tmp_path, VARIABLES).load_into(into) == 0
    assert not marker.exists() and into.entries == {}
