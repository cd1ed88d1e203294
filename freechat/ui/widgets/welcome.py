"""The note an empty chat shows: what freechat is and the keys that matter.

Key names come from the binding ids and the user's keymap, so a remapped key reads right.
"""

from __future__ import annotations

from collections.abc import Mapping

from textual.content import Content
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
    def __init__(self, keymap: Mapping[str, str], *, id: str | None = None) -> None:
        rows = [bound_key(keymap, bid, default) for bid, default, _ in KEYS]
        width = max(len(row) for row in rows) + 2
        parts: list[Content | tuple[str, str] | str] = [
            ("freechat", "bold $primary"), " — the strongest free models, from your terminal\n",
        ]
        for key, (_, _, what) in zip(rows, KEYS, strict=True):
            parts += ["\n  ", (key.ljust(width), "bold $accent"), what]
        super().__init__(Content.assemble(*parts), id=id)
