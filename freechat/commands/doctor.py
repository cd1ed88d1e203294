"""`freechat doctor`: paths, keyring backend, where each key comes from, reachability.

Checks run concurrently with short timeouts; a provider with a key is checked with the same
cheap authenticated call as `keys set`, a keyless one with an unauthenticated model list.
Nothing here prints more than the last four characters of a key.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from freechat import __version__
from freechat.core.catalog import ProviderSpec
from freechat.core.errors import FreechatError, NetworkError
from freechat.core.key_check import DEFAULT_CHECK, check_key
from freechat.core.keys import SOURCE_FILE, SOURCE_NONE, KeyLookup
from freechat.core.runtime import Runtime

CONNECT_S = 3.0
READ_S = 6.0


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("doctor", help="paths, keyring, keys and reachability")
    parser.add_argument("--offline", action="store_true", help="skip the network checks")


def _path_line(label: str, path: Path) -> str:
    state = f"mode {path.stat().st_mode & 0o777:04o}" if path.exists() else "not created yet"
    return f"  {label:<9} {path}  ({state})"


async def _reach_keyless(runtime: Runtime, spec: ProviderSpec) -> str:
    async with runtime.make_client() as client:
        adapter = runtime.adapter(spec.id, client, require_key=False)
        t = adapter.timeouts
        adapter.timeouts = type(t)(connect=CONNECT_S, read=READ_S, write=t.write, pool=t.pool)
        url = DEFAULT_CHECK.format(base=adapter.base_url)
        try:
            await adapter.get_json(url, authenticated=False)
        except NetworkError as error:
            return f"not reachable ({error.message})"
        except FreechatError:
            pass  # it answered, if not with a model list
        return "reachable"


async def _probe(runtime: Runtime, spec: ProviderSpec, found: KeyLookup) -> str:
    try:
        if found.found:
            result = await check_key(runtime, spec.id, connect=CONNECT_S, read=READ_S)
            return result.message
        if not spec.needs_key:
            return await _reach_keyless(runtime, spec)
    except FreechatError as error:
        return error.one_line()
    return ""


async def _probe_all(
    runtime: Runtime, entries: list[tuple[ProviderSpec, KeyLookup]]
) -> list[str]:
    return list(await asyncio.gather(*(_probe(runtime, s, f) for s, f in entries)))


def run(args: argparse.Namespace, runtime: Runtime) -> int:
    paths = runtime.paths
    out = sys.stdout
    out.write(f"freechat {__version__} (Python {sys.version.split()[0]})\n\npaths\n")
    out.write(_path_line("config", paths.config_file) + "\n")
    out.write(_path_line("data", paths.data_dir) + "\n")
    out.write(_path_line("state", paths.state_dir) + "\n")
    key_file = runtime.keys.backend(SOURCE_FILE)
    if key_file is not None:
        out.write(_path_line("key file", key_file.path) + "\n")  # type: ignore[attr-defined]
    for warning in runtime.config.warnings:
        out.write(f"  warning: {warning}\n")

    out.write("\nkeyring\n")
    status = runtime.keys.keyring_status()
    if status is None:
        out.write("  not available in this build\n")
    else:
        out.write(f"  backend   {status.backend or '(none)'}\n")
        out.write(f"  status    {status.state}: {status.detail}\n")

    specs = [runtime.spec(pid) for pid in runtime.config.all_provider_ids()]
    entries = runtime.keys.entries(specs)
    probes = [""] * len(entries) if args.offline else asyncio.run(_probe_all(runtime, entries))
    out.write("\nproviders\n")
    width = max(len(spec.id) for spec in specs)
    for (spec, found), probe in zip(entries, probes, strict=True):
        if found.found:
            key = f"key: {found.source}" + (f" {found.detail}" if found.detail else "")
            key += f" {found.masked}"
        elif found.source == SOURCE_NONE:
            key = "no key"
        else:
            key = found.source
        line = f"  {spec.id:<{width}}  {spec.tier:<12}  {key:<36}  {probe}"
        out.write(line.rstrip() + "\n")
    usable = sum(1 for _, found in entries if found.found)
    if not usable:
        out.write("\nno provider has a key yet: run `freechat` to set one up, or "
                  "`freechat keys set openrouter`\n")
    return 0
