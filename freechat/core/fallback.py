"""The free-only fallback chain (issue 4): where to go when a model hits its limit.

Config: `fallback = ["groq/llama-3.1-8b-instant", "auto"]` (refs and/or "auto") and
`auto_fallback = true` to switch without asking. "auto" stands for every known free model
whose provider is usable and whose quota is not used up, the current provider's first
(a per-model budget may have room on a sibling). A `paid` or `trial-credit` model is never
chosen unless the user listed it by name. Without a `fallback` setting the chain is "auto".

Everything here reads the QuotaBook and plain data; no network, no keyring (the caller says
which providers are usable, since finding that out may block).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

from freechat.core.errors import FreechatError, OutOfCredit, RateLimited
from freechat.core.models import TIER_KEYLESS, TIER_LOCAL, ModelInfo, ModelRef
from freechat.core.quota_figures import is_free_model

if TYPE_CHECKING:
    from freechat.core.quota import QuotaBook, QuotaWindow

AUTO = "auto"
FREE_PROVIDER_TIERS = frozenset({"free", TIER_LOCAL, TIER_KEYLESS})


def triggers_fallback(error: BaseException | None) -> bool:
    """A rate limit, a used-up quota or no credit left: another model may still answer."""
    return isinstance(error, RateLimited | OutOfCredit)


def exhausted_window(book: QuotaBook, ref: ModelRef, tier: str = "") -> QuotaWindow | None:
    """The window that blocks `ref` now (remaining 0), or None.

    Providers whose limits cover only their free models (OpenRouter) never block a paid one.
    """
    if book.limits.rules(ref.provider).free_models_only and not is_free_model(ref.model):
        return None
    if not book.has_data(ref.provider):
        return None  # nothing sent or reported yet: nothing can be used up
    return book.snapshot(ref.provider, ref.model, tier).exhausted()


def exhausted_models(book: QuotaBook, models: Iterable[ModelInfo],
                     tiers: Mapping[str, str] | None = None) -> dict[ModelRef, QuotaWindow]:
    """Of `models`, those whose quota is used up now, with the window that says so."""
    tiers = tiers or {}
    found: dict[ModelRef, QuotaWindow] = {}
    # One snapshot per budget: a provider-wide budget is the same for all its models.
    seen: dict[tuple[str, str | None], QuotaWindow | None] = {}
    for info in models:
        ref = info.ref
        rules = book.limits.rules(ref.provider)
        own = rules.scope == "model" or (rules.free_models_only and not is_free_model(ref.model))
        key = (ref.provider, ref.model if own else None)
        if key not in seen:
            seen[key] = exhausted_window(book, ref, tiers.get(ref.provider, ""))
        if seen[key] is not None:
            found[ref] = seen[key]  # type: ignore[assignment]
    return found


def _auto(current: ModelRef, known: Iterable[ModelInfo],
          provider_tiers: Mapping[str, str]) -> list[ModelRef]:
    """Free models only, the current provider's first, otherwise in the order known."""
    free = [m.ref for m in known
            if m.is_free and provider_tiers.get(m.ref.provider, "free") in FREE_PROVIDER_TIERS]
    same = [r for r in free if r.provider == current.provider]
    return same + [r for r in free if r.provider != current.provider]


def fallback_chain(
    entries: Iterable[str], current: ModelRef, known: Iterable[ModelInfo], *,
    usable: Callable[[str], bool], blocked: Callable[[ModelRef], bool],
    provider_tiers: Mapping[str, str] | None = None,
) -> list[ModelRef]:
    """The models to try after `current`, in order.

    `entries` is the config's `fallback` list (empty: "auto"); `known` the models the app
    knows (catalog, cache, live lists); `usable(provider)` whether its key (or local server) is
    there; `blocked(ref)` whether its quota is used up.
    """
    tiers = dict(provider_tiers or {})
    known = list(known)
    chain: list[ModelRef] = []
    for entry in list(entries) or [AUTO]:
        if entry == AUTO:
            refs = _auto(current, known, tiers)
        else:
            try:
                refs = [ModelRef.parse(entry)]  # listed by name: the user chose it, any tier
            except FreechatError:
                continue
        for ref in refs:
            if ref == current or ref in chain or not usable(ref.provider) or blocked(ref):
                continue
            chain.append(ref)
    return chain


def next_fallback(chain: Iterable[ModelRef], tried: Iterable[ModelRef]) -> ModelRef | None:
    done = set(tried)
    return next((ref for ref in chain if ref not in done), None)
