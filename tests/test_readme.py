"""The README is a contract: its quick-start commands are the ones CI runs, and every config
example in it loads without errors or warnings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from freechat.core.config import load_config

README = Path(__file__).resolve().parent.parent / "README.md"
TEXT = README.read_text(encoding="utf-8")
TOML_BLOCKS = re.findall(r"```toml\n(.*?)```", TEXT, flags=re.S)


def test_quick_start_has_the_two_commands() -> None:
    quick = TEXT.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.*?)\n```", quick, flags=re.S)
    assert commands[:2] == ['pip install . && freechat', 'pip install -e ".[test]" && pytest']


@pytest.mark.parametrize("block", TOML_BLOCKS, ids=[f"toml{i}" for i in range(len(TOML_BLOCKS))])
def test_config_examples_load_cleanly(block: str, tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(block, encoding="utf-8")
    config = load_config(path)
    assert config.warnings == []


def test_there_are_config_examples() -> None:
    assert len(TOML_BLOCKS) >= 2
