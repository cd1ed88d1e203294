"""Quota endpoints parsed from the fake server (fact-sheet shapes, numbers as strings too)."""

from __future__ import annotations

import pytest

from freechat.core.errors import AuthError, ProtocolError
from freechat.core.quota_sources import (
    fetch_reports,
    hf_billing,
    hyperbolic_balance,
    openrouter_key,
    refresh_provider,
    vercel_credits,
)
from tests.fakes.server import FakeResponse
from tests.quota.conftest import T0, adapter_for

KEY_BODY = {"data": {
    "label": "sk-or-v1-abc…", "limit": None, "limit_reset": None, "limit_remaining": None,
    "include_byok_in_limit": False, "usage": 0.0, "usage_daily": 0, "is_free_tier": True,
    "free_model_daily_requests": {"used": 12, "limit": 50, "remaining": 38},
    "rate_limit": {"requests": -1, "interval": "10s", "note": "deprecated"}}}


async def test_openrouter_key_reports_free_daily_requests(fake_server, http_client) -> None:
    fake_server.route("GET", "/key", FakeResponse.json(KEY_BODY))
    report = await openrouter_key(adapter_for("openrouter", fake_server.url, http_client), T0)
    (day,) = report.windows
    assert (day.name, day.limit, day.remaining, day.source) == ("requests/day", 50, 38,
                                                                "reported")
    assert day.resets_at == 1790035200.0  # 2026-09-22T00:00:00Z, the next UTC midnight
    assert report.credit is None
    assert fake_server.requests[0].headers["authorization"].startswith("Bearer ")


async def test_openrouter_key_without_daily_block_uses_tier(fake_server, http_client) -> None:
    body = {"data": {**KEY_BODY["data"], "is_free_tier": False, "limit": 10,
                     "limit_remaining": "7.5"}}
    del body["data"]["free_model_daily_requests"]
    fake_server.route("GET", "/key", FakeResponse.json(body))
    report = await openrouter_key(adapter_for("openrouter", fake_server.url, http_client), T0)
    assert [(w.limit, w.remaining) for w in report.windows] == [(1000, None)]
    assert (report.credit, report.credit_limit) == (7.5, 10)


async def test_openrouter_refresh_feeds_the_book(fake_server, http_client, make_book) -> None:
    fake_server.route("GET", "/key", FakeResponse.json(KEY_BODY))
    fake_server.route("GET", "/credits", FakeResponse.json(
        {"data": {"total_credits": 10.0, "total_usage": 2.34}}))
    book = make_book()
    adapter = adapter_for("openrouter", fake_server.url, http_client)
    assert await refresh_provider(book, adapter, T0) is None
    quota = book.snapshot("openrouter")
    day = next(w for w in quota.windows if w.name == "requests/day")
    assert (day.used, day.remaining, day.source) == (12, 38, "reported")
    assert quota.credit.remaining == pytest.approx(7.66) and quota.credit.source == "reported"


async def test_openrouter_credits_needing_a_management_key_is_fine(fake_server,
                                                                   http_client) -> None:
    fake_server.route("GET", "/key", FakeResponse.json(KEY_BODY))
    fake_server.route("GET", "/credits", FakeResponse.json(
        {"error": {"message": "Only management keys can perform this operation", "code": 403}},
        403))
    reports = await fetch_reports(adapter_for("openrouter", fake_server.url, http_client), T0)
    assert len(reports) == 1 and reports[0].windows


async def test_vercel_credits_are_strings(fake_server, http_client) -> None:
    fake_server.route("GET", "/credits", FakeResponse.json(
        {"balance": "95.50", "total_used": "4.50"}))
    report = await vercel_credits(adapter_for("vercel", fake_server.url, http_client))
    assert (report.credit, report.credit_limit) == (95.5, 100.0)


async def test_hyperbolic_balance_is_in_cents_beside_v1(fake_server, http_client) -> None:
    fake_server.route("GET", "/billing/get_current_balance", FakeResponse.json({"credits": 123}))
    adapter = adapter_for("hyperbolic", fake_server.url + "/v1", http_client)
    report = await hyperbolic_balance(adapter)
    assert report.credit == 1.23
    assert fake_server.requests[0].path == "/billing/get_current_balance"


async def test_hf_billing_monthly_included_credit(fake_server, http_client, make_book) -> None:
    fake_server.route("GET", "/api/settings/billing/usage-v2", FakeResponse.json(
        {"usage": {"inferenceProviders": {"usedNanoUsd": 40_000_000,
                                          "includedNanoUsd": 100_000_000,
                                          "limitNanoUsd": None, "numRequests": 42,
                                          "periodStart": "2026-09-01T00:00:00.000Z",
                                          "periodEnd": "2026-10-01T00:00:00.000Z"}},
         "jobs": {"usedMicroUsd": 0}}))
    adapter = adapter_for("huggingface", fake_server.url + "/v1", http_client)
    report = await hf_billing(adapter, fake_server.url, T0)
    (month,) = report.windows
    assert (month.name, month.unit, month.limit) == ("usd/month", "usd", 0.1)
    assert month.remaining == pytest.approx(0.06) and report.credit == pytest.approx(0.06)
    assert month.resets_at == 1790812800.0
    query = fake_server.requests[0].query
    assert query["startDate"] == ["1788220800"] and int(query["endDate"][0]) > T0
    book = make_book()
    report.apply(book, "huggingface")
    assert book.snapshot("huggingface").windows[-1].source == "reported"


@pytest.mark.parametrize("body", [{"balance": None}, ["x"], {"data": "x"}, {"credits": "lots"}])
async def test_unexpected_shapes_are_protocol_errors(body, fake_server, http_client) -> None:
    fake_server.route("GET", "/credits", FakeResponse.json(body))
    with pytest.raises(ProtocolError):
        await vercel_credits(adapter_for("vercel", fake_server.url, http_client))


async def test_rejected_key_is_reported_not_raised(fake_server, http_client, make_book) -> None:
    fake_server.route("GET", "/credits", FakeResponse.json(
        {"error": {"message": "Authentication failed.", "type": "authentication_error"}}, 401))
    error = await refresh_provider(make_book(), adapter_for("vercel", fake_server.url,
                                                            http_client), T0)
    assert isinstance(error, AuthError)
