"""Model list payloads per provider, shaped as the fact sheets record them, with the refs a
correct filter keeps (`all`) and the ones it labels free (`free`).

Each entry: provider -> (path under the provider's base path, payload, all ids, free ids).
Gemini, Cloudflare and Fireworks list from their own endpoints (see their tests).
"""

from __future__ import annotations

from typing import Any

from tests.fakes import cloudflare as cf
from tests.fakes import gemini as gm

Listing = tuple[str, Any, set[str], set[str]]


def _oai(*ids: str, **extra: Any) -> dict[str, Any]:
    return {"object": "list", "data": [{"id": i, "object": "model", "created": 1,
                                        "owned_by": "x", **extra} for i in ids]}


def _or(model_id: str, prompt: str, completion: str) -> dict[str, Any]:
    return {"id": model_id, "canonical_slug": model_id, "name": model_id, "created": 1,
            "context_length": 163840, "architecture": {"modality": "text->text"},
            "pricing": {"prompt": prompt, "completion": completion, "request": "0"},
            "top_provider": {"context_length": 163840}, "per_request_limits": None,
            "supported_parameters": ["max_tokens", "reasoning"]}


def _hf(model_id: str, *providers: tuple[str, bool], text: bool = True) -> dict[str, Any]:
    return {"id": model_id, "object": "model", "created": 1, "owned_by": model_id.split("/")[0],
            "architecture": {"input_modalities": ["text"],
                             "output_modalities": ["text"] if text else ["image"]},
            "providers": [{"provider": p, "status": "live", "context_length": 131072,
                           "pricing": {"input": 0.1, "output": 0.2}, "is_free": free}
                          for p, free in providers]}


def _vercel(model_id: str, kind: str = "language", price: str = "0.00000125") -> dict[str, Any]:
    return {"id": model_id, "object": "model", "created": 1, "owned_by": "x", "name": model_id,
            "context_window": 128000, "max_tokens": 8192, "type": kind, "tags": ["tool-use"],
            "pricing": {"input": price, "output": price}}


LISTS: dict[str, Listing] = {
    "openrouter": ("/models", {"data": [
        _or("deepseek/deepseek-r1:free", "0", "0"),
        _or("qwen/qwen3-coder", "0", "0"),
        _or("openai/gpt-4o", "0.0000025", "0.00001"),
        _or("openrouter/auto", "-1", "-1"),
    ], "total_count": 4},
        {"deepseek/deepseek-r1:free", "qwen/qwen3-coder", "openai/gpt-4o"},
        {"deepseek/deepseek-r1:free", "qwen/qwen3-coder"}),
    "cerebras": ("/models", _oai("gpt-oss-120b", "llama3.1-8b", owned_by="Cerebras"),
                 {"gpt-oss-120b", "llama3.1-8b"}, {"gpt-oss-120b", "llama3.1-8b"}),
    "huggingface": ("/models", {"object": "list", "data": [
        _hf("deepseek-ai/DeepSeek-R1", ("novita", False), ("together", True)),
        _hf("meta-llama/Llama-3.1-8B-Instruct", ("novita", False)),
        _hf("black-forest-labs/FLUX.1-dev", ("fal-ai", True), text=False),
    ]}, {"deepseek-ai/DeepSeek-R1", "meta-llama/Llama-3.1-8B-Instruct"},
        {"deepseek-ai/DeepSeek-R1"}),
    "vercel": ("/models", {"object": "list", "data": [
        _vercel("openai/gpt-5"), _vercel("some/free-model", price="0"),
        _vercel("openai/text-embedding-3-small", kind="embedding"),
    ]}, {"openai/gpt-5", "some/free-model"}, {"some/free-model"}),
    "nvidia": ("/models", _oai("meta/llama-3.1-8b-instruct", "meta/llama-3.1-8b-instruct",
                               "deepseek-ai/deepseek-r1", "nvidia/nv-embedqa-e5-v5",
                               "nvidia/nv-rerankqa-mistral-4b-v3"),
               {"meta/llama-3.1-8b-instruct", "deepseek-ai/deepseek-r1"},
               {"meta/llama-3.1-8b-instruct", "deepseek-ai/deepseek-r1"}),
    "hyperbolic": ("/models", _oai("meta-llama/Llama-3.3-70B-Instruct", "deepseek-ai/DeepSeek-V3"),
                   {"meta-llama/Llama-3.3-70B-Instruct", "deepseek-ai/DeepSeek-V3"}, set()),
    "openai": ("/models", _oai("gpt-4o-mini", "gpt-5", "text-embedding-3-small", "whisper-1",
                               "tts-1", "dall-e-3", "omni-moderation-latest"),
               {"gpt-4o-mini", "gpt-5"}, set()),
    "groq": ("/models", {"object": "list", "data": [
        {"id": "llama-3.1-8b-instant", "object": "model", "created": 1, "owned_by": "Meta",
         "active": True, "context_window": 131072},
        {"id": "qwen/qwen3-32b", "object": "model", "active": True, "context_window": 131072},
        {"id": "whisper-large-v3", "object": "model", "active": True},
        {"id": "playai-tts", "object": "model", "active": True},
        {"id": "meta-llama/llama-guard-4-12b", "object": "model", "active": True},
        {"id": "old-model", "object": "model", "active": False},
    ]}, {"llama-3.1-8b-instant", "qwen/qwen3-32b"}, {"llama-3.1-8b-instant", "qwen/qwen3-32b"}),
    "mistral": ("/models", {"object": "list", "data": [
        {"id": "mistral-small-latest", "object": "model", "owned_by": "mistralai",
         "capabilities": {"completion_chat": True, "completion_fim": False},
         "max_context_length": 131072, "type": "base"},
        {"id": "mistral-embed", "object": "model",
         "capabilities": {"completion_chat": False}, "max_context_length": 8192},
    ]}, {"mistral-small-latest"}, {"mistral-small-latest"}),
    "ollama": ("/models", _oai("llama3.2:latest", "qwen3:8b", owned_by="library"),
               {"llama3.2:latest", "qwen3:8b"}, {"llama3.2:latest", "qwen3:8b"}),
    "gemini": ("", gm.MODELS, gm.MODELS_FREE, gm.MODELS_FREE),
    "cloudflare": ("", cf.search_page(cf.MODELS, 1, len(cf.MODELS)),
                   {"@cf/meta/llama-3.1-8b-instruct-fp8-fast", "@cf/openai/gpt-oss-120b",
                    "@cf/moonshotai/kimi-k2.6"}, cf.MODELS_FREE),
}

FIREWORKS_CONTROL = {"models": [
    {"name": "accounts/fireworks/models/llama-v3p1-8b-instruct", "displayName": "Llama 3.1 8B",
     "contextLength": 131072, "supportsServerless": True, "kind": "HF_BASE_MODEL"},
    {"name": "accounts/fireworks/models/deepseek-r1", "displayName": "DeepSeek R1",
     "contextLength": 163840, "supportsServerless": True},
], "nextPageToken": ""}
FIREWORKS_ALL = {"accounts/fireworks/models/llama-v3p1-8b-instruct",
                 "accounts/fireworks/models/deepseek-r1"}
