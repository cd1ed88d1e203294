"""The provider → model tree with a filter box above it.

Providers are listed up front; a provider's models are fetched only when its node is first
expanded, in a worker, through the `loader` the screen passes in (this widget knows nothing
about keys or HTTP). A failed load shows as a leaf under the provider ("offline", "no key").
Typing in the filter narrows the loaded models and the provider names; Enter in the filter
picks the first match, Down moves into the tree. The screen may add providers later (local
servers found in the background) and mark models whose quota is used up: they stay
selectable, dimmed, with when they come back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Tree
from textual.widgets.tree import TreeNode

from freechat.core.errors import (
    AuthError,
    ConfigError,
    FreechatError,
    MissingKey,
    NetworkError,
    RateLimited,
)
from freechat.core.models import ModelInfo, ModelRef
from freechat.ui.themes import resolve_colour
from freechat.ui.widgets.status_bar import tier_label

ModelLoader = Callable[[str], Awaitable[list[ModelInfo]]]  # live, from the provider
CachedModels = Callable[[str], list[ModelInfo]]  # blocking file reads; run in a thread


@dataclass
class ProviderEntry:
    id: str
    name: str
    tier: str
    models: list[ModelInfo] = field(default_factory=list)
    state: str = "idle"  # idle | loading | loaded | error
    problem: str = ""
    expanded: bool = False


def short_problem(error: Exception) -> str:
    """A few words for a tree leaf; the full message goes to a notification."""
    if isinstance(error, MissingKey):
        return "no key"
    if isinstance(error, AuthError):
        return "key rejected"
    if isinstance(error, NetworkError):
        return "offline"
    if isinstance(error, RateLimited):
        return "rate limited"
    if isinstance(error, ConfigError):
        return "not supported yet"
    if isinstance(error, FreechatError):
        return error.title.lower()
    return "could not list models"


class FilterInput(Input):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "app.focus_next", "Into the model list", id="picker-to-list", show=False),
    ]

    def on_mount(self) -> None:
        if self.app.is_headless:
            self.cursor_blink = False


class PickerTree(Tree[ProviderEntry | ModelInfo]):
    def on_focus(self) -> None:
        if self.cursor_line < 0:  # arriving from the filter: start on the first row
            self.cursor_line = 0


class ModelPicker(Vertical):
    @dataclass
    class ModelSelected(Message):
        picker: ModelPicker
        model: ModelInfo

        @property
        def control(self) -> ModelPicker:
            return self.picker

    @dataclass
    class ModelsLoaded(Message):
        """A provider's models are known (from the cache/catalog, or live)."""

        picker: ModelPicker
        provider_id: str
        models: list[ModelInfo]

    @dataclass
    class LoadFailed(Message):
        picker: ModelPicker
        provider_id: str
        error: Exception

    def __init__(
        self, providers: list[ProviderEntry], loader: ModelLoader, *,
        cached: CachedModels | None = None, id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self._providers = {entry.id: entry for entry in providers}
        self._loader = loader
        self._cached = cached
        self._filter = ""
        self.current: ModelRef | None = None
        self._exhausted: dict[ModelRef, str] = {}  # model -> when it comes back

    def compose(self) -> ComposeResult:
        yield FilterInput(placeholder="filter models…", id="picker-filter")
        # A Text label: a str would be parsed as markup, loading Rich's emoji table at startup.
        tree = PickerTree(Text("providers"), id="picker-tree")
        tree.show_root = False
        tree.guide_depth = 2
        yield tree

    @property
    def tree(self) -> PickerTree:
        return self.query_one("#picker-tree", PickerTree)

    def on_mount(self) -> None:
        self.rebuild()
        # After the refresh: the tier colours come from the theme's variables, which Textual
        # updates after this watcher runs (labels kept the old theme's colours).
        self.watch(self.app, "theme", lambda _: self.app.call_after_refresh(self.rebuild),
                   init=False)
        if self._cached is not None:
            # After the first frame: the thread's file reading would take the GIL from it.
            self.call_after_refresh(self.run_worker, self._prefill, thread=True,
                                    group="models-prefill", exit_on_error=False)

    def _prefill(self) -> None:
        """Fill every provider from the cache / bundled catalog (no network), so the filter
        finds models before any provider has been opened."""
        assert self._cached is not None
        found: dict[str, list[ModelInfo]] = {}
        for provider_id in list(self._providers):
            try:
                found[provider_id] = self._cached(provider_id)
            except Exception:  # a bad cache file must not break the picker
                continue
        self.app.call_from_thread(self._apply_prefill, found)

    def _apply_prefill(self, found: dict[str, list[ModelInfo]]) -> None:
        for provider_id, models in found.items():
            entry = self._providers[provider_id]
            if entry.state != "loaded" and not entry.models and models:
                entry.models = sorted(models, key=lambda m: m.ref.model)
                self.post_message(self.ModelsLoaded(self, provider_id, entry.models))
        self.rebuild()

    def provider(self, provider_id: str) -> ProviderEntry | None:
        return self._providers.get(provider_id)

    def known_models(self) -> list[ModelInfo]:
        """Every model the picker knows (cache, catalog or live), in provider order."""
        return [m for entry in self._providers.values() for m in entry.models]

    def add_provider(self, entry: ProviderEntry) -> None:
        """Show a provider found after startup (a local server), or refresh its models."""
        known = self._providers.get(entry.id)
        if known is None:
            self._providers[entry.id] = entry
        elif known.state != "loaded" and entry.models:
            known.models = entry.models
        self.rebuild()

    def forget_problems(self) -> None:
        """Providers that failed to list (no key, offline) load again when next opened."""
        for entry in self._providers.values():
            if entry.state == "error":
                entry.state, entry.problem = "idle", ""
                if entry.expanded:
                    self.load(entry.id)
        self.rebuild()

    def set_exhausted(self, exhausted: dict[ModelRef, str]) -> None:
        """Models whose quota is used up, each with a note such as "back 14:05"."""
        if exhausted != self._exhausted:
            self._exhausted = dict(exhausted)
            self.rebuild()

    def exhausted_note(self, ref: ModelRef) -> str | None:
        return self._exhausted.get(ref)

    # --- labels --------------------------------------------------------------------------
    def _badge(self, tier: str, width: int = 0) -> Text:
        label = tier_label(tier)
        colour = resolve_colour(self.app, f"tier-{label}") or resolve_colour(self.app, "primary")
        return Text(label.ljust(width), style=f"bold {colour}" if colour else "bold")

    def _provider_label(self, entry: ProviderEntry) -> Text:
        return Text.assemble((entry.name, "bold"), "  ", self._badge(entry.tier))

    def _model_label(self, model: ModelInfo) -> Text:
        # Badge first, in a fixed column: long model ids are cut at the right, never the tier.
        current = model.ref == self.current
        note = self._exhausted.get(model.ref)
        style = "bold" if current else ""
        if note is not None:
            style += " dim"
        return Text.assemble(
            self._badge(model.tier, 6), (model.ref.model, style.strip()),
            (" ●", "bold") if current else "", (f" ⊘ {note}", "dim italic") if note else "",
        )

    # --- tree contents -------------------------------------------------------------------
    def _matches(self, entry: ProviderEntry) -> tuple[bool, list[ModelInfo]]:
        needle = self._filter.lower()
        if not needle:
            return True, entry.models
        if needle in entry.name.lower() or needle in entry.id:
            return True, entry.models
        models = [m for m in entry.models if needle in str(m.ref).lower()
                  or needle in m.name.lower()]
        return bool(models), models

    def rebuild(self) -> None:
        tree = self.tree
        cursor = tree.cursor_node.data if tree.cursor_node is not None else None
        tree.clear()
        target: TreeNode[ProviderEntry | ModelInfo] | None = None
        for entry in self._providers.values():
            shown, models = self._matches(entry)
            if not shown:
                continue
            expand = entry.expanded or (bool(self._filter) and bool(models))
            node = tree.root.add(self._provider_label(entry), entry, expand=expand)
            if entry is cursor:
                target = node
            if entry.state == "loading":
                node.add_leaf(Text("loading…", style="dim italic"))
            elif entry.state == "error":
                node.add_leaf(Text(f"⚠ {entry.problem}", style="italic"))
            elif entry.state == "loaded" and not entry.models:
                node.add_leaf(Text("no models", style="dim italic"))
            for model in models:
                leaf = node.add_leaf(self._model_label(model), model)
                if cursor is not None and cursor is model:
                    target = leaf
        if target is not None:
            _ = tree.last_line  # builds the line index, so the node knows its line
            tree.move_cursor(target)

    def first_match(self) -> ModelInfo | None:
        for entry in self._providers.values():
            shown, models = self._matches(entry)
            if shown and models:
                return models[0]
        return None

    # --- loading -------------------------------------------------------------------------
    def load(self, provider_id: str) -> None:
        entry = self._providers.get(provider_id)
        if entry is None or entry.state in ("loading", "loaded"):
            return
        entry.state = "loading"
        self.rebuild()
        self.run_worker(self._load(entry), group=f"models-{entry.id}", exclusive=True,
                        exit_on_error=False)

    async def _load(self, entry: ProviderEntry) -> None:
        try:
            entry.models = sorted(await self._loader(entry.id), key=lambda m: m.ref.model)
            entry.state = "loaded"
            self.post_message(self.ModelsLoaded(self, entry.id, entry.models))
        except Exception as error:  # shown in the tree; never a traceback
            entry.state, entry.problem = "error", short_problem(error)
            if entry.models:  # what the cache or catalog had stays usable
                entry.problem += " · cached list"
            self.post_message(self.LoadFailed(self, entry.id, error))
        self.rebuild()

    def reveal(self, ref: ModelRef) -> None:
        """Expand `ref`'s provider (loading its models) and mark `ref` as current."""
        self.current = ref
        entry = self._providers.get(ref.provider)
        if entry is not None:
            entry.expanded = True
            self.load(entry.id)
        self.rebuild()

    # --- events --------------------------------------------------------------------------
    @on(Tree.NodeExpanded, "#picker-tree")
    def _expanded(self, event: Tree.NodeExpanded[ProviderEntry | ModelInfo]) -> None:
        event.stop()
        if isinstance(event.node.data, ProviderEntry):
            event.node.data.expanded = True
            self.load(event.node.data.id)

    @on(Tree.NodeCollapsed, "#picker-tree")
    def _collapsed(self, event: Tree.NodeCollapsed[ProviderEntry | ModelInfo]) -> None:
        event.stop()
        if isinstance(event.node.data, ProviderEntry):
            event.node.data.expanded = False

    @on(Tree.NodeSelected, "#picker-tree")
    def _selected(self, event: Tree.NodeSelected[ProviderEntry | ModelInfo]) -> None:
        event.stop()
        if isinstance(event.node.data, ModelInfo):
            self.post_message(self.ModelSelected(self, event.node.data))

    @on(Input.Changed, "#picker-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._filter = event.value.strip()
        self.rebuild()

    @on(Input.Submitted, "#picker-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        match = self.first_match()
        if match is not None:
            self.post_message(self.ModelSelected(self, match))
        else:
            self.tree.focus()
