"""The quota ledger on disk: what freechat counted and what providers reported, per provider.

One JSON file under the state dir (`quota.json`, schema 1). Writes are atomic and made under a
lock file, merging what other running instances wrote since we read it, so two instances never
lose each other's counts. An unreadable file is set aside (`.corrupt-<time>`), never a crash.
"""

from __future__ import annotations

import contextlib
import json
import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from freechat.core.filelock import sidecar_lock
from freechat.core.fsutil import atomic_write

SCHEMA = 1
KEEP_ENTRIES = 27 * 3600.0  # longest counted window: a Pacific day on a DST change is 25 h
KEEP_REPORTS = 40 * 86400.0  # stale reports still teach us limits for a while


@dataclass
class Entry:
    """One request freechat sent (counted), with the tokens its reply used."""

    id: str
    t: float
    provider: str
    model: str
    input: int = 0
    output: int = 0
    neurons: float = 0.0  # estimated (Cloudflare)


@dataclass
class Reported:
    """One window as a provider last reported it."""

    provider: str
    model: str | None
    name: str
    unit: str
    limit: float | None
    remaining: float | None
    resets_at: float | None
    at: float
    source: str = "reported"

    @property
    def key(self) -> tuple[str, str | None, str]:
        return self.provider, self.model, self.name


@dataclass
class CreditRecord:
    provider: str
    remaining: float
    unit: str = "usd"
    limit: float | None = None
    at: float = 0.0
    source: str = "reported"


@dataclass
class Ledger:
    entries: dict[str, Entry] = field(default_factory=dict)
    reported: dict[tuple[str, str | None, str], Reported] = field(default_factory=dict)
    credits: dict[str, CreditRecord] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "entries": [asdict(e) for e in sorted(self.entries.values(), key=lambda e: e.t)],
            "reported": [asdict(r) for r in self.reported.values()],
            "credits": [asdict(c) for c in self.credits.values()],
        }

    @classmethod
    def from_json(cls, data: Any) -> Ledger:
        """Tolerant: entries of the wrong shape are skipped, not fatal."""
        ledger = cls()
        if not isinstance(data, dict):
            return ledger
        for kind, target in ((Entry, ledger.entries), (Reported, ledger.reported),
                             (CreditRecord, ledger.credits)):
            name = {Entry: "entries", Reported: "reported", CreditRecord: "credits"}[kind]
            items = data.get(name)
            for item in items if isinstance(items, list) else []:
                record = _build(kind, item)
                if isinstance(record, Entry):
                    target[record.id] = record  # type: ignore[index]
                elif isinstance(record, Reported):
                    target[record.key] = record  # type: ignore[index]
                elif isinstance(record, CreditRecord):
                    target[record.provider] = record  # type: ignore[index]
        return ledger

    def merge(self, other: Ledger) -> None:
        """Take what `other` knows that we don't; on conflicts the newer report wins and our
        own entries (which may carry later usage) win."""
        for key, entry in other.entries.items():
            self.entries.setdefault(key, entry)
        for key, report in other.reported.items():
            mine = self.reported.get(key)
            if mine is None or report.at > mine.at:
                self.reported[key] = report
        for key, credit in other.credits.items():
            mine_credit = self.credits.get(key)
            if mine_credit is None or credit.at > mine_credit.at:
                self.credits[key] = credit

    def prune(self, now: float) -> None:
        self.entries = {k: e for k, e in self.entries.items() if now - e.t <= KEEP_ENTRIES}
        self.reported = {k: r for k, r in self.reported.items() if now - r.at <= KEEP_REPORTS}


def _build(kind: type, item: Any) -> Any:
    if not isinstance(item, dict):
        return None
    names = kind.__dataclass_fields__
    try:
        record = kind(**{k: v for k, v in item.items() if k in names})
    except TypeError:
        return None
    for name, value in vars(record).items():  # numbers must be numbers, strings strings
        expected = kind.__dataclass_fields__[name].type
        if value is None:
            if "None" not in str(expected):
                return None
        elif "float" in str(expected) or "int" in str(expected):
            if isinstance(value, bool) or not isinstance(value, int | float):
                return None
            if not math.isfinite(value):
                return None
        elif not isinstance(value, str):
            return None
    return record


def load_ledger(path: Path) -> Ledger:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Ledger()
    except OSError:
        return Ledger()
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        _set_aside(path)
        return Ledger()
    return Ledger.from_json(data)


def _set_aside(path: Path) -> None:
    stamp = time.strftime("%Y%m%dT%H%M%S")
    with contextlib.suppress(OSError):
        path.rename(path.with_name(f"{path.name}.corrupt-{stamp}"))


def save_merged(path: Path, mine: Ledger, now: float) -> Ledger:
    """Merge the file's current content into `mine`, write the result, and return it."""
    with sidecar_lock(path, what="the quota ledger"):
        merged = Ledger(dict(mine.entries), dict(mine.reported), dict(mine.credits))
        merged.merge(load_ledger(path))
        merged.prune(now)
        payload = json.dumps(merged.to_json(), separators=(",", ":"), allow_nan=False)
        atomic_write(path, payload.encode("utf-8"))
    return merged
