"""Where freechat keeps its files: platformdirs, or everything under FREECHAT_HOME.

Nothing here touches the disk until a caller asks for a directory to be created.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "freechat"
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


@dataclass(frozen=True)
class Paths:
    config_dir: Path
    data_dir: Path
    state_dir: Path

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Paths:
        env = os.environ if environ is None else environ
        home = env.get("FREECHAT_HOME")
        if home:
            root = Path(home).expanduser()
            return cls(config_dir=root, data_dir=root, state_dir=root / "state")
        return cls(
            config_dir=Path(platformdirs.user_config_dir(APP_NAME)),
            data_dir=Path(platformdirs.user_data_dir(APP_NAME)),
            state_dir=Path(platformdirs.user_state_dir(APP_NAME)),
        )

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def conversations_dir(self) -> Path:
        return self.data_dir / "conversations"

    @property
    def user_themes_dir(self) -> Path:
        return self.config_dir / "themes"

    @property
    def cache_dir(self) -> Path:
        return self.state_dir / "cache"


def ensure_private_dir(path: Path) -> Path:
    """Create `path` (and parents) and make sure it is 0700, even if it already existed.

    platformdirs leaves a pre-existing 0755 directory alone, so we chmod ourselves.
    """
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
    if path.stat().st_mode & 0o777 != PRIVATE_DIR_MODE:
        os.chmod(path, PRIVATE_DIR_MODE)
    return path
