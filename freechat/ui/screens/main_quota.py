"""The main screen's quota side: the quota bar, dimmed exhausted models, the warning before
sending to one, and the free-only fallback when a model hits its limit (core/fallback.py).

Mixed into MainScreen. The QuotaBook and guard are the app's shared ones (`await
app.quota()`); an app without them (tests, embedding) gets its own, opened in a thread.
Reading the book is in-memory and cheap, so the bar and the picker refresh on the loop.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

from textual import work

from freechat.core.errors import FreechatError
from freechat.core.models import ModelRef
from freechat.ui.widgets.quota_bar import QuotaBar, bar_state

if TYPE_CHECKING:
    from freechat.core.quota import QuotaBook, QuotaWindow
    from freechat.core.retry import QuotaGuard
    from freechat.core.session import Reply
    from freechat.core.throttle import Throttled

# Below, the fallback rules (core/fallback.py) and the conversation modes load when first
# needed: the quota book they work on only opens after the first frame.

KEY_LOOKUP_TIMEOUT = 10.0


def back_when(window: QuotaWindow, now: float | None = None) -> str:
    """When a used-up window refills, as a reader wants it: "back 14:05" (local time)."""
    if window.resets_at is None:
        return "used up"
    now = time.time() if now is None else now
    moment = datetime.fromtimestamp(window.resets_at).astimezone()
    if window.resets_at - now < 20 * 3600:
        return f"back {moment:%H:%M}"
    return f"back {moment:%a %H:%M}"


class QuotaFlow:
    """Needs from the screen: app, runtime, model, picker, notify, send, set_model."""

    _guard: QuotaGuard | None = None
    _own_guard: asyncio.Task[QuotaGuard | None] | None = None
    fallback_offer: tuple[ModelRef, str] | None = None
    _tried: set[ModelRef]
    local_providers: set[str]

    # --- the book --------------------------------------------------------------------------
    async def quota_guard(self) -> QuotaGuard | None:
        """The app's shared guard once its book is open; our own if the app has none."""
        screen: Any = self
        shared = getattr(screen.app, "quota", None)
        if callable(shared):
            try:
                _, guard = await shared()
            except (AttributeError, FreechatError, OSError):
                guard = None
            if guard is not None:
                self._guard = guard
                return guard
        if self._own_guard is None:
            from freechat.core.compare_quota import open_guard

            self._own_guard = asyncio.ensure_future(asyncio.to_thread(open_guard, screen.runtime))
        self._guard = await self._own_guard
        return self._guard

    @property
    def quota_book(self) -> QuotaBook | None:
        return self._guard.book if self._guard is not None else None

    def quota_now(self) -> float:
        """The book's clock (countdowns must agree with its reset times)."""
        book = self.quota_book
        return book.now() if book is not None else time.time()

    @work(group="quota-open", exit_on_error=False)
    async def _load_quota(self) -> None:
        await self.quota_guard()
        self.refresh_quota()

    def _tiers(self) -> dict[str, str]:
        screen: Any = self
        config = screen.runtime.config
        return {pid: spec.tier for pid in config.all_provider_ids()
                if (spec := config.provider_spec(pid)) is not None}

    # --- showing it ------------------------------------------------------------------------
    @property
    def quota_bar(self) -> QuotaBar:
        screen: Any = self
        return screen.query_one("#quota-bar", QuotaBar)

    def refresh_quota(self) -> None:
        """The bar for the current model and the picker's dimmed models, from the book."""
        screen: Any = self
        book = self.quota_book
        if book is None or not screen.is_mounted:
            return
        from freechat.core.fallback import exhausted_models

        tiers = self._tiers()
        model: ModelRef | None = screen.model
        if model is not None:
            others = [p for p in tiers if p != model.provider and book.has_data(p)]
            active, rest = bar_state(book, model.provider, model.model, tiers, others)
            self.quota_bar.snapshot, self.quota_bar.others = active, rest
        models = [m for m in screen.picker.known_models() if book.has_data(m.ref.provider)]
        found = exhausted_models(book, models, tiers)
        now = book.now()
        screen.picker.set_exhausted({ref: back_when(w, now) for ref, w in found.items()})

    def show_waiting(self, event: Throttled | None) -> None:
        self.quota_bar.waiting = event

    def exhausted_note(self, ref: ModelRef) -> str | None:
        """"openrouter: requests/day used up (back 14:05)" if `ref` cannot be served now."""
        from freechat.core.fallback import exhausted_window

        book = self.quota_book
        window = None if book is None else exhausted_window(book, ref, self._tiers().get(
            ref.provider, ""))
        if window is None:
            return None
        return f"{ref.provider}: {window.name} used up ({back_when(window, self.quota_now())})"

    # --- fallback --------------------------------------------------------------------------
    def after_reply(self, ref: ModelRef, prompt: str, reply: Reply) -> None:
        """A reply ended: on a rate limit or quota error with nothing received, look for the
        next free model (offer it, or with `auto_fallback` switch to it)."""
        from freechat.core.fallback import triggers_fallback

        self.refresh_quota()
        if reply.text or not triggers_fallback(reply.error):
            return
        self._tried.add(ref)
        self._fallback(ref, prompt, reply.error)

    @work(group="fallback", exclusive=True, exit_on_error=False)
    async def _fallback(self, ref: ModelRef, prompt: str, error: Any) -> None:
        from freechat.core.conversation import MODE_REGENERATE
        from freechat.core.fallback import next_fallback

        screen: Any = self
        chain = await self._chain(ref)
        target = next_fallback(chain, self._tried)
        if screen.streaming:  # the user moved on meanwhile
            return
        why = error.title.lower() if isinstance(error, FreechatError) else "rate limited"
        if target is None:
            screen.notify("no other free model with quota left to switch to",
                          title="No fallback", severity="warning", timeout=6, markup=False)
            return
        if screen.runtime.config.auto_fallback:
            screen.notify(f"{ref} {why}: switched to {target}", title="Fallback",
                          timeout=8, markup=False)
            screen.set_model(target)
            screen.send(target, prompt, MODE_REGENERATE)
            return
        self.fallback_offer = (target, prompt)
        key = screen.key_label("use-fallback", "ctrl+f")
        screen.notify(f"{key}: ask {target} instead", title=f"Fallback ({why})", timeout=10,
                      markup=False)
        screen.refresh_bindings()

    def take_fallback(self) -> None:
        screen: Any = self
        if self.fallback_offer is None or screen.streaming:
            return
        from freechat.core.conversation import MODE_REGENERATE

        target, prompt = self.fallback_offer
        self.fallback_offer = None
        screen.notify(f"switched to {target}", title="Fallback", timeout=5, markup=False)
        screen.set_model(target)
        screen.send(target, prompt, MODE_REGENERATE)

    async def _chain(self, current: ModelRef) -> list[ModelRef]:
        from freechat.core.fallback import exhausted_window, fallback_chain

        screen: Any = self
        book = self.quota_book
        tiers = self._tiers()
        usable = await self._usable_providers()
        return fallback_chain(
            screen.runtime.config.fallback, current, screen.picker.known_models(),
            usable=usable.__contains__, provider_tiers=tiers,
            blocked=lambda r: book is not None and exhausted_window(
                book, r, tiers.get(r.provider, "")) is not None)

    async def _usable_providers(self) -> set[str]:
        """Providers with a key (the keyring may block: in a thread), or a local server seen."""
        screen: Any = self
        runtime = screen.runtime

        def with_keys() -> set[str]:
            found = set()
            for pid in runtime.config.all_provider_ids():
                spec = runtime.spec(pid)
                if spec.needs_key and runtime.keys.lookup(spec).found:
                    found.add(pid)
            return found

        try:
            keyed = await asyncio.wait_for(asyncio.to_thread(with_keys), KEY_LOOKUP_TIMEOUT)
        except (TimeoutError, FreechatError):
            keyed = set()
        return keyed | set(self.local_providers)
