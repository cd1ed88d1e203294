"""Choose the models of a comparison: the current one ticked, up to three others, blind or
open. Dismissed with a `CompareRequest`, or None when cancelled."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, SelectionList, Static

from freechat.core.models import ModelInfo, ModelRef
from freechat.ui.widgets.status_bar import tier_label

MIN_MODELS, MAX_MODELS = 2, 4


@dataclass(frozen=True)
class CompareRequest:
    models: tuple[ModelRef, ...]
    blind: bool


class CompareSetupScreen(ModalScreen[CompareRequest | None]):
    CSS_PATH = "compare_setup.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "start", "Start", id="compare-setup-start"),
        Binding("ctrl+b", "toggle_blind", "Blind on/off", id="compare-setup-blind"),
        Binding("escape", "cancel", "Cancel", id="compare-setup-cancel"),
    ]

    def __init__(self, choices: Sequence[ModelInfo], *, current: ModelRef | None = None,
                 blind: bool = False) -> None:
        super().__init__()
        self.choices = list(choices)
        self.current = current
        self.blind = blind

    def compose(self) -> ComposeResult:
        with Vertical(id="compare-setup-panel"):
            yield Static("Compare models side by side", id="compare-setup-title", markup=False)
            yield Static("Tick 2 to 4 models (Space). Every model gets the same prompt.",
                         id="compare-setup-note", markup=False)
            options = [
                (f"{m.ref}  · {tier_label(m.tier)}", str(m.ref), m.ref == self.current)
                for m in self.choices
            ]
            yield SelectionList[str](*options, id="compare-setup-models")
            yield Checkbox("Blind: names hidden until you vote", self.blind,
                           id="compare-setup-blind")
            with Horizontal(id="compare-setup-buttons"):
                yield Button("Start", variant="primary", id="compare-setup-go")
                yield Button("Cancel", id="compare-setup-no")
            yield Static("", id="compare-setup-status", markup=False)

    def on_mount(self) -> None:
        if not self.choices:
            self._say("No models known yet: add a provider key first (F3 on the chat screen).")
        self.query_one(SelectionList).focus()

    def _say(self, text: str) -> None:
        self.query_one("#compare-setup-status", Static).update(text)

    @property
    def selected(self) -> list[ModelRef]:
        values = self.query_one(SelectionList).selected
        return [ModelRef.parse(v) for v in values]

    @on(SelectionList.SelectedChanged)
    def _changed(self, event: SelectionList.SelectedChanged) -> None:
        count = len(event.selection_list.selected)
        self._say(f"{count} chosen" + (f" — at most {MAX_MODELS}" if count > MAX_MODELS else ""))

    @on(Button.Pressed, "#compare-setup-go")
    def action_start(self) -> None:
        chosen = self.selected
        if not MIN_MODELS <= len(chosen) <= MAX_MODELS:
            self._say(f"Tick {MIN_MODELS} to {MAX_MODELS} models ({len(chosen)} ticked).")
            return
        blind = self.query_one("#compare-setup-blind", Checkbox).value
        self.dismiss(CompareRequest(tuple(chosen), blind))

    def action_toggle_blind(self) -> None:
        self.query_one("#compare-setup-blind", Checkbox).toggle()

    @on(Button.Pressed, "#compare-setup-no")
    def action_cancel(self) -> None:
        self.dismiss(None)
