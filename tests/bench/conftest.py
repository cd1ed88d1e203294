"""Benchmarks run only when asked: `pytest tests/bench -m bench -s` (see README, Performance)."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/bench/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.bench)


@pytest.fixture(autouse=True)
def only_when_asked(request: pytest.FixtureRequest) -> None:
    if "bench" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("benchmark: run with `pytest tests/bench -m bench -s`")
