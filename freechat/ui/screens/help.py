"""The help screen: how to start, then every key as it is mapped right now.

Keys are read from the live bindings of the app and of the screen help was opened over (its
widgets included), with the user's `[keymap]` applied, so a remapped key reads right. Each row
shows its binding id: that is the name to use in `config.toml [keymap]`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.dom import DOMNode
from textual.keys import format_key
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

SCREEN_NAMES = {
    "MainScreen": "Chat", "SetupScreen": "Providers and keys", "QuotaScreen": "Quota",
    "ConversationsScreen": "Conversations", "CompareScreen": "Compare",
    "LeaderboardScreen": "Leaderboard", "CompareSetupScreen": "Choose models to compare",
}
_WORDS = {"escape": "Esc", "enter": "Enter", "tab": "Tab", "space": "Space", "up": "Up",
          "down": "Down", "left": "Left", "right": "Right", "pageup": "PgUp",
          "pagedown": "PgDn", "home": "Home", "end": "End", "delete": "Del",
          "backspace": "Backspace"}


@dataclass(frozen=True)
class KeyRow:
    keys: tuple[str, ...]  # as the app reads them, e.g. ("f2", "ctrl+l")
    description: str
    binding_id: str

    @property
    def display(self) -> str:
        return " / ".join(key_label(key) for key in self.keys)


def key_label(key: str) -> str:
    """'ctrl+n' -> 'Ctrl+N', 'question_mark' -> '?', 'f1' -> 'F1'."""
    *mods, last = key.split("+")
    name = _WORDS.get(last) or (last.upper() if len(last) <= 3 else format_key(last))
    if len(name) > 1 and name[0].islower():
        name = name.capitalize()
    return "+".join([*(m.capitalize() for m in mods), name])


def rows_for(nodes: Iterable[DOMNode], keymap: Mapping[str, str]) -> list[KeyRow]:
    """One row per binding id, in declaration order, keys as mapped now.

    Reads each node's bindings and applies the keymap the way Textual does on a key press
    (`BindingsMap.apply_keymap`), so what is listed is what works.
    """
    rows: dict[str, KeyRow] = {}
    for node in nodes:
        bindings = node._bindings.copy()  # private, but the only complete, per-node view
        if keymap:
            bindings.apply_keymap(dict(keymap))
        keys_by_id: dict[str, list[str]] = {}
        described: dict[str, Binding] = {}
        for key, found in bindings.key_to_bindings.items():
            for binding in found:
                if binding.id and binding.description:
                    keys = keys_by_id.setdefault(binding.id, [])
                    if key not in keys:  # a remapped multi-key binding repeats its keys
                        keys.append(key)
                    described.setdefault(binding.id, binding)
        for binding_id, keys in keys_by_id.items():
            if binding_id not in rows:
                rows[binding_id] = KeyRow(tuple(keys), described[binding_id].description,
                                          binding_id)
    return list(rows.values())


def sections(app: App[Any], screen: Screen[Any]) -> list[tuple[str, list[KeyRow]]]:
    """("Everywhere", the app's keys), then the screen's own and its widgets' keys."""
    keymap = getattr(app, "_keymap", {})  # normalised ids -> keys, as set_keymap stored it
    ours = [node for node in screen.walk_children(with_self=False)
            if type(node).__module__.startswith("freechat.")]
    name = SCREEN_NAMES.get(type(screen).__name__, type(screen).__name__)
    result = [("Everywhere", rows_for([app], keymap))]
    screen_rows = rows_for([screen, *ours], keymap)
    if screen_rows:
        result.append((name, screen_rows))
    return result


def known_binding_ids() -> set[str]:
    """Every binding id in freechat's UI (imports all its modules: call it off the loop, and
    only when there is a keymap to check)."""
    import importlib
    import inspect
    import pkgutil

    import freechat.ui

    ids: set[str] = set()
    for info in pkgutil.walk_packages(freechat.ui.__path__, prefix="freechat.ui."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            for binding in cls.__dict__.get("BINDINGS", ()):
                if isinstance(binding, Binding) and binding.id:
                    ids.add(binding.id)
    return ids


def home_relative(path: str) -> str:
    """'~/…' for a path under the home directory: shorter, and the same on every machine."""
    try:
        return "~/" + Path(path).relative_to(Path.home()).as_posix()
    except (ValueError, RuntimeError):  # elsewhere, or no home directory
        return path


def _keys_of(rows: list[KeyRow], binding_id: str, fallback: str) -> str:
    found = next((r for r in rows if r.binding_id == binding_id), None)
    return found.display if found is not None and found.keys else fallback


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "help.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q,question_mark", "close", "Close", id="help-close"),
    ]

    def __init__(self, over: Screen[Any], *, config_file: str = "") -> None:
        super().__init__()
        self._over = over
        self._config_file = config_file

    def compose(self) -> ComposeResult:
        groups = sections(self.app, self._over)
        everything = [row for _, rows in groups for row in rows]
        with Vertical(id="help-panel"):
            yield Static("freechat · keys", id="help-title", markup=False)
            with VerticalScroll(id="help-body"):
                yield Static(self._start(everything), id="help-start")
                for title, rows in groups:
                    yield Static(title, classes="help-section", markup=False)
                    yield Static(self._table(rows), classes="help-keys")
                yield Static(self._remap_note(), id="help-remap")
            yield Static("Esc closes", id="help-hint", markup=False)

    def _start(self, rows: list[KeyRow]) -> Content:
        steps = (
            (_keys_of(rows, "open-setup", "F3"), "add a free API key (sign-up links are there)"),
            (_keys_of(rows, "focus-picker", "F2"), "pick a model: type to filter, Enter chooses"),
            (_keys_of(rows, "send-message", "Enter"), "send what you typed in the prompt"),
            (_keys_of(rows, "command-palette", "Ctrl+P"), "every command, searchable"),
        )
        parts: list[Content | tuple[str, str] | str] = [("Getting started", "bold")]
        for number, (key, what) in enumerate(steps, start=1):
            parts += [f"\n {number}. ", (key, "bold $accent"), f"  {what}"]
        return Content.assemble(*parts)

    @staticmethod
    def _table(rows: list[KeyRow]) -> Content:
        keys = max((len(r.display) for r in rows), default=0) + 2
        what = max((len(r.description) for r in rows), default=0) + 2
        parts: list[Content | tuple[str, str] | str] = []
        for row in rows:
            if parts:
                parts.append("\n")
            parts += [(row.display.ljust(keys), "bold $accent"), row.description.ljust(what),
                      (row.binding_id, "dim")]
        return Content.assemble(*parts)

    def _remap_note(self) -> Content:
        where = home_relative(self._config_file) if self._config_file else "config.toml"
        return Content.assemble(
            ("Remap any key", "bold"), f" in {where}, by the id shown in grey:\n",
            ("[keymap]\nnew-chat = \"ctrl+b\"\nopen-quota = \"f10\"", "dim"),
        )

    def action_close(self) -> None:
        self.dismiss(None)
