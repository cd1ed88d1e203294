"""The note an empty chat shows: what freechat is and the keys that matter.

Key names come from the binding ids and the user's keymap, so a remapped key reads right.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from textual.content import Content
from textual.style import Style
from textual.widgets import Static

# binding id -> (default key, what it does), in reading order.
KEYS: tuple[tuple[str, str, str], ...] = (
    ("focus-picker", "f2", "pick a model: type to filter, Enter to choose"),
    ("send-message", "enter", "send"),
    ("insert-newline", "ctrl+j", "new line"),
    ("cancel-stream", "escape", "stop the reply"),
    ("new-chat", "ctrl+n", "new chat"),
    ("open-setup", "f3", "providers and API keys"),
    ("command-palette", "ctrl+p", "every command"),
    ("help", "f1", "all keys"),
    ("quit", "ctrl+q", "quit"),
)


def key_display(keys: str) -> str:
    """'ctrl+n,f2' -> 'Ctrl+N' (the first key, the way people write it)."""
    key = keys.split(",")[0].strip()
    names = {"escape": "Esc", "enter": "Enter", "up": "Up", "down": "Down", "tab": "Tab"}
    return "+".join(
        names.get(part, part.upper() if len(part) <= 3 else part.capitalize())
        for part in key.split("+")
    )


def bound_key(keymap: Mapping[str, str], binding_id: str, default: str) -> str:
    return key_display(keymap.get(binding_id, default))


class Welcome(Static):
    # Colours by component class, not `$variable` markup: markup with variables makes
    # Textual tokenize every theme variable on the first frame (~2 ms).
    COMPONENT_CLASSES: ClassVar[set[str]] = {"welcome--title", "welcome--key"}
    DEFAULT_CSS = """
    Welcome > .welcome--title { color: $primary; text-style: bold; }
    Welcome > .welcome--key { color: $accent; text-style: bold; }
    """

    def __init__(self, keymap: Mapping[str, str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        keys = [bound_key(keymap, bid, default) for bid, default, _ in KEYS]
        self._rows = [(key, what) for key, (_, _, what) in zip(keys, KEYS, strict=True)]

    def render(self) -> Content:
        title = Style.from_rich_style(self.get_component_rich_style("welcome--title",
                                                                    partial=True))
        key_style = Style.from_rich_style(self.get_component_rich_style("welcome--key",
                                                                        partial=True))
        width = max(len(key) for key, _ in self._rows) + 2
        parts: list[Content | tuple[str, Style] | str] = [
            ("freechat", title), " — the strongest free models, from your terminal\n",
        ]
        for key, what in self._rows:
            parts += ["\n  ", (key.ljust(width), key_style), what]
        return Content.assemble(*parts)
