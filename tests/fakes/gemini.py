"""Gemini native `streamGenerateContent?alt=sse` bytes, as the pydantic-ai cassette records them
(fact sheet A §4.2): `data: ` + JSON with a space after each colon, events ended by CRLF CRLF,
cumulative `usageMetadata` on every chunk, thought parts flagged `"thought": true`, the last
chunk carrying `finishReason`, and NO `[DONE]`: the body just ends.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

RESPONSE_ID = "2zR8aYTnEvahz7IPmq6EoQ0"


def gemini_sse(payload: Any) -> bytes:
    return b"data: " + json.dumps(payload, ensure_ascii=False, separators=(",", ": ")).encode(
    ) + b"\r\n\r\n"


def usage_metadata(prompt: int, candidates: int | None, thoughts: int | None) -> dict[str, Any]:
    meta: dict[str, Any] = {"promptTokenCount": prompt,
                            "promptTokensDetails": [{"modality": "TEXT", "tokenCount": prompt}]}
    if candidates is not None:
        meta["candidatesTokenCount"] = candidates
    if thoughts is not None:
        meta["thoughtsTokenCount"] = thoughts
    meta["totalTokenCount"] = prompt + (candidates or 0) + (thoughts or 0)
    return meta


def gemini_chunk(parts: list[dict[str, Any]], *, usage: dict[str, Any], finish: str | None = None,
                 model: str = "gemini-2.5-flash") -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"parts": parts, "role": "model"}, "index": 0}
    if finish:
        candidate["finishReason"] = finish
    return {"candidates": [candidate], "usageMetadata": usage, "modelVersion": model,
            "responseId": RESPONSE_ID}


def gemini_stream(
    texts: Sequence[str], *, thoughts: Sequence[str] = (), prompt_tokens: int = 34,
    completion_tokens: int = 17, thought_tokens: int | None = None, finish: str = "STOP",
    model: str = "gemini-2.5-flash", signature_tail: bool = False,
) -> list[bytes]:
    """Thought chunks first (no candidatesTokenCount yet), then text chunks with growing
    counts; the last text chunk has `finishReason`. `signature_tail` ends with a gemini-3
    style empty-text part that carries only a thoughtSignature."""
    events = []
    thought_total = thought_tokens if thought_tokens is not None else (
        len(thoughts) * 10 if thoughts else None)
    for thought in thoughts:
        events.append(gemini_sse(gemini_chunk(
            [{"text": thought, "thought": True}],
            usage=usage_metadata(prompt_tokens, None, thought_total), model=model)))
    for i, text in enumerate(texts):
        last = i == len(texts) - 1 and not signature_tail
        count = completion_tokens if last else max(1, completion_tokens * (i + 1) // len(texts))
        part: dict[str, Any] = {"text": text}
        if i == 0 and thoughts:
            part["thoughtSignature"] = "CiIBcsjafACy"
        events.append(gemini_sse(gemini_chunk(
            [part], usage=usage_metadata(prompt_tokens, count, thought_total),
            finish=finish if last else None, model=model)))
    if signature_tail:
        events.append(gemini_sse(gemini_chunk(
            [{"text": "", "thoughtSignature": "EjQKMgFyyNp8"}],
            usage=usage_metadata(prompt_tokens, completion_tokens, thought_total),
            finish=finish, model=model)))
    return events


def google_error(code: int, status: str, message: str,
                 details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message, "status": status}
    if details is not None:
        error["details"] = details
    return {"error": error}


BAD_KEY = google_error(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", [
    {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID",
     "domain": "googleapis.com",
     "metadata": {"service": "generativelanguage.googleapis.com"}},
    {"@type": "type.googleapis.com/google.rpc.LocalizedMessage", "locale": "en-US",
     "message": "API key not valid. Please pass a valid API key."},
])
NO_KEY = google_error(403, "PERMISSION_DENIED",
                      "Method doesn't allow unregistered callers (callers without established "
                      "identity). Please use API Key or other form of API consumer identity.")


def quota_error(quota_id: str, *, value: str = "20", delay: str = "23s",
                model: str = "gemini-2.5-flash") -> dict[str, Any]:
    return google_error(
        429, "RESOURCE_EXHAUSTED",
        "You exceeded your current quota, please check your plan and billing details. * Quota "
        "exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_"
        f"requests, limit: {value}, model: {model}\nPlease retry in 23.478s.",
        [{"@type": "type.googleapis.com/google.rpc.Help", "links": [
            {"description": "Learn more about Gemini API quotas",
             "url": "https://ai.google.dev/gemini-api/docs/rate-limits"}]},
         {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [
             {"quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_"
                             "requests", "quotaId": quota_id,
              "quotaDimensions": {"location": "global", "model": model}, "quotaValue": value}]},
         {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": delay}])


PER_DAY = "GenerateRequestsPerDayPerProjectPerModel-FreeTier"
PER_MINUTE = "GenerateRequestsPerMinutePerProjectPerModel-FreeTier"
NOT_FOUND = google_error(
    404, "NOT_FOUND", "models/foo is not found for API version v1beta, or is not supported for "
    "generateContent. Call ListModels to see the list of available models and their supported "
    "methods.")
TOO_LONG = google_error(400, "INVALID_ARGUMENT", "The input token count (1200000) exceeds the "
                        "maximum number of tokens allowed (1048576).")
OVERLOADED = google_error(503, "UNAVAILABLE", "The model is overloaded. Please try again later.")


def model(name: str, methods: Sequence[str] = ("generateContent", "countTokens"),
          **extra: Any) -> dict[str, Any]:
    return {"name": f"models/{name}", "version": "001", "displayName": name,
            "inputTokenLimit": 1048576, "outputTokenLimit": 65536,
            "supportedGenerationMethods": list(methods), **extra}


MODELS = {"models": [
    model("gemini-2.5-flash", thinking=True),
    model("gemini-2.5-flash-lite", thinking=True),
    model("gemma-3-27b-it"),
    model("gemini-2.5-flash-preview-tts"),
    model("gemini-2.5-flash-image"),
    model("gemini-2.0-flash-exp-image-generation"),
    model("gemini-2.5-flash-native-audio-latest"),
    model("gemini-embedding-001", ("embedContent",)),
    model("text-embedding-004", ("embedContent",)),
    model("imagen-4.0-generate-001", ("predict",)),
    model("veo-3.0-generate-001", ("predictLongRunning",)),
    model("aqa", ("generateAnswer",)),
    model("gemini-2.5-computer-use-preview-10-2025"),
    model("deep-research-pro-preview-12-2025"),
]}
MODELS_FREE = {"gemini-2.5-flash", "gemini-2.5-flash-lite", "gemma-3-27b-it"}
