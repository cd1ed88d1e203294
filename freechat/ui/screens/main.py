"""The main screen: model picker | chat, then the prompt, the quota slot and the status bar.

The screen coordinates: it handles the widgets' messages, owns the chat worker and the
`ChatSession`, and sets what the widgets show. Network work runs in async workers; key
lookups (the keyring can block) run in threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import Footer
from textual.worker import WorkerCancelled, WorkerFailed

from freechat.core.errors import Cancelled, FreechatError, UsageError
from freechat.core.events import ReasoningDelta, TextDelta, Waiting
from freechat.core.model_directory import ModelDirectory
from freechat.core.models import ModelInfo, ModelRef
from freechat.core.runtime import Runtime
from freechat.core.secret import redact
from freechat.core.session import STATUS_STREAMING, ChatSession, Reply
from freechat.ui.screens.main_support import load_models, lookup_key
from freechat.ui.widgets.chat_view import ChatView
from freechat.ui.widgets.message import AssistantMessage
from freechat.ui.widgets.model_picker import ModelPicker, ProviderEntry
from freechat.ui.widgets.prompt import PromptInput
from freechat.ui.widgets.status_bar import StatusBar, key_source_text, streaming_state
from freechat.ui.widgets.welcome import Welcome, bound_key


class MainScreen(Screen[None]):
    CSS_PATH = "main.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2,ctrl+l", "focus_picker", "Models", id="focus-picker"),
        Binding("ctrl+n", "new_chat", "New chat", id="new-chat"),
        Binding("escape", "cancel_stream", "Stop", id="cancel-stream"),
        Binding("escape", "focus_prompt", "Prompt", id="focus-prompt", show=False),
    ]

    streaming: var[bool] = var(False)

    def __init__(
        self, runtime: Runtime, client: Any, *, model: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.runtime = runtime
        self.client = client  # the app's HTTP client, opaque here (the UI never imports httpx)
        self.directory = ModelDirectory(runtime)
        self.model: ModelRef | None = None
        self.session: ChatSession | None = None
        self._initial_model = model
        self._clock = clock
        self._reply: Reply | None = None
        self._started = 0.0
        self._keepalives = 0

    # --- layout --------------------------------------------------------------------------
    def _key(self, binding_id: str, default: str) -> str:
        return bound_key(self.runtime.config.keymap, binding_id, default)

    def compose(self) -> ComposeResult:
        providers = []
        for pid in self.runtime.config.all_provider_ids():
            spec = self.runtime.spec(pid)
            providers.append(ProviderEntry(pid, spec.name, spec.tier))
        with Horizontal(id="body"):
            yield ModelPicker(providers, self._load_models, cached=self.directory.cached,
                              id="picker")
            with Vertical(id="chat-pane"):
                yield ChatView(Welcome(self.runtime.config.keymap, id="welcome"), id="chat")
                yield PromptInput(placeholder="Ask anything…", id="prompt")
        # The quota bar (another module) mounts here, between the chat and the status line.
        yield Vertical(id="quota-slot")
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

    @property
    def quota_slot(self) -> Vertical:
        return self.query_one("#quota-slot", Vertical)

    def on_mount(self) -> None:
        self.status.show_model(None, None, picker_key=self._key("focus-picker", "f2"))
        ref: ModelRef | None = None
        try:
            if self._initial_model or self.runtime.environ.get("FREECHAT_MODEL") or (
                self.runtime.config.default_model
            ):
                ref = self.runtime.resolve_model(self._initial_model)
        except UsageError as error:
            self.notify(error.one_line(), title="Model", severity="error", timeout=8, markup=False)
        if ref is not None:
            self.select_model(ref)
            self.picker.reveal(ref)
        self.prompt.focus()

    # --- model ---------------------------------------------------------------------------
    async def _load_models(self, provider_id: str) -> list[ModelInfo]:
        return await load_models(self.runtime, self.client, self.directory, provider_id)

    def select_model(self, ref: ModelRef, info: ModelInfo | None = None) -> None:
        self.model = ref
        spec = self.runtime.config.provider_spec(ref.provider)
        tier = info.tier if info is not None else (spec.tier if spec else None)
        self.status.show_model(str(ref), tier)
        self.prompt.placeholder = f"Message {ref.model}…"
        self.picker.current = ref
        self._show_key_source(ref.provider)

    @work(group="key-lookup", exclusive=True, exit_on_error=False)
    async def _show_key_source(self, provider_id: str) -> None:
        spec = self.runtime.spec(provider_id)
        found = await lookup_key(self.runtime, provider_id)
        if found is None:
            self.status.show_key("key: keyring not answering", False)
            return
        env = spec.key_envs[0] if spec.key_envs else f"{spec.env_prefix}_KEY"
        self.status.show_key(*key_source_text(found, env))

    @on(ModelPicker.ModelSelected)
    def _model_selected(self, event: ModelPicker.ModelSelected) -> None:
        event.stop()
        self.select_model(event.model.ref, event.model)
        self.picker.rebuild()
        self.prompt.focus()

    @on(ModelPicker.ModelsLoaded)
    def _models_loaded(self, event: ModelPicker.ModelsLoaded) -> None:
        """Now the current model's own tier is known (a paid model of a free provider)."""
        event.stop()
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

    # --- chat ----------------------------------------------------------------------------
    @on(PromptInput.Submitted)
    def _submitted(self, event: PromptInput.Submitted) -> None:
        event.stop()
        if self.model is None:
            self.notify(f"Pick a model first ({self._key('focus-picker', 'f2')}).",
                        title="No model", severity="warning", markup=False)
            self.action_focus_picker()
            return
        if self.streaming:
            self.notify(f"Still answering — {self._key('cancel-stream', 'escape')} stops it.",
                        severity="warning", markup=False)
            return
        self.prompt.remember(event.text)
        self.send(self.model, event.text)

    def _session_for(self, ref: ModelRef, adapter: Any) -> ChatSession:
        if self.session is None:
            self.session = ChatSession(ref, adapter, clock=self._clock)
        else:
            self.session.switch_model(ref, adapter)
        return self.session

    @work(exclusive=True, group="chat", exit_on_error=False)
    async def send(self, ref: ModelRef, text: str) -> None:
        await self.chat.add_user(text)
        message = await self.chat.add_assistant(ref)
        reply = Reply(ref, self._clock())
        self._begin(reply)
        try:
            adapter = await asyncio.to_thread(self.runtime.adapter, ref.provider, self.client)
            stream = self._session_for(ref, adapter).send(text, reply)
            async with contextlib.aclosing(stream):
                async for event in stream:
                    await self._show_event(message, event)
        except FreechatError as error:
            self._report(reply, error)
        except asyncio.CancelledError:
            if reply.status == STATUS_STREAMING:  # cancelled outside the stream itself
                reply.fail(Cancelled("stopped by user"), self._clock())
            await self._end(message, reply)
            raise
        except Exception as error:  # a bug on our side: one line, the partial reply kept
            self._report(reply, FreechatError(
                f"internal error ({type(error).__name__})", hint="please report it"))
        await self._end(message, reply)

    def _report(self, reply: Reply, error: FreechatError) -> None:
        if reply.error is None:  # e.g. no key: failed before the stream began
            reply.fail(error, self._clock())
        self.notify(redact(error.hint or error.message), title=_title(error),
                    severity="error", timeout=8, markup=False)

    async def _show_event(self, message: AssistantMessage, event: object) -> None:
        if isinstance(event, TextDelta):
            await message.write_text(event.text)
        elif isinstance(event, ReasoningDelta):
            await message.write_reasoning(event.text)
        elif isinstance(event, Waiting):
            self._keepalives += 1
        else:
            return
        self._tick()

    def _begin(self, reply: Reply) -> None:
        self._reply, self._started, self._keepalives = reply, time.monotonic(), 0
        self.streaming = True
        self._tick()

    async def _end(self, message: AssistantMessage, reply: Reply) -> None:
        await message.finish(reply)
        self._reply = None
        self.streaming = False
        self.status.show_state("ready")

    def _tick(self) -> None:
        """Refresh the streaming state; wall time here (the injected clock is for figures)."""
        reply = self._reply
        if reply is None:
            return
        seconds = int(time.monotonic() - self._started)
        self.status.show_state(streaming_state(reply, seconds, self._keepalives), busy=True)

    def watch_streaming(self, streaming: bool) -> None:
        self.set_class(streaming, "-streaming")
        self.refresh_bindings()
        if streaming:
            self._ticker = self.set_interval(1.0, self._tick)
        elif getattr(self, "_ticker", None) is not None:
            self._ticker.stop()
            self._ticker = None

    # --- actions -------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_stream":
            return self.streaming
        if action == "focus_prompt":
            prompt = self.query(PromptInput)
            return not self.streaming and bool(prompt) and not prompt.first().has_focus
        return True

    def action_cancel_stream(self) -> None:
        self.workers.cancel_group(self, "chat")

    def action_focus_prompt(self) -> None:
        self.prompt.focus()

    def action_focus_picker(self) -> None:
        self.query_one("#picker-filter").focus()

    async def action_new_chat(self) -> None:
        for worker in self.workers.cancel_group(self, "chat"):
            with contextlib.suppress(WorkerCancelled, WorkerFailed):
                await worker.wait()  # the reply is finished before it is cleared away
        await self.chat.clear()
        self.session = None
        self.prompt.clear()
        self.prompt.focus()


def _title(error: FreechatError) -> str:
    return f"{error.provider}: {error.title}" if error.provider else error.title
