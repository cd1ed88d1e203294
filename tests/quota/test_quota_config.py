"""`[quota]` in config.toml: limit overrides per provider and model, retry/throttle settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from freechat.core.config import config_to_dict, load_config
from freechat.core.errors import ConfigError
from freechat.core.quota import QuotaBook
from freechat.core.retry import QuotaGuard


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_quota_section_overrides_limits_and_settings(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, """
[quota]
retries = 0
max_retry_wait = 5
headroom = 0.5

[quota.openrouter]
requests_per_day = 1000
requests_per_minute = 10

[quota.gemini.models."gemini-2.5-flash"]
requests_per_day = 250

[quota.groq]
day_reset = "utc"
colour = "blue"
"""))
    assert config.warnings == [f"{tmp_path / 'config.toml'}: unknown setting quota.groq.colour "
                               "(ignored)"]
    book = QuotaBook.for_state_dir(tmp_path, config.quota)
    assert book.limits.limits("openrouter", None)["requests/day"] == (1000, "config")
    assert book.limits.limits("gemini", "gemini-2.5-flash")["requests/day"] == (250, "config")
    assert book.limits.rules("groq").day_reset == "utc"
    guard = QuotaGuard.from_settings(book)
    assert guard.policy.max_retries == 0 and guard.policy.max_wait == 5
    assert guard.throttle is not None and guard.throttle.allowed_per_minute(
        "openrouter", "x:free") == 5
    assert config_to_dict(config)["quota"]["openrouter"]["requests_per_day"] == 1000


@pytest.mark.parametrize(("text", "words"), [
    ("[quota.openrouter]\nrequests_per_day = -1\n", "must not be negative"),
    ("[quota.openrouter]\nrequests_per_day = \"lots\"\n", "should be a number"),
    ("[quota.gemini]\nday_reset = \"Mars/Olympus\"\n", "unknown time zone"),
    ("[quota]\nretries = 99\n", "between"),
    ("[quota]\nthrottle = 1\n", "true or false"),
    ("quota = 3\n", "should be a table"),
])
def test_bad_quota_settings_name_the_file(tmp_path: Path, text: str, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))
    assert words in caught.value.message and "config.toml" in caught.value.message


def test_throttle_can_be_turned_off(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "[quota]\nthrottle = false\n"))
    assert QuotaGuard.from_settings(QuotaBook.for_state_dir(tmp_path, config.quota)).throttle \
        is None
