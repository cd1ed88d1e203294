"""QuotaBook: sources and their precedence, day rules (UTC, Pacific across DST), R4 persistence."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from freechat.core.errors import OutOfCredit, QuotaExhausted, RateLimited
from freechat.core.events import RateWindow, Usage
from freechat.core.quota import QuotaBook
from freechat.core.quota_limits import LimitsTable, day_start, next_day_reset
from tests.quota.conftest import FakeClock


def utc(*args: int) -> float:
    return datetime(*args, tzinfo=UTC).timestamp()


def window(book: QuotaBook, provider: str, name: str, model: str | None = None):
    found = [w for w in book.snapshot(provider, model).windows if w.name == name]
    assert found, f"no {name} window for {provider}"
    return found[0]


def test_counted_requests_against_published_limit(make_book) -> None:
    book = make_book()
    for _ in range(3):
        book.record_request("openrouter", "deepseek/deepseek-r1:free")
    book.record_request("openrouter", "openai/gpt-4o")  # not a free model: not counted
    day = window(book, "openrouter", "requests/day")
    assert (day.limit, day.used, day.remaining, day.source) == (50, 3, 47, "counted")
    assert day.to_json()["resets_at"].endswith("T00:00:00Z")


def test_config_override_beats_published(make_book) -> None:
    book = make_book({"openrouter": {"requests_per_day": 1000},
                      "gemini": {"models": {"gemini-2.5-flash": {"requests_per_day": 250}}}})
    assert window(book, "openrouter", "requests/day").limit == 1000
    book.record_request("gemini", "gemini-2.5-flash")
    assert window(book, "gemini", "requests/day", "gemini-2.5-flash").limit == 250


def test_reported_beats_counted_and_goes_stale_at_reset(make_book, clock: FakeClock) -> None:
    book = make_book()
    book.record_request("cerebras", "gpt-oss-120b")
    book.observe_limits("cerebras", "gpt-oss-120b", [
        RateWindow("requests/day", "requests", 14400, 14100, clock.now + 100)])
    day = window(book, "cerebras", "requests/day", "gpt-oss-120b")
    assert (day.remaining, day.used, day.source, day.model) == (14100, 300, "reported",
                                                                "gpt-oss-120b")
    clock.advance(101)  # the window the provider described has reset
    day = window(book, "cerebras", "requests/day", "gpt-oss-120b")
    assert day.source == "counted" and day.limit == 14400  # the limit it taught us stays


def test_requests_after_a_daily_report_are_added_to_it(make_book, clock: FakeClock) -> None:
    book = make_book()
    book.observe_limits("openrouter", None, [
        RateWindow("requests/day", "requests", 1000, 990, None)])
    assert window(book, "openrouter", "requests/day").source == "reported"
    clock.advance(5)
    book.record_request("openrouter", "x:free")
    day = window(book, "openrouter", "requests/day")
    assert (day.limit, day.used, day.remaining, day.source) == (1000, 11, 989, "counted")


def test_cloudflare_neurons_are_estimated_from_tokens(make_book) -> None:
    book = make_book()
    entry = book.record_request("cloudflare", "@cf/meta/llama-3.1-8b-instruct-fp8-fast")
    book.record_usage(entry, Usage(input_tokens=1000, output_tokens=100))
    book.record_usage(entry, Usage(input_tokens=1000, output_tokens=1000))  # cumulative
    neurons = window(book, "cloudflare", "neurons/day")
    assert neurons.source == "estimated" and neurons.limit == 10000
    assert abs(neurons.used - (1000 * 4119 + 1000 * 34868) / 1e6) < 1e-9


def test_errors_mark_windows_exhausted(make_book, clock: FakeClock) -> None:
    book = make_book()
    reset = clock.now + 3600
    book.observe_error("cloudflare", "@cf/x", QuotaExhausted("used up", scope="day",
                                                             resets_at=reset))
    neurons = window(book, "cloudflare", "neurons/day")
    assert (neurons.remaining, neurons.source, neurons.resets_at) == (0, "reported", reset)
    assert book.snapshot("cloudflare").exhausted() == neurons
    # Gemini's daily 429 (no windows in the body we keep): requests/day empty until midnight PT
    book.observe_error("gemini", "gemini-2.5-flash", QuotaExhausted("x", scope="day"))
    day = window(book, "gemini", "requests/day", "gemini-2.5-flash")
    assert day.remaining == 0 and day.resets_at == next_day_reset("America/Los_Angeles",
                                                                   clock.now)
    # A per-minute 429 with Retry-After holds the minute window until then
    book.observe_error("groq", "m", RateLimited("slow down", scope="minute", retry_after=7))
    assert book.blocked_until("groq", "m") == (clock.now + 7, "requests/minute")
    # OpenRouter's 429 carries X-RateLimit-* (in metadata): the limit it reports is kept
    book.observe_error("openrouter", "x:free", RateLimited("per-day", scope="day", windows=(
        RateWindow("requests/day", "requests", 1000, 0, clock.now + 60),)))
    assert window(book, "openrouter", "requests/day").limit == 1000
    book.observe_error("vercel", "m", OutOfCredit("no money"))
    assert book.snapshot("vercel").credit.remaining == 0


def test_R4_daily_counter_survives_restart_and_resets_at_utc_midnight(tmp_path: Path) -> None:
    clock = FakeClock(utc(2026, 11, 27, 23, 58))
    path = tmp_path / "state" / "quota.json"
    first = QuotaBook(LimitsTable.default(), path, clock=clock)
    for _ in range(3):
        first.record_request("openrouter", "x:free")
    first.flush()
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    second = QuotaBook(LimitsTable.default(), path, clock=clock)  # a restart
    assert window(second, "openrouter", "requests/day").used == 3
    clock.now = utc(2026, 11, 27, 23, 59, 59)
    assert window(second, "openrouter", "requests/day").used == 3
    clock.now = utc(2026, 11, 28, 0, 0, 1)
    day = window(second, "openrouter", "requests/day")
    assert (day.used, day.remaining) == (0, 50)
    assert day.resets_at == utc(2026, 11, 29)


def test_R4_gemini_day_is_pacific_across_dst_changes(tmp_path: Path) -> None:
    rule = "America/Los_Angeles"
    # Spring forward (2026-03-08): the day that starts at 08:00Z ends at 07:00Z (PDT).
    assert day_start(rule, utc(2026, 3, 8, 12)) == utc(2026, 3, 8, 8)
    assert next_day_reset(rule, utc(2026, 3, 8, 12)) == utc(2026, 3, 9, 7)
    # Fall back (2026-11-01): a 25-hour day, 07:00Z to 08:00Z the next morning.
    assert day_start(rule, utc(2026, 11, 1, 12)) == utc(2026, 11, 1, 7)
    assert next_day_reset(rule, utc(2026, 11, 1, 12)) == utc(2026, 11, 2, 8)

    clock = FakeClock(utc(2026, 11, 2, 6))  # 22:00 PST on Nov 1: same Pacific day as 12:00Z
    path = tmp_path / "quota.json"
    book = QuotaBook(LimitsTable.default(), path, clock=clock)
    clock.now = utc(2026, 11, 1, 12)
    book.record_request("gemini", "gemini-2.5-flash")
    clock.now = utc(2026, 11, 2, 7, 30)  # 23:30 PST: still Nov 1 in Pacific time
    book.record_request("gemini", "gemini-2.5-flash")
    book.flush()
    book = QuotaBook(LimitsTable.default(), path, clock=clock)
    assert window(book, "gemini", "requests/day", "gemini-2.5-flash").used == 2
    clock.now = utc(2026, 11, 2, 8, 0, 1)  # 00:00:01 PST Nov 2: a new day
    day = window(book, "gemini", "requests/day", "gemini-2.5-flash")
    assert (day.used, day.source) == (0, "counted")
    # ... while OpenRouter's UTC day had already turned over at 00:00Z
    assert day_start("utc", clock.now) == utc(2026, 11, 2)


def test_per_minute_window_is_rolling(make_book, clock: FakeClock) -> None:
    book = make_book()
    book.record_request("nvidia", "meta/llama")
    clock.advance(30)
    book.record_request("nvidia", "meta/llama")
    minute = window(book, "nvidia", "requests/minute")
    assert (minute.used, minute.limit, minute.resets_at) == (2, 40, clock.now + 30)
    clock.advance(31)
    assert window(book, "nvidia", "requests/minute").used == 1


def test_two_instances_merge_instead_of_losing_counts(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "quota.json"
    a = QuotaBook(LimitsTable.default(), path, clock=clock)
    b = QuotaBook(LimitsTable.default(), path, clock=clock)
    a.record_request("openrouter", "x:free")
    b.record_request("openrouter", "x:free")
    b.record_request("openrouter", "x:free")
    a.flush()
    b.flush()
    a.flush()
    assert window(a, "openrouter", "requests/day").used == 3
    assert len(json.loads(path.read_text())["entries"]) == 3


def test_corrupt_ledger_is_set_aside(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "quota.json"
    path.write_text('{"schema": 1, "entries": [')
    book = QuotaBook(LimitsTable.default(), path, clock=clock)
    assert window(book, "openrouter", "requests/day").used == 0
    assert list(tmp_path.glob("quota.json.corrupt-*"))
    path.write_text(json.dumps({"entries": [{"id": 1}, "x", {"id": "a", "t": "bad"}],
                                "reported": [{"provider": "groq", "limit": float("nan")}]}))
    book = QuotaBook(LimitsTable.default(), path, clock=clock)
    book.record_request("groq", "m")
    book.flush()
    assert len(json.loads(path.read_text())["entries"]) == 1


def test_snapshot_json_schema(make_book) -> None:
    book = make_book()
    book.record_request("gemini", "gemini-2.5-flash")
    book.observe_credit("vercel", 4.5, "usd", 5.0)
    data = book.snapshot("gemini", tier="free").to_json()
    assert set(data) == {"provider", "tier", "windows", "credit", "updated_at"}
    for item in data["windows"]:
        assert {"name", "unit", "limit", "used", "remaining", "resets_at", "source"} <= set(item)
        assert item["source"] in ("reported", "counted", "estimated")
        assert item["unit"] in ("requests", "tokens", "neurons", "usd")
    assert book.snapshot("vercel").to_json()["credit"] == {
        "remaining": 4.5, "unit": "usd", "source": "reported"}
