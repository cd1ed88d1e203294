"""The core is the whole product without a screen: importing it must not load Textual or Rich,
and the UI must not talk HTTP itself (DESIGN §2)."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import freechat.core

ROOT = Path(__file__).resolve().parent.parent


def core_modules() -> list[str]:
    return sorted(
        info.name
        for info in pkgutil.walk_packages(freechat.core.__path__, prefix="freechat.core.")
    )


def test_core_modules_are_found() -> None:
    names = core_modules()
    assert "freechat.core.sse" in names
    assert "freechat.core.providers.openai_compat" in names


def test_importing_every_core_module_loads_neither_textual_nor_rich() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {core_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_importing_freechat_and_the_cli_is_cheap() -> None:
    code = "import sys, freechat.cli; print(any(m.startswith('textual') for m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, timeout=60)
    assert result.stdout.strip() == "False", result.stderr


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_ui_never_imports_httpx_and_core_never_imports_ui() -> None:
    for path in (ROOT / "freechat" / "ui").rglob("*.py"):
        assert "httpx" not in _imports(path), f"{path} imports httpx"
    for path in (ROOT / "freechat" / "core").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("freechat.ui"), f"{path} imports the UI"
