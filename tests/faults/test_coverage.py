"""Every fault row of RELIABILITY §7 A that this suite owns has a named test at both levels
(F30, the SIGKILL journal test, lives with the conversation store's tests)."""

from __future__ import annotations

import re
from pathlib import Path

HERE = Path(__file__).parent
OWNED = {f"F{n}" for n in (*range(1, 30), 31, 32)}


def ids_in(pattern: str) -> set[str]:
    found: set[str] = set()
    for path in HERE.glob(pattern):
        found |= set(re.findall(r"^def test_(F\d+)_", path.read_text(), re.MULTILINE))
    return found


def test_every_fault_row_has_a_core_test():
    assert OWNED - ids_in("test_core_*.py") == set()


def test_every_fault_row_has_a_cli_test():
    assert OWNED - ids_in("test_cli_*.py") == set()
