"""A minimal app that shows the setup screen alone (it must work without the main app)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Static

from freechat.core.runtime import Runtime
from freechat.ui.safe_errors import SafeErrorsMixin
from freechat.ui.screens.setup import SetupScreen


class SetupTestApp(SafeErrorsMixin, App[None]):
    def __init__(self, runtime: Runtime, provider_id: str | None = None) -> None:
        super().__init__()
        self.runtime = runtime
        self.provider_id = provider_id
        self.changes: list[SetupScreen.KeyChanged] = []
        self.dismissed: list[bool | None] = []

    def compose(self) -> ComposeResult:
        yield Static("home", id="home")

    def on_mount(self) -> None:
        self.push_screen(SetupScreen(self.runtime, provider_id=self.provider_id),
                         self.dismissed.append)

    def on_setup_screen_key_changed(self, event: SetupScreen.KeyChanged) -> None:
        self.changes.append(event)
