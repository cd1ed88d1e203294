"""FreechatApp: app-wide things only — themes, keymap, the HTTP client's lifetime, screens."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType

from freechat.core.runtime import Runtime
from freechat.ui.safe_errors import SafeErrorsMixin
from freechat.ui.screens.main import MainScreen
from freechat.ui.themes import DEFAULT_THEME, bundled_theme_dirs, load_themes, variable_defaults


class FreechatApp(SafeErrorsMixin, App[int]):
    """SafeErrorsMixin first: a crash must never print local variables (they can hold keys)."""

    CSS_PATH = "app.tcss"
    TITLE = "freechat"
    # priority: quitting must work whatever has focus (the prompt eats most keys).
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
    ]

    def __init__(
        self, runtime: Runtime, *, model: str | None = None, resume: str | None = None,
        clock: Callable[[], float] = time.monotonic, tune_gc: bool = False,
    ) -> None:
        super().__init__()
        self.runtime = runtime
        self.http_client: Any = None  # made on mount by core (the UI never imports httpx)
        self.resume_id = resume
        self._model = model
        self._clock = clock
        self._tune_gc = tune_gc
        found = load_themes([*bundled_theme_dirs(), runtime.paths.user_themes_dir])
        for theme in found.themes:
            self.register_theme(theme)
        self._startup_warnings = list(found.warnings) + list(runtime.config.warnings)
        wanted = runtime.config.theme
        if wanted and wanted not in self.available_themes:
            self._startup_warnings.append(f"theme '{wanted}' not found; using {DEFAULT_THEME}")
            wanted = None
        self.theme = wanted or DEFAULT_THEME
        self.set_keymap(runtime.config.keymap)

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return variable_defaults(self.current_theme)

    def on_mount(self) -> None:
        self.http_client = self.runtime.make_client()
        for warning in self._startup_warnings:
            self.notify(warning, title="Config", severity="warning", timeout=8, markup=False)
        if self.resume_id:
            self.notify("reopening saved conversations is not available yet",
                        title="Resume", severity="warning", markup=False)
        self.push_screen(MainScreen(self.runtime, self.http_client, model=self._model,
                                    clock=self._clock))
        if self._tune_gc:
            # Full collections of a long-lived UI heap stall streaming (PERFORMANCE.md):
            # freeze what startup built and collect less often.
            self.call_after_refresh(gc.freeze)

    async def on_unmount(self) -> None:
        if self.http_client is not None:
            await self.http_client.aclose()
            self.http_client = None


def run_app(runtime: Runtime, *, model: str | None = None, resume: str | None = None) -> int:
    """Open the app; returns the process exit code."""
    gc.set_threshold(20_000, 20, 100)
    app = FreechatApp(runtime, model=model, resume=resume, tune_gc=True)
    result = app.run()
    if isinstance(result, int):
        return result
    return app.return_code or 0
