"""Which models a user can pick right now: providers with a key (or a local server that
answered), and their models as the directory knows them (cache or bundled catalog, no network).

The command palette and the compare chooser list these. Free models come first: freechat is for
the strongest models you can use for $0, and a paid one is never offered ahead of a free one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from freechat.core.keys import KeyLookup
from freechat.core.model_directory import ModelDirectory
from freechat.core.models import TIER_PAID, TIER_TRIAL, ModelInfo
from freechat.core.runtime import Runtime

_TIER_ORDER = {TIER_TRIAL: 1, TIER_PAID: 2}  # everything else (free, local, keyless) first


def usable_providers(keys: Mapping[str, KeyLookup], local: Iterable[str] = ()) -> list[str]:
    """Provider ids with a key found, then local servers that answered (no duplicates)."""
    found = [pid for pid, lookup in keys.items() if lookup.found]
    return list(dict.fromkeys([*found, *local]))


def model_choices(runtime: Runtime, providers: Iterable[str]) -> list[ModelInfo]:
    """The providers' known models, free ones first, each group in provider order.

    Blocking (reads cache files): run it in a thread from the UI.
    """
    directory = ModelDirectory(runtime)
    models: list[ModelInfo] = []
    for pid in providers:
        try:
            models.extend(directory.cached(pid))
        except (OSError, ValueError):  # a broken cache is the picker's problem, not ours
            continue
    unique = list({str(m.ref): m for m in models}.values())
    return sorted(unique, key=lambda m: _TIER_ORDER.get(m.tier, 0))
