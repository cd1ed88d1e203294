"""The main screen: model picker | chat, then the prompt, the quota bar and the status bar.

The screen coordinates: it handles the widgets' messages, owns the chat worker, the
`ChatSession` and the saved conversation (`ChatLog`), and sets what the widgets show. The
turn itself is in main_chat.py, quota and fallback in main_quota.py, opening conversations
and the older messages in main_history.py. Network work runs in async workers; key lookups
and file work run in threads.

Public, for the app (palette, conversations screen): `open_conversation(id)`, `new_chat()`,
`set_model(ref)`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import Footer

from freechat.core.errors import FreechatError, UsageError
from freechat.core.model_directory import ModelDirectory
from freechat.core.models import ModelInfo, ModelRef
from freechat.core.runtime import Runtime
from freechat.ui.screens.main_chat import ChatFlow
from freechat.ui.screens.main_history import HistoryFlow
from freechat.ui.screens.main_quota import QuotaFlow
from freechat.ui.screens.main_support import (
    detect_local,
    load_models,
    lookup_key,
    shown_providers,
)
from freechat.ui.widgets.chat_view import ChatView
from freechat.ui.widgets.model_picker import ModelPicker, ProviderEntry
from freechat.ui.widgets.prompt import PromptInput
from freechat.ui.widgets.quota_bar import QuotaBar
from freechat.ui.widgets.status_bar import StatusBar, key_source_text
from freechat.ui.widgets.welcome import Welcome, bound_key

if TYPE_CHECKING:  # loaded with the first chat, not on the way to the first frame
    from freechat.core.session import ChatSession, Reply
    from freechat.core.store import ConversationStore
    from freechat.core.throttle import Throttled


class MainScreen(ChatFlow, QuotaFlow, HistoryFlow, Screen[None]):
    AUTO_FOCUS = "#prompt"  # focused as it mounts: no second focus change (and restyle)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2,ctrl+l", "focus_picker", "Models", id="focus-picker"),
        Binding("ctrl+n", "new_chat", "New chat", id="new-chat"),
        Binding("escape", "cancel_stream", "Stop", id="cancel-stream"),
        Binding("escape", "cancel_edit", "Cancel edit", id="cancel-edit"),
        Binding("escape", "focus_prompt", "Prompt", id="focus-prompt", show=False),
        Binding("ctrl+r", "regenerate", "Regenerate", id="regenerate-reply"),
        Binding("ctrl+g", "edit_prompt", "Edit last", id="edit-prompt"),
        Binding("ctrl+f", "fallback", "Use fallback", id="use-fallback"),
        Binding("ctrl+t", "copy", "Copy", id="copy-message"),
        Binding("ctrl+s", "system_prompt", "System prompt", id="system-prompt", show=False),
    ]

    streaming: var[bool] = var(False)
    editing: var[bool] = var(False)

    def __init__(
        self, runtime: Runtime, client: Any, *, model: str | None = None,
        resume: str | None = None, clock: Callable[[], float] = time.monotonic,
        store: Callable[[], ConversationStore] | None = None,
    ) -> None:
        """`store` makes the conversation store (the app shares one), when first needed."""
        super().__init__()
        self.runtime = runtime
        self.client = client  # the app's HTTP client, opaque here (the UI never imports httpx)
        self.directory = ModelDirectory(runtime)
        self._store = store
        self.model: ModelRef | None = None
        self.session: ChatSession | None = None
        self.pending_history = []
        self._initial_model = model
        self._resume = resume
        self._clock = clock
        self._reply: Reply | None = None
        self._waiting: Throttled | None = None
        self._started = 0.0
        self._keepalives = 0
        self._tried: set[ModelRef] = set()
        self._confirmed: tuple[ModelRef, str] | None = None  # sent despite used-up quota
        self.local_providers: set[str] = set()  # local servers that answered
        self._shown = False  # the first frame is up (see _first_frame_shown)

    # --- layout --------------------------------------------------------------------------
    def key_label(self, binding_id: str, default: str) -> str:
        return bound_key(self.runtime.config.keymap, binding_id, default)

    def compose(self) -> ComposeResult:
        with Horizontal(id="body"):
            yield ModelPicker(shown_providers(self.runtime, self._initial_model),
                              self._load_models,
                              cached=self.directory.cached, id="picker")
            with Vertical(id="chat-pane"):
                yield ChatView(Welcome(self.runtime.config.keymap, id="welcome"), id="chat")
                yield PromptInput(placeholder="Ask anything…", id="prompt")
        with Vertical(id="quota-slot"):
            yield QuotaBar(id="quota-bar", clock=self.quota_now)
        yield StatusBar(id="status")
        yield Footer()

    @property
    def picker(self) -> ModelPicker:
        return self.query_one(ModelPicker)

    @property
    def prompt(self) -> PromptInput:
        return self.query_one(PromptInput)

    @property
    def status(self) -> StatusBar:
        return self.query_one(StatusBar)

    @property
    def chat(self) -> ChatView:
        return self.query_one(ChatView)

    def on_mount(self) -> None:
        self.status.show_model(None, None, picker_key=self.key_label("focus-picker", "f2"))
        ref: ModelRef | None = None
        try:
            if self._initial_model or self.runtime.environ.get("FREECHAT_MODEL") or (
                self.runtime.config.default_model
            ):
                ref = self.runtime.resolve_model(self._initial_model)
        except UsageError as error:
            self.notify(error.one_line(), title="Model", severity="error", timeout=8, markup=False)
        if ref is not None:
            self.set_model(ref)
        self.prompt.focus()
        self.call_after_refresh(self._first_frame_shown)
        if self._resume:
            self._open(self._resume, keep_model=ref is not None and bool(self._initial_model))

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        # The first resume is the screen's first showing, and every widget was styled as it
        # mounted: Textual's restyle of the whole screen here would only delay the first frame.
        if not self._shown:
            event.refresh_styles = False

    def _first_frame_shown(self) -> None:
        """Background work starts only now: it would compete with the first frame."""
        self._shown = True
        self.app.main_screen_shown()  # type: ignore[attr-defined]
        self._load_quota()
        self._detect_local()
        if self.model is not None:
            self._show_key_source(self.model.provider)

    # --- model ---------------------------------------------------------------------------
    async def _load_models(self, provider_id: str) -> list[ModelInfo]:
        return await load_models(self.runtime, self.client, self.directory, provider_id)

    def set_model(self, ref: ModelRef | str, info: ModelInfo | None = None) -> None:
        """Switch the model for the next prompt (the conversation goes on)."""
        if isinstance(ref, str):
            ref = self.runtime.resolve_model(ref)
        self.model = ref
        spec = self.runtime.config.provider_spec(ref.provider)
        tier = info.tier if info is not None else (spec.tier if spec else None)
        self.status.show_model(str(ref), tier)
        self.prompt.placeholder = f"Message {ref.model}…"
        self.picker.reveal(ref)  # its provider open (and its live list loading), it marked
        if self._shown:  # else _first_frame_shown looks it up (the keyring is slow to load)
            self._show_key_source(ref.provider)
        self.refresh_quota()

    @work(group="key-lookup", exclusive=True, exit_on_error=False)
    async def _show_key_source(self, provider_id: str) -> None:
        spec = self.runtime.spec(provider_id)
        found = await lookup_key(self.runtime, provider_id)
        if found is None:
            self.status.show_key("key: keyring not answering", False)
            return
        env = spec.key_envs[0] if spec.key_envs else f"{spec.env_prefix}_KEY"
        self.status.show_key(*key_source_text(found, env))

    def keys_changed(self) -> None:
        """A key was set or deleted (setup screen): say where the key comes from now, and
        let providers that failed for want of one load again."""
        self.picker.forget_problems()
        if self.model is not None:
            self._show_key_source(self.model.provider)

    @on(ModelPicker.ModelSelected)
    def _model_selected(self, event: ModelPicker.ModelSelected) -> None:
        event.stop()
        self.set_model(event.model.ref, event.model)
        self.prompt.focus()

    @on(ModelPicker.ModelsLoaded)
    def _models_loaded(self, event: ModelPicker.ModelsLoaded) -> None:
        """Now the current model's own tier is known (a paid model of a free provider)."""
        event.stop()
        self.refresh_quota()
        if self.model is None or self.model.provider != event.provider_id:
            return
        for info in event.models:
            if info.ref == self.model:
                self.status.show_tier(info.tier)

    @on(ModelPicker.LoadFailed)
    def _models_failed(self, event: ModelPicker.LoadFailed) -> None:
        event.stop()
        error = event.error
        text = error.one_line() if isinstance(error, FreechatError) else "could not list models"
        self.notify(text, title="Models", severity="warning", timeout=6, markup=False)

    @work(group="local-detect", exit_on_error=False)
    async def _detect_local(self) -> None:
        """Local model servers, probed in the background (the first frame never waits)."""
        for server in await detect_local(self.runtime, self.client):
            spec = self.runtime.spec(server.provider)
            self.local_providers.add(server.provider)
            self.picker.add_provider(ProviderEntry(server.provider, spec.name, spec.tier,
                                                   models=list(server.models)))

    # --- chat ----------------------------------------------------------------------------
    @on(PromptInput.Submitted)
    def _submitted(self, event: PromptInput.Submitted) -> None:
        event.stop()
        if self.model is None:
            self.notify(f"Pick a model first ({self.key_label('focus-picker', 'f2')}).",
                        title="No model", severity="warning", markup=False)
            self.action_focus_picker()
            return
        if self.streaming:
            self.notify(f"Still answering — {self.key_label('cancel-stream', 'escape')} "
                        "stops it.", severity="warning", markup=False)
            return
        note = self.exhausted_note(self.model)
        if note is not None and self._confirmed != (self.model, event.text):
            self._confirmed = (self.model, event.text)
            self.notify(f"{note}. Enter again sends anyway, or pick another model "
                        f"({self.key_label('focus-picker', 'f2')}).", title="Quota used up",
                        severity="warning", timeout=8, markup=False)
            return
        self._confirmed, self._tried, self.fallback_offer = None, set(), None
        from freechat.core.conversation import MODE_APPEND, MODE_EDIT

        mode = MODE_EDIT if self.editing else MODE_APPEND
        self.editing = False
        self.prompt.remember(event.text)
        self.send(self.model, event.text, mode)

    def watch_streaming(self, streaming: bool) -> None:
        self.set_class(streaming, "-streaming")
        self.refresh_bindings()
        if streaming:
            self._ticker = self.set_interval(1.0, self._tick)
        elif getattr(self, "_ticker", None) is not None:
            self._ticker.stop()
            self._ticker = None

    def watch_editing(self, editing: bool) -> None:
        self.prompt.set_class(editing, "-editing")
        self.prompt.border_title = "editing your last prompt" if editing else None
        self.refresh_bindings()

    # --- actions -------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_stream":
            return self.streaming
        if action == "cancel_edit":
            return self.editing and not self.streaming
        if action == "focus_prompt":
            prompt = self.query(PromptInput)
            return not self.streaming and bool(prompt) and not prompt.first().has_focus
        if action in ("regenerate", "edit_prompt"):
            return not self.streaming and self.last_prompt() is not None
        if action == "copy":
            return self.last_prompt() is not None
        if action == "fallback":
            return not self.streaming and self.fallback_offer is not None
        return True

    def action_cancel_stream(self) -> None:
        self.workers.cancel_group(self, "chat")

    def action_cancel_edit(self) -> None:
        self.editing = False
        self.prompt.clear()

    def action_focus_prompt(self) -> None:
        self.prompt.focus()

    def action_focus_picker(self) -> None:
        self.query_one("#picker-filter").focus()

    async def action_new_chat(self) -> None:
        await self.start_new_chat()

    def new_chat(self) -> None:
        """Start an empty chat (the current one is saved as it is)."""
        self.run_worker(self.start_new_chat(), group="new-chat", exclusive=True)

    def action_fallback(self) -> None:
        self.take_fallback()
