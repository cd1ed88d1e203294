"""One line under the prompt: the current model, its tier, where its key comes from, and
what the reply is doing ("waiting for first token (12 s)").

The parent sets what to show; the bar only renders it. The quota bar is not part of this
widget: it mounts into the screen's `#quota-slot`, just above.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

if TYPE_CHECKING:
    from freechat.core.keys import KeyLookup
    from freechat.core.session import Reply

TIER_LABELS = {
    "free": "free", "trial-credit": "trial", "paid": "paid", "local": "local",
    "keyless": "free",
}
_TIER_CLASSES = {"free": "-free", "trial": "-trial", "paid": "-paid", "local": "-local"}


def tier_label(tier: str) -> str:
    return TIER_LABELS.get(tier, tier)


def key_source_text(found: KeyLookup, env_hint: str) -> tuple[str, bool]:
    """(text, ok): where the key comes from, never the key itself."""
    from freechat.core.keys import (  # keys load after the first frame, with the lookups
        SOURCE_ENV,
        SOURCE_FILE,
        SOURCE_KEYRING,
        SOURCE_NONE,
        SOURCE_NOT_NEEDED,
        SOURCE_SESSION,
    )

    if found.source == SOURCE_ENV:
        return f"key: env {found.detail}", True
    if found.source == SOURCE_KEYRING:
        return "key: OS keyring", True
    if found.source == SOURCE_SESSION:
        return "key: this session only", True
    if found.source == SOURCE_FILE:
        return "key: key file", True
    if found.source == SOURCE_NOT_NEEDED:
        return "no key needed", True
    if found.source == SOURCE_NONE:
        return f"no key (set {env_hint})", False
    return f"key: {found.source}", True


def streaming_state(reply: Reply, seconds: int, keepalives: int) -> str:
    """What the reply is doing, for the status line."""
    if reply.first_token_at is None:
        busy = " · provider busy" if keepalives else ""
        return f"waiting for first token ({seconds} s{busy})"
    if reply.text_parts:
        return f"streaming ({seconds} s)"
    return f"thinking ({seconds} s)"


class StatusBar(Horizontal):
    def compose(self) -> ComposeResult:
        yield Static("no model — press F2 to pick one", id="status-model", markup=False)
        yield Static("", id="status-tier", markup=False)
        yield Static("", id="status-key", markup=False)
        yield Static("ready", id="status-state", markup=False)

    def show_model(self, ref: str | None, tier: str | None, *, picker_key: str = "F2") -> None:
        model = self.query_one("#status-model", Static)
        model.update(ref or f"no model — press {picker_key} to pick one")
        model.set_class(ref is None, "-none")
        self.show_tier(tier)
        self.show_key("", True)

    def show_tier(self, tier: str | None) -> None:
        badge = self.query_one("#status-tier", Static)
        label = tier_label(tier) if tier else ""
        badge.update(f" {label} " if label else "")
        for css in _TIER_CLASSES.values():
            badge.remove_class(css)
        if label in _TIER_CLASSES:
            badge.add_class(_TIER_CLASSES[label])

    def show_key(self, text: str, ok: bool) -> None:
        key = self.query_one("#status-key", Static)
        key.update(text)
        key.set_class(not ok, "-missing")

    def show_state(self, text: str, *, busy: bool = False) -> None:
        if getattr(self, "_shown_state", None) == (text, busy):
            return  # called per streamed token: an unchanged line must cost no layout
        self._shown_state = (text, busy)
        state = self.query_one("#status-state", Static)
        state.update(text)
        state.set_class(busy, "-busy")
