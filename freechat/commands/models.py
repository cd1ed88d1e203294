"""`freechat models [--provider ID] [--free] [--refresh] [--json]`: what each provider offers.

Each provider's live list is fetched (and cached); a provider that cannot be asked (offline,
no key, an error) falls back to the cached list or the bundled catalog, with a note on
stderr. With `--refresh` and one `--provider`, a failure is an error (exit code of DESIGN §5).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

import httpx

from freechat.core.errors import FreechatError, NetworkError
from freechat.core.model_directory import (
    SOURCE_CACHE,
    SOURCE_CATALOG,
    SOURCE_LIVE,
    Listing,
    ModelDirectory,
)
from freechat.core.models import TIER_LOCAL
from freechat.core.runtime import Runtime


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("models", help="list models (add --free for the $0 ones)")
    parser.add_argument("--provider", help="provider id (default: every provider)")
    parser.add_argument("--free", action="store_true", help="only models usable for free")
    parser.add_argument("--refresh", action="store_true",
                        help="ask the provider; fail instead of falling back to the cache")
    parser.add_argument("--json", action="store_true", help="print a JSON list")


NO_KEY = "no key"  # marker: the provider lists only with a key, and none is set


def _fallback_note(listing: Listing) -> str:
    if listing.source == SOURCE_CACHE:
        return f"showing the cached list from {listing.fetched_at or 'earlier'}"
    if listing.source == SOURCE_CATALOG:
        return f"showing the bundled catalog ({listing.fetched_at or 'undated'})"
    return "no cached list either"


async def _one(runtime: Runtime, directory: ModelDirectory, provider: str,
               client: httpx.AsyncClient, strict: bool,
               quiet_local: bool) -> tuple[Listing, str | None]:
    """(listing, note for stderr or None). Raises only when `strict`."""
    spec = runtime.spec(provider)
    if spec.models_need_key and not runtime.keys.lookup(spec).found and not strict:
        return directory.listing(provider), NO_KEY
    try:
        models = await directory.refresh(provider, client)
    except FreechatError as error:
        if strict:
            raise
        listing = directory.listing(provider)
        if quiet_local and spec.tier == TIER_LOCAL and isinstance(error, NetworkError):
            return listing, None  # in the full listing, a local server not running is no news
        return listing, f"{provider}: {error.message}; {_fallback_note(listing)}"
    return Listing(provider, models, SOURCE_LIVE), None


async def gather(runtime: Runtime, providers: list[str], strict: bool) -> list[Listing]:
    directory = ModelDirectory(runtime)
    async with runtime.make_client() as client:
        results = await asyncio.gather(
            *(_one(runtime, directory, pid, client, strict, len(providers) > 1)
              for pid in providers)
        )
    keyless = [listing.provider for listing, note in results if note == NO_KEY]
    if len(keyless) > 1:  # one line for all of them, not a wall of notes
        print(f"freechat: no key for {', '.join(keyless)}; showing their cached lists or the "
              "bundled catalog (`freechat keys set ID` to list live)", file=sys.stderr)
    for listing, note in results:
        if note == NO_KEY:
            if len(keyless) == 1:
                spec = runtime.spec(listing.provider)
                env = spec.key_envs[0] if spec.key_envs else f"{spec.env_prefix}_KEY"
                print(f"freechat: {listing.provider}: listing needs a key ({env}); "
                      f"{_fallback_note(listing)}", file=sys.stderr)
        elif note:
            print(f"freechat: {note}", file=sys.stderr)
    return [listing for listing, _ in results]


def run(args: argparse.Namespace, runtime: Runtime) -> int:
    if args.provider:
        runtime.spec(args.provider)  # unknown id: a usage error listing the known ones
        providers = [args.provider]
    else:
        providers = runtime.config.all_provider_ids()
    try:
        listings = asyncio.run(gather(runtime, providers, strict=args.refresh and
                                      bool(args.provider)))
    except FreechatError as error:
        from freechat.cli import print_error

        print_error(error)
        return error.exit_code
    models = [m for listing in listings for m in sorted(listing.models, key=lambda m: m.ref.model)]
    if args.free:
        models = [m for m in models if m.is_free]
    if args.json:
        sys.stdout.write(json.dumps([m.to_json() for m in models], ensure_ascii=False) + "\n")
        return 0
    width = max((len(str(m.ref)) for m in models), default=0)
    for model in models:
        context = f"{model.context_length // 1000}k ctx" if model.context_length else ""
        print(f"{model.ref!s:<{width}}  {model.tier:<12}  {context}".rstrip())
    if not models:
        print("no models found", file=sys.stderr)
    return 0
