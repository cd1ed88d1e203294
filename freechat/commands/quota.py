"""`freechat quota`: what is left of each configured provider's free quota, and how sure we are.

Without `--refresh` nothing touches the network: the figures come from the quota ledger (what
freechat counted and what providers last reported). `--refresh` asks the quota endpoints
(OpenRouter, Vercel, Hyperbolic, Hugging Face) and probes local servers first.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time

from freechat.core.errors import FreechatError
from freechat.core.quota import ProviderQuota, QuotaBook, QuotaWindow, open_book
from freechat.core.runtime import Runtime

MARK = {"reported": "", "counted": "", "estimated": "~"}


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("quota", help="show the free quota left per provider")
    parser.add_argument("--provider", help="only this provider id")
    parser.add_argument("--refresh", action="store_true",
                        help="ask the providers' quota endpoints first (network)")
    parser.add_argument("--json", action="store_true", help="print a JSON list")


def duration(seconds: float) -> str:
    """3h12m, 45m, 12s: the countdown wording of the status bar and this command."""
    seconds = max(int(seconds + 0.999), 0)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d{hours}h"
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{secs:02d}s" if minutes < 10 else f"{minutes}m"
    return f"{secs}s"


def amount(value: float | None, unit: str) -> str:
    if value is None:
        return "?"
    if unit == "usd":
        return f"${value:,.2f}"
    if value >= 100_000:
        return f"{value / 1000:,.0f}k"
    return f"{value:,.0f}" if float(value).is_integer() or value >= 100 else f"{value:,.1f}"


def window_line(window: QuotaWindow, now: float) -> str:
    name = window.name + (f" [{window.model}]" if window.model else "")
    if window.limit is not None and window.remaining is not None:
        figure = f"{amount(window.remaining, window.unit)}/{amount(window.limit, window.unit)} left"
    elif window.remaining is not None:
        figure = f"{amount(window.remaining, window.unit)} left"
    else:
        figure = f"{amount(window.used, window.unit)} used"
    figure = MARK.get(window.source, "") + figure
    reset = f"resets in {duration(window.resets_at - now)}" if window.resets_at else ""
    return f"  {name:<34} {figure:<22} {reset:<18} {window.source}".rstrip()


def render(quotas: list[ProviderQuota], now: float) -> str:
    lines: list[str] = []
    for quota in quotas:
        lines.append(f"{quota.provider} ({quota.tier})")
        lines += [window_line(w, now) for w in quota.windows]
        if quota.credit is not None:
            credit = amount(quota.credit.remaining, quota.credit.unit)
            lines.append(f"  {'credit':<34} {credit + ' left':<22} {'':<18} {quota.credit.source}")
        if not quota.windows and quota.credit is None:
            lines.append("  no figures yet")
    return "\n".join(lines)


async def collect(runtime: Runtime, book: QuotaBook, providers: list[str] | None,
                  refresh: bool) -> tuple[list[ProviderQuota], list[FreechatError]]:
    from freechat.core.quota_sources import gather_quota

    async with runtime.make_client() as client:
        return await gather_quota(runtime, book, client, providers=providers, refresh=refresh)


def run(args: argparse.Namespace, runtime: Runtime) -> int:
    providers = None
    if args.provider:
        runtime.spec(args.provider)  # unknown id: usage error listing the known ones
        providers = [args.provider]
    book = open_book(runtime)
    if args.refresh:
        quotas, errors = asyncio.run(collect(runtime, book, providers, True))
    else:
        from freechat.core.quota_sources import configured_providers

        chosen = providers or configured_providers(runtime, book)
        quotas = [book.snapshot(pid, tier=runtime.spec(pid).tier) for pid in chosen]
        errors = []
    for error in errors:  # one line each; the figures we do have are still printed
        print(f"freechat: {error.one_line()}", file=sys.stderr)
    if args.json:
        sys.stdout.write(json.dumps([q.to_json() for q in quotas], ensure_ascii=False) + "\n")
    elif quotas:
        print(render(quotas, time.time()))
    else:
        print("no providers configured: set a key (freechat keys set ID) or an env var",
              file=sys.stderr)
    return 0
