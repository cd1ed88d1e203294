"""Every error body the fact sheets record, per provider, with the typed error it must become.

A case is (name, status, body, headers, expected error class name). A dict/list body is sent
as JSON; a str body as text/plain (NVIDIA's `404 page not found`) or HTML when it starts '<'.
"""

from __future__ import annotations

from typing import Any

from tests.fakes import cloudflare as cf
from tests.fakes import gemini as gm

Case = tuple[str, int, Any, dict[str, str], str]


def _oai(message: str, type_: str | None, code: Any = None, param: Any = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


CONTEXT_OAI = _oai("This model's maximum context length is 128000 tokens. However, your "
                   "messages resulted in 130000 tokens.", "invalid_request_error",
                   "context_length_exceeded", "messages")

ERRORS: dict[str, list[Case]] = {
    "openrouter": [
        ("bad_key", 401, {"error": {"message": "No auth credentials found", "code": 401}}, {},
         "AuthError"),
        ("negative_balance", 402, {"error": {"message": "Insufficient credits. Add more using "
                                             "https://openrouter.ai/settings/credits",
                                             "code": 402}}, {}, "OutOfCredit"),
        ("gone", 404, {"error": {"code": 404, "message": "No endpoints found for "
                                 "google/gemini-2.5-flash:free."}, "user_id": "user_1"}, {},
         "ModelUnavailable"),
        ("bad_model", 400, {"error": {"message": "foo/bar is not a valid model ID", "code": 400},
                            "user_id": "user_1"}, {}, "ModelUnavailable"),
        ("context", 400, {"error": {"code": 400, "message": "This endpoint's maximum context "
                                    "length is 8192 tokens. However, you requested about 9000",
                                    "metadata": {"error_type": "context_length_exceeded"}}}, {},
         "ContextTooLong"),
        ("per_day", 429, {"error": {"message": "Rate limit exceeded: free-models-per-day. Add 10 "
                                    "credits to unlock 1000 free model requests per day",
                                    "code": 429, "metadata": {"headers": {
                                        "X-RateLimit-Limit": "50", "X-RateLimit-Remaining": "0",
                                        "X-RateLimit-Reset": "1790812800000"}}}}, {},
         "QuotaExhausted"),
        ("per_min", 429, {"error": {"message": "Rate limit exceeded: free-models-per-min.",
                                    "code": 429}}, {"retry-after": "7"}, "RateLimited"),
        ("upstream", 429, {"error": {"message": "Provider returned error", "code": 429,
                                     "metadata": {"raw": "google/gemma-3-27b-it:free is "
                                                  "temporarily rate-limited upstream.",
                                                  "provider_name": "Google AI Studio"}}}, {},
         "RateLimited"),
        ("overloaded", 503, {"error": {"code": 503, "message": "overloaded", "metadata": {
            "error_type": "provider_overloaded"}}}, {}, "ProviderError"),
    ],
    "cerebras": [
        ("bad_key", 401, {"message": "Wrong API Key", "type": "invalid_request_error",
                          "param": "api_key", "code": "wrong_api_key"}, {}, "AuthError"),
        ("no_auth", 403, {"detail": "Not authenticated"}, {}, "AuthError"),
        ("rpm", 429, {"message": "Requests per minute limit exceeded - too many requests sent.",
                      "type": "too_many_requests_error", "param": "quota",
                      "code": "request_quota_exceeded"}, {}, "RateLimited"),
        ("tpd", 429, {"message": "Tokens per day limit exceeded - too many tokens processed.",
                      "type": "too_many_requests_error", "param": "quota",
                      "code": "token_quota_exceeded"}, {}, "QuotaExhausted"),
        ("model", 404, {"message": "Model foo does not exist or you do not have access to it.",
                        "type": "not_found_error", "param": "model",
                        "code": "model_not_found"}, {}, "ModelUnavailable"),
        ("context", 400, {"message": "Please reduce the length of the messages or completion. "
                          "Current length is 42328 while limit is 40000",
                          "type": "invalid_request_error", "param": "messages",
                          "code": "context_length_exceeded"}, {}, "ContextTooLong"),
        ("payment", 402, {"message": "Payment required", "type": "payment_required_error"}, {},
         "OutOfCredit"),
    ],
    "cloudflare": [
        ("bad_token", 401, cf.BAD_TOKEN, {}, "AuthError"),
        ("daily_neurons", 429, cf.DAILY_NEURONS, {}, "QuotaExhausted"),
        ("capacity", 429, cf.CAPACITY, {}, "RateLimited"),
        ("no_model", 400, cf.NO_SUCH_MODEL, {}, "ModelUnavailable"),
        ("bad_account", 404, cf.BAD_ACCOUNT, {}, "AuthError"),
        ("too_large", 413, cf.TOO_LARGE, {}, "ContextTooLong"),
        ("permission", 403, cf.PERMISSION, {}, "AuthError"),
    ],
    "huggingface": [
        ("bad_token", 401, {"error": "Invalid credentials in Authorization header"}, {},
         "AuthError"),
        ("no_permission", 403, {"error": "This authentication method does not have sufficient "
                                "permissions to call Inference Providers on behalf of user x"},
         {}, "AuthError"),
        ("credits", 402, {"error": "You have depleted your monthly included credits. Purchase "
                          "pre-paid credits to continue using Inference Providers."}, {},
         "OutOfCredit"),
        ("not_supported", 400, {"error": {"message": "The requested model 'X' is not supported by "
                                          "any provider you have enabled.",
                                          "type": "invalid_request_error", "param": "model",
                                          "code": "model_not_supported"}}, {}, "ModelUnavailable"),
        ("no_model", 400, {"error": {"message": "The requested model 'deepseek-ai/DeepSeek-V4' "
                                     "does not exist.", "type": "invalid_request_error",
                                     "param": "model", "code": "model_not_found"}}, {},
         "ModelUnavailable"),
        ("timeout_html", 504, "<html><body>Gateway Timeout</body></html>", {}, "ProviderError"),
    ],
    "vercel": [
        ("bad_key", 401, {"error": {"message": "Authentication failed. Create an API key and set "
                                    "in AI_GATEWAY_API_KEY environment variable.",
                                    "type": "authentication_error"}}, {}, "AuthError"),
        ("credits", 402, {"error": {"message": "Insufficient funds", "type":
                                    "quota_for_entity_exceeded"}}, {}, "OutOfCredit"),
        ("free_tier", 403, {"error": {"message": "This model is not available on the free tier",
                                      "type": "forbidden"}}, {}, "ModelUnavailable"),
        ("model", 404, {"error": {"message": "Model 'x' not found", "type": "model_not_found",
                                  "param": {"modelId": "x"}}}, {}, "ModelUnavailable"),
        ("rate", 429, {"error": {"message": "Rate limit exceeded", "type":
                                 "rate_limit_exceeded"}}, {"retry-after": "3"}, "RateLimited"),
    ],
    "gemini": [
        ("bad_key", 400, gm.BAD_KEY, {}, "AuthError"),
        ("no_key", 403, gm.NO_KEY, {}, "AuthError"),
        ("per_day", 429, gm.quota_error(gm.PER_DAY), {}, "QuotaExhausted"),
        ("per_minute", 429, gm.quota_error(gm.PER_MINUTE, value="10"), {}, "RateLimited"),
        ("per_minute_list", 429, [gm.quota_error(gm.PER_MINUTE, value="10")], {},
         "RateLimited"),
        ("not_found", 404, gm.NOT_FOUND, {}, "ModelUnavailable"),
        ("too_long", 400, gm.TOO_LONG, {}, "ContextTooLong"),
        ("overloaded", 503, gm.OVERLOADED, {}, "ProviderError"),
    ],
    "nvidia": [
        ("bad_key", 403, {"status": 403, "title": "Forbidden", "detail": "Authorization failed"},
         {"content-type": "application/problem+json"}, "AuthError"),
        ("bad_key_401", 401, {"status": 401, "title": "Unauthorized",
                              "detail": "Authentication failed"}, {}, "AuthError"),
        ("plain_404", 404, "404 page not found", {}, "ModelUnavailable"),
        ("problem_404", 404, {"status": 404, "title": "Not Found", "detail": "Function 'x': Not "
                              "found for account 'y'"}, {}, "ModelUnavailable"),
        ("rate", 429, {"status": 429, "title": "Too Many Requests"}, {}, "RateLimited"),
        ("worker_limit", 500, "ResourceExhausted: Worker local total request limit reached "
                              "(33/32)", {}, "RateLimited"),
        ("retired", 410, {"status": 410, "title": "Gone", "detail": "model retired"}, {},
         "ModelUnavailable"),
        ("context", 400, "This model's maximum context length is 16384 tokens. However, you "
                         "requested 20000 tokens", {}, "ContextTooLong"),
    ],
    "hyperbolic": [
        ("not_allowed", 400, {"object": "error", "message": "Only Qwen/Qwen2.5-72B-Instruct && "
                              "meta-llama/Llama-3.3-70B-Instruct allowed now, your model "
                              "mistralai/Mixtral-8x7B-Instruct-v0.1", "type": "", "param": None,
                              "code": 40301}, {}, "ModelUnavailable"),
        ("bad_key", 401, {"detail": "Invalid API key"}, {}, "AuthError"),
        ("credit", 402, {"detail": "Insufficient balance"}, {}, "OutOfCredit"),
        ("rate", 429, {"object": "error", "message": "Rate limit exceeded", "type": "",
                       "param": None, "code": 42900}, {}, "RateLimited"),
    ],
    "fireworks": [
        ("bad_key", 401, {"error": {"message": "The API key you provided is invalid.",
                                    "param": None, "code": "UNAUTHORIZED", "type": "error"},
                          "request_id": "r1"}, {}, "AuthError"),
        ("suspended", 412, {"error": {"message": "Account x is suspended, possibly due to reaching "
                                      "the monthly spending limit or failure to pay past invoices.",
                                      "param": None, "code": "PRECONDITION_FAILED",
                                      "type": "error"}, "request_id": "r1"}, {}, "OutOfCredit"),
        ("rate", 429, {"error": {"message": "rate limited", "type": "error"}},
         {"x-ratelimit-over-limit": "yes"}, "RateLimited"),
        ("model", 404, {"error": {"object": "error", "type": "invalid_request_error",
                                  "code": "NOT_FOUND", "message": "Model not found, "
                                  "inaccessible, and/or not deployed"}}, {}, "ModelUnavailable"),
        ("context", 400, {"error": {"object": "error", "type": "invalid_request_error",
                                    "message": "The prompt is too long: 140000, model maximum "
                                    "context length: 131072"}}, {}, "ContextTooLong"),
    ],
    "openai": [
        ("bad_key", 401, _oai("Incorrect API key provided: sk-abc***xyz.",
                              "invalid_request_error", "invalid_api_key"), {}, "AuthError"),
        ("insufficient_quota", 429, _oai("You exceeded your current quota, please check your "
                                         "plan and billing details.", "insufficient_quota",
                                         "insufficient_quota"), {}, "OutOfCredit"),
        ("rate", 429, _oai("Rate limit reached for gpt-4o-mini in organization org-x on requests "
                           "per min (RPM): Limit 3, Used 3, Requested 1. Please try again in "
                           "20s.", "requests", "rate_limit_exceeded"), {"retry-after": "20"},
         "RateLimited"),
        ("model", 404, _oai("The model `x` does not exist or you do not have access to it.",
                            "invalid_request_error", "model_not_found"), {}, "ModelUnavailable"),
        ("context", 400, CONTEXT_OAI, {}, "ContextTooLong"),
        ("region", 403, _oai("Country, region, or territory not supported", "request_forbidden",
                             "unsupported_country_region_territory"), {}, "ProviderError"),
    ],
    "groq": [
        ("bad_key", 401, _oai("Invalid API Key", "invalid_request_error", "invalid_api_key"), {},
         "AuthError"),
        ("model", 404, _oai("The model `foo` does not exist or you do not have access to it.",
                            "invalid_request_error", "model_not_found"), {}, "ModelUnavailable"),
        ("context", 400, _oai("Please reduce the length of the messages or completion.",
                              "invalid_request_error", "context_length_exceeded", "messages"), {},
         "ContextTooLong"),
        ("tpm", 429, _oai("Rate limit reached for model `llama-3.3-70b-versatile` in organization "
                          "`org_1` service tier `on_demand` on tokens per minute (TPM): Limit "
                          "12000, Used 11972, Requested 4351. Please try again in 5.289s.",
                          "tokens", "rate_limit_exceeded"), {"retry-after": "6"}, "RateLimited"),
        ("rpd", 429, _oai("Rate limit reached for model `llama-3.3-70b-versatile` in organization "
                          "`org_1` service tier `on_demand` on requests per day (RPD): Limit "
                          "1000, Used 1000, Requested 1. Please try again in 1m26.4s.",
                          "requests", "rate_limit_exceeded"), {"retry-after": "87"},
         "QuotaExhausted"),
        ("too_large", 413, _oai("Request too large for model `llama-3.1-8b-instant` in "
                                "organization `org_1` on tokens per minute (TPM): Limit 6000, "
                                "Requested 9000", "tokens", "rate_limit_exceeded"), {},
         "ContextTooLong"),
    ],
    "mistral": [
        ("bad_key", 401, {"detail": "Unauthorized"}, {}, "AuthError"),
        ("bad_key_old", 401, {"message": "Unauthorized", "request_id": "r1"}, {}, "AuthError"),
        ("rate", 429, {"object": "error", "message": "Requests rate limit exceeded",
                       "type": "rate_limited", "param": None, "code": "1300"}, {},
         "RateLimited"),
        ("capacity", 429, {"object": "error", "message": "Service tier capacity exceeded for "
                           "this model.", "type": "service_tier_capacity_exceeded",
                           "param": None, "code": "3505"}, {}, "RateLimited"),
        ("model", 400, {"object": "error", "message": "Invalid model: foo",
                        "type": "invalid_model", "param": None, "code": "1500"}, {},
         "ModelUnavailable"),
        ("context", 400, {"object": "error", "message": "Prompt contains 40000 tokens and 0 draft "
                          "tokens, too large for model with 32768 maximum context length",
                          "type": "invalid_request_error", "param": None, "code": "3051"}, {},
         "ContextTooLong"),
    ],
    "ollama": [
        ("model", 404, {"error": {"message": "model 'x' not found", "type": "not_found_error",
                                  "param": None, "code": None}}, {}, "ModelUnavailable"),
        ("subscription", 403, {"error": {"message": "this model requires a subscription, upgrade "
                                         "for access: https://ollama.com/upgrade",
                                         "type": "api_error", "param": None}}, {},
         "ModelUnavailable"),
    ],
    "llamacpp": [
        ("context", 400, {"error": {"code": 400, "message": "request (13392 tokens) exceeds the "
                                    "available context size (8192 tokens), try increasing it",
                                    "type": "exceed_context_size_error",
                                    "n_prompt_tokens": 13392, "n_ctx": 8192}}, {},
         "ContextTooLong"),
        ("loading", 503, {"error": {"code": 503, "message": "Loading model",
                                    "type": "unavailable_error"}}, {}, "ProviderError"),
        ("bad_key", 401, {"error": {"code": 401, "message": "Invalid API Key",
                                    "type": "authentication_error"}}, {}, "AuthError"),
    ],
}
