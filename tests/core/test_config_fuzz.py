"""P8: the config loader on hostile input — random bytes, random TOML values of the wrong
types, deep nesting, BOMs, lone surrogates — gives a Config or a ConfigError, never anything
else; a plaintext key in config is refused with a warning and never echoed."""

from __future__ import annotations

import string
import tempfile
from pathlib import Path

import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from freechat.core.config import Config, load_config
from freechat.core.errors import ConfigError

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
KEYS = ["default_model", "theme", "timeouts", "providers", "keymap", "quota", "fallback",
        "auto_fallback", "read", "connect", "base_url", "key_env", "adapter", "api_key",
        "openrouter", "mine", "send-message", "requests_per_day", "retries"]
# No None among the leaves (TOML has no null), drawn directly rather than filtered out:
# filtering made Hypothesis's health check fail the test now and then.
leaves = st.one_of(st.booleans(), st.integers(-10**6, 10**6),
                   st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20))
values = st.recursive(
    leaves,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.sampled_from(KEYS), inner, max_size=4)),
    max_leaves=12,
)


def load_bytes(payload: bytes) -> Config | ConfigError:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "config.toml"
        path.write_bytes(payload)
        try:
            return load_config(path)
        except ConfigError as error:
            return error


@SETTINGS
@given(st.binary(max_size=400))
def test_P8_random_bytes_never_crash(payload: bytes) -> None:
    result = load_bytes(payload)
    assert isinstance(result, Config | ConfigError)


@SETTINGS
@given(st.dictionaries(st.sampled_from(KEYS), values, max_size=6))
def test_P8_wrong_types_anywhere_are_config_errors(data: dict) -> None:
    try:
        payload = tomli_w.dumps(data).encode("utf-8", "surrogatepass")
    except (TypeError, ValueError):
        return  # not representable as TOML at all
    result = load_bytes(b"\xef\xbb\xbf" + payload if len(payload) % 2 else payload)
    assert isinstance(result, Config | ConfigError)


@SETTINGS
@given(st.integers(1, 3000), st.sampled_from(["[", "{a="]))
def test_P8_deep_nesting_is_an_error_not_a_recursion_crash(depth: int, opener: str) -> None:
    payload = ("x = " + opener * depth).encode()
    assert isinstance(load_bytes(payload), Config | ConfigError)


@SETTINGS
@given(st.text(alphabet=string.ascii_letters + string.digits, min_size=24, max_size=60))
def test_P8_plaintext_key_is_refused_and_never_echoed(key: str) -> None:
    result = load_bytes(f'[providers.openrouter]\napi_key = "sk-or-v1-{key}"\n'.encode())
    assert isinstance(result, Config)
    assert any("looks like a secret" in w for w in result.warnings)
    assert key not in " ".join(result.warnings)
    assert key not in repr(result)
