"""The free-only fallback chain (issue 4) and exhausted-model detection, on a fake clock."""

from __future__ import annotations

from freechat.core.config import parse_config
from freechat.core.errors import OutOfCredit, ProviderError, QuotaExhausted, RateLimited
from freechat.core.events import RateWindow
from freechat.core.fallback import (
    exhausted_models,
    exhausted_window,
    fallback_chain,
    next_fallback,
    triggers_fallback,
)
from freechat.core.models import ModelInfo, ModelRef
from freechat.core.quota import QuotaBook
from freechat.core.quota_limits import LimitsTable

NOW = 1_790_000_000.0
R1 = ModelRef("openrouter", "deepseek/deepseek-r1:free")
LLAMA = ModelRef("openrouter", "meta-llama/llama-3.3-70b-instruct:free")
GPT = ModelRef("openrouter", "openai/gpt-4o")
GROQ = ModelRef("groq", "llama-3.1-8b-instant")
HYPER = ModelRef("hyperbolic", "meta-llama/Llama-3.3-70B-Instruct")
KNOWN = [ModelInfo(R1), ModelInfo(GPT, tier="paid"), ModelInfo(LLAMA), ModelInfo(GROQ),
         ModelInfo(HYPER, tier="trial-credit")]
TIERS = {"openrouter": "free", "groq": "free", "hyperbolic": "trial-credit"}


def book() -> QuotaBook:
    return QuotaBook(LimitsTable.default(), clock=lambda: NOW)


def chain(entries, current=R1, usable=lambda p: True, blocked=lambda r: False):
    return fallback_chain(entries, current, KNOWN, usable=usable, blocked=blocked,
                          provider_tiers=TIERS)


def test_auto_takes_free_models_only_current_provider_first():
    assert chain(["auto"]) == [LLAMA, GROQ]
    assert chain([]) == [LLAMA, GROQ]  # no setting: auto


def test_paid_and_trial_models_only_when_listed_by_name():
    assert chain([str(HYPER), "auto"]) == [HYPER, LLAMA, GROQ]
    assert chain([str(GPT)]) == [GPT]


def test_unusable_providers_and_blocked_models_are_skipped():
    assert chain(["auto"], usable=lambda p: p != "groq") == [LLAMA]
    assert chain(["auto"], blocked=lambda r: r.provider == "openrouter") == [GROQ]
    assert chain([str(GROQ), "auto"]) == [GROQ, LLAMA]  # no duplicates, listed order first


def test_next_fallback_skips_models_already_tried():
    models = chain(["auto"])
    assert next_fallback(models, [R1]) == LLAMA
    assert next_fallback(models, [R1, LLAMA]) == GROQ
    assert next_fallback(models, [R1, LLAMA, GROQ]) is None


def test_rate_limits_and_credit_trigger_a_fallback_other_errors_do_not():
    assert triggers_fallback(RateLimited("slow down", scope="minute"))
    assert triggers_fallback(QuotaExhausted("daily", scope="day"))
    assert triggers_fallback(OutOfCredit("no money"))
    assert not triggers_fallback(ProviderError("502"))
    assert not triggers_fallback(None)


def test_exhausted_free_models_but_not_paid_ones_on_a_free_only_provider():
    quota = book()
    assert exhausted_window(quota, R1) is None  # nothing known yet
    quota.observe_limits("openrouter", R1.model, [
        RateWindow("requests/day", "requests", 50, 0, NOW + 3600)])
    window = exhausted_window(quota, R1)
    assert window is not None and window.name == "requests/day"
    assert window.resets_at == NOW + 3600
    found = exhausted_models(quota, KNOWN, TIERS)
    assert set(found) == {R1, LLAMA}  # account-wide for :free models; GPT-4o is paid


def test_per_model_budgets_block_only_that_model():
    quota = book()
    quota.observe_error("groq", GROQ.model, QuotaExhausted("daily", scope="day"))
    other = ModelRef("groq", "qwen/qwen3-32b")
    assert exhausted_window(quota, GROQ) is not None
    assert exhausted_window(quota, other) is None


def test_config_parses_fallback_and_auto_fallback(tmp_path):
    path = tmp_path / "config.toml"
    config = parse_config({"fallback": ["groq/llama-3.1-8b-instant", "auto", "nonsense"],
                           "auto_fallback": True}, path)
    assert config.fallback == ["groq/llama-3.1-8b-instant", "auto"]
    assert config.auto_fallback is True
    assert any("nonsense" in w for w in config.warnings)
    assert parse_config({"fallback": "auto"}, path).fallback == ["auto"]
    assert parse_config({}, path).fallback == [] and not parse_config({}, path).auto_fallback
