"""The right-hand panel of the setup screen: one provider's facts, a password input, actions.

It renders what the screen tells it and posts `KeyPanel.ActionRequested` up; it never touches
the keyring or the network itself (the screen runs those in workers).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Static

from freechat.core.catalog import ProviderSpec
from freechat.core.keys import (
    SOURCE_ENV,
    SOURCE_FILE,
    SOURCE_KEYRING,
    SOURCE_NONE,
    SOURCE_NOT_NEEDED,
    SOURCE_SESSION,
    KeyLookup,
)
from freechat.core.secret import Secret

CHECK = "check"
SAVE = "save"
SAVE_FILE = "save-file"
DELETE = "delete"
RESULT_KINDS = ("ok", "warn", "error", "busy")


def source_label(found: KeyLookup | None) -> str:
    """Where the key comes from, with at most its last four characters."""
    if found is None:
        return "checking…"
    tail = f" {found.masked}" if found.found else ""
    labels = {
        SOURCE_ENV: f"env {found.detail}",
        SOURCE_KEYRING: "keyring",
        SOURCE_FILE: "file (insecure)",
        SOURCE_SESSION: "session only (not saved)",
        SOURCE_NONE: "missing",
        SOURCE_NOT_NEEDED: "not needed",
    }
    return labels.get(found.source, found.source) + tail


class KeyPanel(Vertical):
    @dataclass
    class ActionRequested(Message):
        """The user asked to check, save (keyring or file) or delete a key."""

        action: str  # check | save | save-file | delete
        provider_id: str
        secret: Secret | None

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.spec: ProviderSpec | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="provider-info", markup=False)
        yield Input(password=True, placeholder="paste the API key here", id="key-input")
        with Grid(id="key-buttons"):
            yield Button("Check", id=CHECK)
            yield Button("Save", id=SAVE, variant="primary")
            yield Button("To file (insecure)", id=SAVE_FILE)
            yield Button("Delete", id=DELETE, variant="error")
        yield Static("", id="key-result", markup=False)

    def on_mount(self) -> None:
        if self.app.is_headless:  # deterministic screenshots
            self.query_one(Input).cursor_blink = False

    # --- attributes down -------------------------------------------------------------------
    def show(self, spec: ProviderSpec, found: KeyLookup | None, *,
             account_id: str | None = None) -> None:
        """`account_id`: for providers that need one in the URL (Cloudflare), as resolved."""
        changed = self.spec is None or self.spec.id != spec.id
        self.spec = spec
        lines = [f"{spec.name}  ({spec.tier})"]
        if spec.free_tier:
            lines.append(f"Free tier: {spec.free_tier}")
        if spec.signup_url:
            lines.append(f"Get a key: {spec.signup_url}")
        lines.append(f"Key: {source_label(found)}")
        if found is not None and found.source == SOURCE_ENV:
            lines.append(f"{found.detail} wins over a saved key; change it in your shell")
        if spec.account_envs:
            lines.append(f"Account id: {account_id}" if account_id else
                         f"Account id: not set; set {spec.account_envs[-1]} or account_id "
                         f"under [providers.{spec.id}] in the config file")
        if not spec.needs_key:
            lines.append("Usable without a key.")
        self.query_one("#provider-info", Static).update("\n".join(lines))
        key_input = self.query_one(Input)
        key_input.disabled = not spec.needs_key
        for button in self.query(Button):
            button.disabled = not spec.needs_key
        if changed:
            key_input.value = ""
            self.report("")

    def report(self, text: str, kind: str = "ok") -> None:
        result = self.query_one("#key-result", Static)
        result.update(text)
        for name in RESULT_KINDS:
            result.set_class(bool(text) and name == kind, f"-{name}")

    def clear_key(self) -> None:
        self.query_one(Input).value = ""

    def focus_key(self) -> None:
        self.query_one(Input).focus()

    # --- messages up -----------------------------------------------------------------------
    def _request(self, action: str) -> None:
        if self.spec is None:
            return
        secret = None
        if action != DELETE:
            text = self.query_one(Input).value.strip()
            if not text:
                self.report("Paste a key first.", "error")
                return
            if any(ch.isspace() for ch in text):
                self.report("That key contains spaces; paste exactly one key.", "error")
                return
            secret = Secret(text)
        self.post_message(self.ActionRequested(action, self.spec.id, secret))

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id:
            self._request(event.button.id)

    @on(Input.Submitted, "#key-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._request(SAVE)
