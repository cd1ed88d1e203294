"""`freechat models`: list a provider's models, optionally only the free ones."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from freechat.core.models import ModelInfo
from freechat.core.runtime import Runtime


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("models", help="list models (add --free for the $0 ones)")
    parser.add_argument("--provider", help="provider id (default: openrouter)")
    parser.add_argument("--free", action="store_true", help="only models usable for free")
    parser.add_argument("--refresh", action="store_true", help="ask the provider, not the cache")
    parser.add_argument("--json", action="store_true", help="print a JSON list")


async def fetch(runtime: Runtime, provider: str) -> list[ModelInfo]:
    async with runtime.make_client() as client:
        adapter = runtime.adapter(provider, client, require_key=False)
        return await adapter.list_models()


def run(args: argparse.Namespace, runtime: Runtime) -> int:
    provider = args.provider or "openrouter"
    runtime.spec(provider)
    models = asyncio.run(fetch(runtime, provider))
    if args.free:
        models = [m for m in models if m.is_free]
    models.sort(key=lambda m: str(m.ref))
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
