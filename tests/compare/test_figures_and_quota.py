"""Figures under each compared answer, and the quota plan made before a comparison starts."""

from __future__ import annotations

import pytest

from freechat.core.compare_figures import figure_parts, measure, quota_text
from freechat.core.compare_quota import plan_quota
from freechat.core.errors import Cancelled, ModelUnavailable
from freechat.core.events import Finished, RateLimits, RateWindow, TextDelta, Usage
from freechat.core.models import ModelRef
from freechat.core.quota import QuotaBook
from freechat.core.session import Reply

REF = ModelRef.parse("openrouter/fast/model:free")
GROQ = ModelRef.parse("groq/llama-3.3-70b-versatile")
NOW = 1_800_000_000.0  # a fixed epoch (2027-01-15 08:00 UTC) for the book's clock


def reply_with(texts: list[str], *, usage: Usage | None = None, start: float = 10.0,
               first: float = 10.5, end: float = 12.5) -> Reply:
    reply = Reply(REF, start)
    for i, text in enumerate(texts):
        reply.record(TextDelta(text), first + i * 0.01)
    if usage is not None:
        reply.record(usage, end)
    reply.record(Finished("stop"), end)
    reply.ended_at = end
    return reply


def test_tokens_per_second_is_output_over_generation_time():
    reply = reply_with(["a", "b"], usage=Usage(9, 100))
    f = measure(reply, now=99.0)
    assert f.ttft_ms == 500 and f.total_ms == 2500
    assert f.output_tokens == 100 and f.tokens_source == "reported"
    assert f.tokens_per_s == pytest.approx(100 / 2.0)  # (total − TTFT) = 2 s
    assert figure_parts(f)[:5] == ["TTFT 0.50 s", "50.0 tok/s", "100 tokens", "total 2.50 s",
                                   "✓ stop"]


def test_without_reported_usage_tokens_are_a_labelled_estimate():
    reply = reply_with(["x" * 40, "y" * 40])  # 80 characters ≈ 20 tokens
    f = measure(reply, now=99.0)
    assert f.output_tokens == 20 and f.estimated
    parts = figure_parts(f)
    assert parts[1] == "~10.0 tok/s" and parts[2] == "~20 tokens (est.)"


def test_live_figures_run_on_the_clock_while_streaming():
    reply = Reply(REF, 10.0)
    f = measure(reply, now=11.0)
    assert f.status == "waiting" and f.total_ms == 1000 and f.ttft_ms is None
    reply.record(TextDelta("abcd" * 10), 11.5)
    f = measure(reply, now=12.5)
    assert f.status == "streaming" and f.total_ms == 2500 and f.tokens_per_s == pytest.approx(10)


def test_errors_and_stops_say_how_the_answer_ended():
    reply = Reply(REF, 1.0)
    reply.fail(ModelUnavailable("no such model", provider="openrouter"), 1.2)
    assert figure_parts(measure(reply, 5.0))[4] == "✗ error: openrouter: no such model"
    stopped = reply_with(["partial"])
    stopped.status = "streaming"
    stopped.fail(Cancelled("stopped by user"), 13.0)
    assert figure_parts(measure(stopped, 20.0))[4] == "■ stopped"


def test_quota_used_names_the_tightest_reported_window():
    reply = reply_with(["hi"], usage=Usage(9, 2))
    reply.record(RateLimits((
        RateWindow("requests/minute", "requests", 20, 19),
        RateWindow("requests/day", "requests", 50, 3),
    )), 12.0)
    assert quota_text(measure(reply, 13.0)) == (
        "quota: 1 request, 9 in/2 out tok, requests/day 3/50 left")
    assert quota_text(measure(reply, 13.0, sent=False)) == "quota: nothing sent"


# --- the plan ------------------------------------------------------------------------------
def book() -> QuotaBook:
    return QuotaBook(clock=lambda: NOW)


def test_the_plan_counts_one_request_per_model_per_provider():
    plan = plan_quota(book(), [REF, ModelRef.parse("openrouter/slow/model:free"), GROQ],
                      now=NOW)
    assert [(c.provider, c.requests) for c in plan.costs] == [("openrouter", 2), ("groq", 1)]
    assert plan.summary().startswith("will use openrouter: 2 requests (50/50 requests/day "
                                     "left, counted) · groq: 1 request")
    assert plan.refused == {}


def test_a_provider_out_of_daily_quota_is_refused_with_when_it_resets():
    quota = book()
    for _ in range(50):  # OpenRouter free models: 50 requests/day (published)
        quota.record_request("openrouter", "fast/model:free")
    plan = plan_quota(quota, [GROQ, REF], now=NOW)
    assert list(plan.refused) == [1]
    reason = plan.refused[1]
    assert isinstance(reason, Exception) and reason.exit_code == 4
    assert "requests/day quota used up" in reason.one_line()
    assert "resets in 16h00m (at 00:00 UTC)" in reason.one_line()
    assert "0/50 requests/day left" in plan.summary()


def test_a_spent_minute_window_is_not_a_refusal():
    quota = book()
    quota.observe_limits("openrouter", "fast/model:free", [
        RateWindow("requests/minute", "requests", 20, 0, NOW + 30)])
    assert plan_quota(quota, [REF, GROQ], now=NOW).refused == {}


def test_without_a_book_the_plan_still_counts():
    plan = plan_quota(None, [REF, GROQ])
    assert plan.summary() == "will use openrouter: 1 request · groq: 1 request"
