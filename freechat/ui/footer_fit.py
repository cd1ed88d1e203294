"""Which keys the footer shows at each terminal width, so that it never cuts a key mid-word.

Below WIDE the app's own screen keys leave the footer; below NARROW the chat screen keeps only
its essentials. Every key still works, and the help screen (F1) and the palette list them all.
Textual reads `Binding.show` from each node's bindings map, so the fitter swaps in copies with
`show` switched off, keeping the originals to restore when the terminal grows again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from textual.binding import Binding, BindingsMap

WIDE = 120
NARROW = 90
WIDE_ONLY = frozenset({"quit", "open-setup", "open-conversations"})
NARROW_KEEP = frozenset({"send-message", "focus-picker", "new-chat", "cancel-stream",
                         "cancel-edit", "help"})


def shown(binding: Binding, width: int) -> bool:
    if not binding.show or width >= WIDE:
        return binding.show
    if binding.id in WIDE_ONLY:
        return False
    return width >= NARROW or binding.id in NARROW_KEEP


class FooterFitter:
    def __init__(self) -> None:
        self._originals: dict[int, tuple[Any, BindingsMap]] = {}

    def fit(self, nodes: Iterable[Any], width: int) -> None:
        """Set what `nodes` (the app, the chat screen) show in the footer at `width`."""
        for node in nodes:
            _, original = self._originals.setdefault(id(node), (node, node._bindings.copy()))
            fitted = node._bindings.key_to_bindings
            for key, bindings in original.key_to_bindings.items():
                fitted[key] = [
                    b if shown(b, width) == b.show else replace(b, show=shown(b, width))
                    for b in bindings
                ]
