"""What the app does in the background once the main screen's first frame is up: open the
shared quota book, find where each provider's key comes from, look for local model servers,
and open the setup screen when nothing is usable yet (a first run). Also saves settings
changed in the app.

Nothing here delays the first frame: file and keyring work runs in threads, probes in async
workers. The book and guard are attributes so that every screen uses the same one.
"""

from __future__ import annotations

import asyncio
import threading
from typing import TYPE_CHECKING, Any

from textual import work

from freechat.core.errors import FreechatError
from freechat.ui import gc_tuning

if TYPE_CHECKING:  # keys load with the first lookup, after the first frame
    from freechat.core.keys import KeyLookup

_SETTINGS_LOCK = threading.Lock()


class StartupMixin:
    """Mixed into FreechatApp (which provides runtime, http_client, notify, workers)."""

    runtime: Any
    http_client: Any
    wall_clock: Any
    quota_book: Any = None  # core.quota.QuotaBook, once opened
    quota_guard: Any = None  # core.retry.QuotaGuard sharing that book
    key_sources: dict[str, KeyLookup]
    local_servers: list[Any] | None = None  # core.local_detect.LocalServer, once probed
    _quota_ready: asyncio.Event

    def init_background(self) -> None:
        """Before anything can ask for the book or the keys (main_screen_shown starts them)."""
        self.key_sources = {}
        self._quota_ready = asyncio.Event()
        self._background_started = False

    def main_screen_shown(self) -> None:
        """After the main screen's first frame, never before: threads (the quota book's file,
        the keyring, the HTTP client's TLS setup) would take the GIL from that frame."""
        if self._background_started:
            return
        self._background_started = True
        app: Any = self
        app.themes_after_first_frame()
        self._open_quota()
        self._check_providers()  # keys, local servers, first-run setup
        if self.runtime.config.keymap:
            self._check_keymap()
        app.run_worker(self.http_client.warm, thread=True, exit_on_error=False)
        if app.tune_gc:
            # Full collections of a long-lived UI heap stall streaming (PERFORMANCE.md):
            # freeze what startup built and collect less often.
            app.call_after_refresh(gc_tuning.freeze)

    async def quota(self) -> tuple[Any, Any]:
        """(book, guard) once the book is open; (None, None) when it could not be."""
        await self._quota_ready.wait()
        return self.quota_book, self.quota_guard

    @work(group="quota-book", exit_on_error=False)
    async def _open_quota(self) -> None:
        from freechat.core.quota import open_book
        from freechat.core.retry import QuotaGuard

        try:
            book = await asyncio.to_thread(open_book, self.runtime, clock=self.wall_clock)
            self.quota_book, self.quota_guard = book, QuotaGuard.from_settings(book)
        except (FreechatError, OSError, ValueError) as error:  # figures are a convenience
            app: Any = self
            app.notify(f"quota figures unavailable: {error}", title="Quota",
                       severity="warning", markup=False)
        finally:
            self._quota_ready.set()

    async def stop_background(self) -> None:
        if self.quota_book is not None:
            await self.quota_book.aflush()  # never raises: the book keeps its own errors

    # --- keys, local servers, first run ------------------------------------------------------
    async def refresh_keys(self) -> dict[str, KeyLookup]:
        """Where each provider's key comes from now (the keyring can block: in a thread)."""
        runtime = self.runtime
        specs = [runtime.spec(pid) for pid in runtime.config.all_provider_ids()]
        entries = await asyncio.to_thread(runtime.keys.entries, specs)
        self.key_sources = {spec.id: found for spec, found in entries}
        return self.key_sources

    @work(group="providers", exit_on_error=False)
    async def _check_providers(self) -> None:
        app: Any = self
        keys = await self.refresh_keys()
        with_key = [found for found in keys.values() if found.found]
        if not with_key:
            from freechat.core.local_detect import detect_local_servers

            self.local_servers = await detect_local_servers(
                self.http_client, self.runtime.config, self.runtime.environ)
            if not self.local_servers:
                app.first_run()
                return
        notice = await asyncio.to_thread(self.runtime.keys.take_notice)
        from freechat.core.keys import SOURCE_ENV

        if notice and any(found.source != SOURCE_ENV for found in with_key):
            app.notify(notice, title="Keyring", severity="warning", timeout=10, markup=False)

    @work(thread=True, group="keymap-check", exit_on_error=False)
    def _check_keymap(self) -> None:
        """A mistyped id in `[keymap]` would silently do nothing: say so, once."""
        from freechat.ui.screens.help import known_binding_ids

        app: Any = self
        unknown = sorted(set(self.runtime.config.keymap) - known_binding_ids())
        if unknown:
            app.notify(f"[keymap] has no binding called {', '.join(unknown)}; the help screen "
                       f"({app.key_label('help')}) lists every id", title="Config",
                       severity="warning", timeout=10, markup=False)

    # --- settings ----------------------------------------------------------------------------
    def save_setting(self, name: str, value: Any) -> None:
        """Write one top-level config setting (re-reading the file first), in a thread."""
        self._save_setting(name, value)

    @work(thread=True, group="save-setting", exit_on_error=False)
    def _save_setting(self, name: str, value: Any) -> None:
        from freechat.core.config import update_setting

        app: Any = self
        path = self.runtime.config.path or self.runtime.paths.config_file
        try:
            with _SETTINGS_LOCK:  # two quick changes: the last one written is the latest
                latest = getattr(self.runtime.config, name, value)
                update_setting(path, name, latest)  # comments and layout kept
        except FreechatError as error:
            app.notify(f"{name} not saved: {error.one_line()}", title="Config",
                       severity="warning", markup=False)
        except OSError as error:
            app.notify(f"{name} not saved: {path}: {error.strerror}", title="Config",
                       severity="warning", markup=False)
