"""Model list payloads → `ModelInfo`, with each provider's free filter (fact sheets §x.3).

Pure functions over decoded JSON, so they are easy to test and reuse. Each returns None for
an entry that is not a chat model at all; the tier says whether a chat model costs anything:
`free`, `trial-credit` (spends promotional or monthly credit), `paid` or `local`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from freechat.core.catalog import ProviderSpec
from freechat.core.models import TIER_FREE, TIER_PAID, TIER_TRIAL, ModelInfo, ModelRef

Item = Mapping[str, Any]

# Gemini models that advertise generateContent but do not chat (fact sheet A §4.4).
GEMINI_NOT_CHAT = (
    "-tts", "-image", "image-generation", "native-audio", "computer-use", "robotics",
    "deep-research", "embedding", "aqa", "imagen", "veo", "nano-banana",
)
GROQ_NOT_CHAT = ("whisper", "tts", "guard", "orpheus")
OPENAI_NOT_CHAT = ("embedding", "whisper", "tts", "dall-e", "moderation", "transcribe",
                   "davinci", "babbage", "realtime", "image", "audio", "sora")
NVIDIA_NOT_CHAT = ("embed", "rerank")
OPENROUTER_EXCLUDED = ("openrouter/auto",)  # a router priced at -1, never a model to pick


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _price_is_zero(value: Any) -> bool:
    try:
        return float(value) == 0.0
    except (TypeError, ValueError):
        return False


def _info(spec: ProviderSpec, model_id: str, tier: str, *, name: Any = None,
          context: Any = None, reasoning: bool = False) -> ModelInfo:
    return ModelInfo(
        ref=ModelRef(spec.id, model_id), name=str(name) if name else model_id, tier=tier,
        context_length=_int(context), reasoning=reasoning,
    )


def _id(item: Item) -> str:
    value = item.get("id")
    return value.strip() if isinstance(value, str) else ""


def openrouter_model(spec: ProviderSpec, item: Item) -> ModelInfo | None:
    model_id = _id(item)
    if not model_id or model_id in OPENROUTER_EXCLUDED:
        return None
    pricing = item.get("pricing") if isinstance(item.get("pricing"), dict) else {}
    zero = _price_is_zero(pricing.get("prompt")) and _price_is_zero(pricing.get("completion"))
    free = model_id.endswith(":free") or zero
    params = item.get("supported_parameters")
    return _info(spec, model_id, TIER_FREE if free else TIER_PAID, name=item.get("name"),
                 context=item.get("context_length"),
                 reasoning=isinstance(params, list) and "reasoning" in params)


def huggingface_model(spec: ProviderSpec, item: Item) -> ModelInfo | None:
    """`providers[].is_free` is a promotion; everything else spends the monthly credit."""
    model_id = _id(item)
    arch = item.get("architecture") if isinstance(item.get("architecture"), dict) else {}
    outputs = arch.get("output_modalities")
    if not model_id or (isinstance(outputs, list) and "text" not in outputs):
        return None
    providers = [p for p in item.get("providers") or [] if isinstance(p, dict)]
    free = any(p.get("is_free") is True for p in providers)
    contexts = [c for c in (_int(p.get("context_length")) for p in providers) if c]
    return _info(spec, model_id, TIER_FREE if free else TIER_TRIAL,
                 context=max(contexts) if contexts else None)


def vercel_model(spec: ProviderSpec, item: Item) -> ModelInfo | None:
    """No documented free flag: zero-priced (or explicitly flagged) models are free; the rest
    spend the $5 monthly credit."""
    model_id = _id(item)
    kind = item.get("type")
    if not model_id or (isinstance(kind, str) and kind != "language"):
        return None
    pricing = item.get("pricing") if isinstance(item.get("pricing"), dict) else {}
    flagged = any(item.get(k) is True for k in ("free_tier", "freeTier", "is_free"))
    zero = bool(pricing) and all(_price_is_zero(pricing.get(k)) for k in ("input", "output"))
    tags = item.get("tags")
    return _info(spec, model_id, TIER_FREE if flagged or zero else TIER_TRIAL,
                 name=item.get("name"), context=item.get("context_window"),
                 reasoning=isinstance(tags, list) and "reasoning" in tags)


def groq_model(spec: ProviderSpec, item: Item) -> ModelInfo | None:
    model_id = _id(item)
    if not model_id or item.get("active") is False:
        return None
    if any(word in model_id.lower() for word in GROQ_NOT_CHAT):
        return None
    return _info(spec, model_id, spec.tier, context=item.get("context_window"))


def mistral_model(spec: ProviderSpec, item: Item) -> ModelInfo | None:
    model_id = _id(item)
    caps = item.get("capabilities")
    if not model_id or (isinstance(caps, dict) and not caps.get("completion_chat")):
        return None
    return _info(spec, model_id, spec.tier, context=item.get("max_context_length"),
                 reasoning="magistral" in model_id)


def _excluding(words: tuple[str, ...]) -> Callable[[ProviderSpec, Item], ModelInfo | None]:
    def parse(spec: ProviderSpec, item: Item) -> ModelInfo | None:
        model_id = _id(item)
        if not model_id or any(word in model_id.lower() for word in words):
            return None
        return _info(spec, model_id, spec.tier, name=item.get("name"),
                     context=item.get("context_length") or item.get("context_window"))

    return parse


def default_model(spec: ProviderSpec, item: Item) -> ModelInfo | None:
    model_id = _id(item)
    if not model_id:
        return None
    return _info(spec, model_id, spec.tier, name=item.get("name"),
                 context=item.get("context_length") or item.get("max_context_length"))


def fireworks_model(spec: ProviderSpec, item: Item) -> ModelInfo | None:
    """Control-plane entry (camelCase); serverless models run on the sign-up credit."""
    name = item.get("name")
    if not isinstance(name, str) or not name or item.get("supportsServerless") is False:
        return None
    kind = str(item.get("kind", "")).upper()
    if kind and "EMBEDDING" in kind:
        return None
    return _info(spec, name, spec.tier, name=item.get("displayName"),
                 context=item.get("contextLength"))


def gemini_model(spec: ProviderSpec, item: Item) -> ModelInfo | None:
    raw = item.get("name")
    methods = item.get("supportedGenerationMethods")
    if not isinstance(raw, str) or not isinstance(methods, list):
        return None
    model_id = raw.removeprefix("models/")
    if "generateContent" not in methods or any(w in model_id.lower() for w in GEMINI_NOT_CHAT):
        return None
    return _info(spec, model_id, spec.tier, name=item.get("displayName"),
                 context=item.get("inputTokenLimit"), reasoning=item.get("thinking") is True)


def cloudflare_property(item: Item, name: str) -> Any:
    for prop in item.get("properties") or []:
        if isinstance(prop, dict) and prop.get("property_id") == name:
            return prop.get("value")
    return None


def cloudflare_model(spec: ProviderSpec, item: Item) -> ModelInfo | None:
    """Text generation models; those needing Workers Paid are listed as paid."""
    name = item.get("name")
    task = item.get("task") if isinstance(item.get("task"), dict) else {}
    if not isinstance(name, str) or not name:
        return None
    if task and str(task.get("name", "")).lower() != "text generation":
        return None
    paid = str(cloudflare_property(item, "require_workers_paid")).lower() == "true"
    reasoning = str(cloudflare_property(item, "reasoning")).lower() == "true"
    return _info(spec, name, TIER_PAID if paid else TIER_FREE,
                 context=cloudflare_property(item, "context_window"), reasoning=reasoning)


PARSERS: dict[str, Callable[[ProviderSpec, Item], ModelInfo | None]] = {
    "openrouter": openrouter_model,
    "huggingface": huggingface_model,
    "vercel": vercel_model,
    "groq": groq_model,
    "mistral": mistral_model,
    "nvidia": _excluding(NVIDIA_NOT_CHAT),
    "openai": _excluding(OPENAI_NOT_CHAT),
}


def parse_items(spec: ProviderSpec, items: Iterable[Any],
                parser: Callable[[ProviderSpec, Item], ModelInfo | None] | None = None,
                ) -> list[ModelInfo]:
    """Parse and de-duplicate (NVIDIA lists some ids twice); the first entry wins."""
    parse = parser or PARSERS.get(spec.id, default_model)
    seen: dict[str, ModelInfo] = {}
    for item in items:
        if not isinstance(item, dict):
            continue
        info = parse(spec, item)
        if info is not None and info.ref.model not in seen:
            seen[info.ref.model] = info
    return list(seen.values())
