"""SVG snapshots of the main screen (pytest-textual-snapshot; fixed size, fixed clock)."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

import freechat.core.quota as quota_module
from tests.fakes.openai_stream import openrouter_stream
from tests.fakes.server import FakeResponse
from tests.ui.conftest import R1

SIZE = (120, 36)

RICH_REPLY = [
    "## Quicksort in brief\n\n",
    "Pick a pivot, then:\n\n",
    "- move smaller items left\n",
    "- move larger items right\n",
    "- recurse on both halves\n\n",
    "```python\n",
    "def quicksort(xs):\n",
    "    if len(xs) <= 1:\n",
    "        return xs\n",
    "    pivot, *rest = xs\n",
    "    return (quicksort([x for x in rest if x < pivot]) + [pivot]\n",
    "            + quicksort([x for x in rest if x >= pivot]))\n",
    "```\n\n",
    "| case | time |\n",
    "|---|---|\n",
    "| average | O(n log n) |\n",
    "| worst | O(n²) |\n",
]


QUOTA_NOW = 1_790_000_000.0  # 2026-09-21T14:13:20Z: the quota bar's countdowns stay fixed


@pytest.fixture(autouse=True)
def fixed_quota_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The quota book (the app's, or the screen's own) on a fixed wall clock."""
    def open_book(runtime, *, clock=None):
        return quota_module.QuotaBook.for_state_dir(
            runtime.paths.state_dir, runtime.config.quota, clock=lambda: QUOTA_NOW)

    monkeypatch.setattr(quota_module, "open_book", open_book)


async def _settle(pilot: Pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_empty_main_screen(snap_compare, make_app):
    """No model yet: the provider tree with tier badges (no local servers: none answered),
    the welcome note with the keys, an empty prompt, the quota bar asking for a model, and a
    status line that says to press F2."""
    assert snap_compare(make_app(), run_before=_settle, terminal_size=SIZE)


def test_streamed_reply_with_reasoning(snap_compare, make_app, openrouter):
    """A reply streamed from the fake OpenRouter: a folded "Reasoning" block above a heading,
    a list, a highlighted code block and a table, then the footer with the finish reason,
    tokens and timings (fixed clock). OpenRouter is open in the picker with the model marked;
    the quota bar counts the request (≈19/20 a minute, ≈49/50 today, resetting in 9h46m);
    the status line shows the model, its `free` badge and that the key comes from the env."""
    events = openrouter_stream(RICH_REPLY, reasoning=["The user wants ", "a short summary."])
    openrouter.route("POST", "/chat/completions", FakeResponse.sse(events))

    async def run_before(pilot: Pilot) -> None:
        await _settle(pilot)
        await pilot.press(*"explain quicksort", "enter")
        await _settle(pilot)

    assert snap_compare(make_app(model=R1), run_before=run_before, terminal_size=SIZE)
