"""The provider table (DESIGN §4): data, not code.

Ids, key env vars and default base URLs are a public contract. Every base URL can be
overridden by config (`[providers.<id>] base_url`) and by `FREECHAT_<ID>_BASE_URL` (env wins).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from freechat.core.models import TIER_FREE, TIER_LOCAL, TIER_PAID, TIER_TRIAL, ModelInfo, ModelRef

# Next to this module in every install (a wheel is unpacked): a plain path, because
# importlib.resources.files() imports zipfile and more, ~20 ms on the startup path.
DATA_DIR = Path(__file__).with_name("data")


@dataclass(frozen=True)
class ProviderSpec:
    id: str
    name: str
    base_url: str
    key_envs: tuple[str, ...] = ()  # first one set wins
    signup_url: str = ""
    tier: str = TIER_FREE
    adapter: str = "openai_compat"
    free_tier: str = ""  # one line for the setup screen: what the free tier gives
    # Extra hosts, each overridable by FREECHAT_<ID>_<NAME>_URL (e.g. the HF hub).
    extra_urls: Mapping[str, str] = field(default_factory=dict)
    # Whether to send stream_options.include_usage (a few servers reject it).
    stream_options: bool = True
    needs_key: bool = True
    user_defined: bool = False
    # Whether listing models needs the key (OpenRouter, HF, Vercel, NVIDIA list without one).
    models_need_key: bool = True
    # Body field for the output cap: OpenAI's o-series/gpt-5 take only max_completion_tokens.
    max_tokens_field: str = "max_tokens"
    # Sent when the caller sets no cap: Cerebras reserves max_completion_tokens up front
    # against the per-minute token budget, so an unbounded default drains it.
    default_max_tokens: int | None = None
    # Env vars naming a non-secret account id that goes into the URL (Cloudflare).
    account_envs: tuple[str, ...] = ()
    # From `[providers.<id>] account_id` in config; the env vars above win over it.
    account_id: str | None = None

    @property
    def env_prefix(self) -> str:
        return "FREECHAT_" + self.id.upper().replace("-", "_")

    @property
    def base_url_env(self) -> str:
        return f"{self.env_prefix}_BASE_URL"


PROVIDERS: dict[str, ProviderSpec] = {
    spec.id: spec
    for spec in (
        ProviderSpec(
            "openrouter", "OpenRouter", "https://openrouter.ai/api/v1",
            ("OPENROUTER_API_KEY",), "https://openrouter.ai/keys", TIER_FREE,
            free_tier=":free models: 20 requests/min, 50/day (1000/day after $10 of credit)",
            models_need_key=False,
        ),
        ProviderSpec(
            "cerebras", "Cerebras", "https://api.cerebras.ai/v1",
            ("CEREBRAS_API_KEY",), "https://cloud.cerebras.ai", TIER_FREE,
            free_tier="all models; per-minute, hour and day request and token caps",
            max_tokens_field="max_completion_tokens", default_max_tokens=8192,
        ),
        ProviderSpec(
            "cloudflare", "Cloudflare Workers AI", "https://api.cloudflare.com/client/v4",
            ("CLOUDFLARE_API_TOKEN",), "https://dash.cloudflare.com/profile/api-tokens",
            TIER_FREE, adapter="cloudflare",
            free_tier="10,000 neurons/day, reset 00:00 UTC (needs CLOUDFLARE_ACCOUNT_ID)",
            stream_options=False, default_max_tokens=2048,  # Workers AI defaults to 256
            account_envs=("FREECHAT_CLOUDFLARE_ACCOUNT_ID", "CLOUDFLARE_ACCOUNT_ID"),
        ),
        ProviderSpec(
            "huggingface", "Hugging Face", "https://router.huggingface.co/v1",
            ("HF_TOKEN",), "https://huggingface.co/settings/tokens", TIER_FREE,
            free_tier="small monthly credit for Inference Providers",
            extra_urls={"hub": "https://huggingface.co"}, models_need_key=False,
        ),
        ProviderSpec(
            "vercel", "Vercel AI Gateway", "https://ai-gateway.vercel.sh/v1",
            ("AI_GATEWAY_API_KEY",), "https://vercel.com/ai-gateway", TIER_FREE,
            free_tier="$5 of credit every month", models_need_key=False,
        ),
        ProviderSpec(
            "gemini", "Google Gemini", "https://generativelanguage.googleapis.com",
            ("GEMINI_API_KEY", "GOOGLE_API_KEY"), "https://aistudio.google.com/apikey",
            TIER_FREE, adapter="gemini",
            free_tier="per-model requests/min and /day, reset at midnight Pacific",
            stream_options=False,
        ),
        ProviderSpec(
            "nvidia", "NVIDIA API Catalog", "https://integrate.api.nvidia.com/v1",
            ("NVIDIA_API_KEY",), "https://build.nvidia.com", TIER_FREE,
            free_tier="free for development, about 40 requests/min", models_need_key=False,
        ),
        ProviderSpec(
            "hyperbolic", "Hyperbolic", "https://api.hyperbolic.xyz/v1",
            ("HYPERBOLIC_API_KEY",), "https://app.hyperbolic.xyz", TIER_TRIAL,
            free_tier="promotional credit on sign-up",
        ),
        ProviderSpec(
            "fireworks", "Fireworks AI", "https://api.fireworks.ai/inference/v1",
            ("FIREWORKS_API_KEY",), "https://fireworks.ai", TIER_TRIAL,
            free_tier="promotional credit on sign-up",
        ),
        ProviderSpec(
            "openai", "OpenAI", "https://api.openai.com/v1",
            ("OPENAI_API_KEY",), "https://platform.openai.com/api-keys", TIER_PAID,
            free_tier="no free tier (paid only)", max_tokens_field="max_completion_tokens",
        ),
        ProviderSpec(
            "groq", "Groq", "https://api.groq.com/openai/v1",
            ("GROQ_API_KEY",), "https://console.groq.com/keys", TIER_FREE,
            free_tier="per-model requests/day and tokens/min",
        ),
        ProviderSpec(
            "mistral", "Mistral", "https://api.mistral.ai/v1",
            ("MISTRAL_API_KEY",), "https://console.mistral.ai", TIER_FREE,
            free_tier="Experiment plan: per-minute and monthly token caps",
            stream_options=False,  # usage comes anyway; not part of Mistral's schema
        ),
        ProviderSpec(
            "ollama", "Ollama (local)", "http://127.0.0.1:11434/v1",
            (), "https://ollama.com", TIER_LOCAL, needs_key=False,
            free_tier="runs on this machine", models_need_key=False,
        ),
        # Other local servers, found by core/local_detect.py (LM Studio may reject
        # stream_options, so it is not sent there).
        ProviderSpec(
            "lmstudio", "LM Studio (local)", "http://127.0.0.1:1234/v1",
            (), "https://lmstudio.ai", TIER_LOCAL, needs_key=False,
            free_tier="runs on this machine", models_need_key=False, stream_options=False,
        ),
        ProviderSpec(
            "llamacpp", "llama.cpp server (local)", "http://127.0.0.1:8080/v1",
            (), "https://github.com/ggml-org/llama.cpp", TIER_LOCAL, needs_key=False,
            free_tier="runs on this machine", models_need_key=False,
        ),
    )
}
# The providers of DESIGN §4 (the rest of PROVIDERS are extra local servers).
DESIGN_PROVIDERS = (
    "openrouter", "cerebras", "cloudflare", "huggingface", "vercel", "gemini", "nvidia",
    "hyperbolic", "fireworks", "openai", "groq", "mistral", "ollama",
)
LOCAL_PROVIDERS = ("ollama", "lmstudio", "llamacpp")


def provider_env_name(provider_id: str, suffix: str) -> str:
    return "FREECHAT_" + provider_id.upper().replace("-", "_") + "_" + suffix


def resolve_base_url(
    spec: ProviderSpec, configured: str | None = None, environ: Mapping[str, str] | None = None
) -> str:
    """Env var beats config beats the built-in default. No trailing slash."""
    env = os.environ if environ is None else environ
    url = env.get(spec.base_url_env) or configured or spec.base_url
    return url.rstrip("/")


def resolve_extra_url(
    spec: ProviderSpec, name: str, configured: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> str:
    env = os.environ if environ is None else environ
    url = env.get(provider_env_name(spec.id, f"{name.upper()}_URL")) or configured
    return (url or spec.extra_urls[name]).rstrip("/")


def resolve_account_id(
    spec: ProviderSpec, environ: Mapping[str, str] | None = None
) -> str | None:
    """The account id for providers that put one in the URL: the first env var set, else
    the config's `account_id`."""
    env = os.environ if environ is None else environ
    for name in spec.account_envs:
        value = env.get(name, "").strip()
        if value:
            return value
    return (spec.account_id or "").strip() or None


def with_overrides(spec: ProviderSpec, **changes: object) -> ProviderSpec:
    return replace(spec, **changes)  # type: ignore[arg-type]


# --- the bundled offline model catalog (data/model_catalog.json) ----------------------
def model_from_json(provider: str, data: Any) -> ModelInfo | None:
    """One cached/bundled entry back into a ModelInfo; None for anything malformed."""
    if not isinstance(data, dict):
        return None
    model = data.get("model")
    if not isinstance(model, str) or not model:
        return None
    context = data.get("context_length")
    return ModelInfo(
        ref=ModelRef(provider, model),
        name=str(data.get("name") or model),
        tier=str(data.get("tier") or "free"),
        context_length=context if isinstance(context, int) and not isinstance(context, bool)
        else None,
        reasoning=data.get("reasoning") is True,
    )


def parse_models(provider: str, entries: Any) -> list[ModelInfo]:
    if not isinstance(entries, list):
        return []
    models = (model_from_json(provider, entry) for entry in entries)
    return [m for m in models if m is not None]


@cache
def bundled_catalog() -> dict[str, Any]:
    """The offline catalog shipped inside the package (read once)."""
    try:
        raw = (DATA_DIR / "model_catalog.json").read_bytes()
        data = json.loads(raw)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def catalog_models(provider: str) -> list[ModelInfo]:
    providers = bundled_catalog().get("providers")
    entries = providers.get(provider) if isinstance(providers, dict) else None
    return parse_models(provider, entries)


def catalog_date() -> str | None:
    generated = bundled_catalog().get("generated")
    return generated if isinstance(generated, str) else None


def suggest_free_model(provider: str, instead_of: str = "") -> str | None:
    """A free model of `provider` from the bundled catalog, other than `instead_of`."""
    for model in catalog_models(provider):
        if model.is_free and model.ref.model != instead_of:
            return str(model.ref)
    return None
