"""The bundled theme ships inside the wheel, and an installed freechat finds it there."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO


def test_installed_wheel_finds_bundled_theme(tmp_path: Path):
    pytest.importorskip("hatchling", reason="builds the wheel with the project's build backend")
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(dist)],
        cwd=REPO, check=True, capture_output=True, timeout=120,
    )
    wheel = next(dist.glob("freechat-*.whl"))
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        assert "freechat/themes/freechat-dark.toml" in archive.namelist()
        archive.extractall(site)  # a pure-Python wheel installs by unpacking
    probe = (
        "import json, freechat\n"
        "from freechat.ui.themes import bundled_theme_dirs, load_themes\n"
        "dirs = bundled_theme_dirs()\n"
        "print(json.dumps({'package': freechat.__file__, 'dirs': [str(d) for d in dirs],\n"
        "                  'themes': [t.name for t in load_themes(dirs).themes]}))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env,
                            capture_output=True, timeout=60, check=True)
    found = json.loads(result.stdout)
    assert found["package"].startswith(str(site))  # the installed copy, not the checkout
    assert found["dirs"] == [str(site / "freechat" / "themes")]
    assert "freechat-dark" in found["themes"]
