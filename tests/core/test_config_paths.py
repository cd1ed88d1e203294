"""Paths (FREECHAT_HOME, platformdirs, modes), config (TOML in, TOML out, clear errors) and
base-URL overrides (env beats config beats default)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from freechat.core.catalog import PROVIDERS, resolve_base_url
from freechat.core.config import Config, ProviderConfig, load_config, save_config
from freechat.core.errors import ConfigError, UsageError
from freechat.core.models import ModelRef
from freechat.core.paths import Paths, ensure_private_dir


def test_freechat_home_puts_everything_under_one_directory(tmp_path: Path) -> None:
    paths = Paths.from_env({"FREECHAT_HOME": str(tmp_path)})
    assert paths.config_file == tmp_path / "config.toml"
    assert paths.conversations_dir == tmp_path / "conversations"
    assert paths.state_dir == tmp_path / "state"


def test_without_freechat_home_platformdirs_are_used(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    paths = Paths.from_env({})
    assert paths.config_file == tmp_path / "cfg" / "freechat" / "config.toml"
    assert paths.conversations_dir == tmp_path / "data" / "freechat" / "conversations"


def test_private_dir_tightens_an_existing_open_directory(tmp_path: Path) -> None:
    target = tmp_path / "open"
    target.mkdir(mode=0o755)
    target.chmod(0o755)
    ensure_private_dir(target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o700


def test_config_round_trip_is_0600(tmp_path: Path) -> None:
    path = tmp_path / "home" / "config.toml"
    config = Config(default_model="openrouter/x:free", theme="freechat-dark")
    config.providers["openrouter"] = ProviderConfig(base_url="http://127.0.0.1:9/v1")
    config.providers["cloudflare"] = ProviderConfig(account_id="acc-1")
    config.providers["mine"] = ProviderConfig(base_url="http://127.0.0.1:8/v1",
                                              key_env="MINE_KEY", adapter="openai_compat")
    config.keymap["send-message"] = "ctrl+j"
    config.timeouts.read = 5
    save_config(config, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = load_config(path)
    assert loaded.default_model == "openrouter/x:free"
    assert loaded.providers["mine"].key_env == "MINE_KEY"
    assert loaded.timeouts.read == 5
    assert loaded.keymap == {"send-message": "ctrl+j"}
    assert loaded.provider_spec("mine").user_defined  # type: ignore[union-attr]
    assert loaded.provider_spec("cloudflare").account_id == "acc-1"  # type: ignore[union-attr]


def test_missing_config_is_empty(tmp_path: Path) -> None:
    assert load_config(tmp_path / "nope.toml").default_model is None


def test_malformed_config_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('theme = "dark"\n\n[providers.openrouter\nbase_url = 1\n')
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = info.value.one_line()
    assert str(path) in message and "line 3" in message


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("theme = 3\n", "'theme' should be a str"),
        ("[timeouts]\nread = -1\n", "must be positive"),
        ("[providers.newthing]\nkey_env = 'X'\n", "needs a base_url"),
        (b"\xff\xfe".decode("latin-1"), "not UTF-8"),
    ],
)
def test_bad_values_are_clear_errors(tmp_path: Path, body: str, fragment: str) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(body.encode("latin-1"))
    with pytest.raises(ConfigError, match=fragment):
        load_config(path)


def test_a_key_in_config_is_ignored_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[providers.openrouter]\napi_key = "sk-or-v1-secret"\n')
    config = load_config(path)
    assert any("looks like a secret" in w for w in config.warnings)
    assert "sk-or-v1-secret" not in " ".join(config.warnings)


def test_base_url_env_beats_config_beats_default(tmp_path: Path) -> None:
    spec = PROVIDERS["openrouter"]
    assert resolve_base_url(spec, None, {}) == "https://openrouter.ai/api/v1"
    assert resolve_base_url(spec, "http://conf/v1/", {}) == "http://conf/v1"
    env = {"FREECHAT_OPENROUTER_BASE_URL": "http://env/v1"}
    assert resolve_base_url(spec, "http://conf/v1", env) == "http://env/v1"


def test_every_provider_of_the_contract_is_in_the_table() -> None:
    expected = {
        "openrouter": ("https://openrouter.ai/api/v1", "OPENROUTER_API_KEY"),
        "cerebras": ("https://api.cerebras.ai/v1", "CEREBRAS_API_KEY"),
        "cloudflare": ("https://api.cloudflare.com/client/v4", "CLOUDFLARE_API_TOKEN"),
        "huggingface": ("https://router.huggingface.co/v1", "HF_TOKEN"),
        "vercel": ("https://ai-gateway.vercel.sh/v1", "AI_GATEWAY_API_KEY"),
        "gemini": ("https://generativelanguage.googleapis.com", "GEMINI_API_KEY"),
        "nvidia": ("https://integrate.api.nvidia.com/v1", "NVIDIA_API_KEY"),
        "hyperbolic": ("https://api.hyperbolic.xyz/v1", "HYPERBOLIC_API_KEY"),
        "fireworks": ("https://api.fireworks.ai/inference/v1", "FIREWORKS_API_KEY"),
        "openai": ("https://api.openai.com/v1", "OPENAI_API_KEY"),
        "groq": ("https://api.groq.com/openai/v1", "GROQ_API_KEY"),
        "mistral": ("https://api.mistral.ai/v1", "MISTRAL_API_KEY"),
    }
    for pid, (url, env) in expected.items():
        assert PROVIDERS[pid].base_url == url
        assert PROVIDERS[pid].key_envs[0] == env
    assert PROVIDERS["ollama"].base_url == "http://127.0.0.1:11434/v1"
    assert PROVIDERS["openai"].tier == "paid"


def test_model_ref_splits_at_the_first_slash() -> None:
    ref = ModelRef.parse("openrouter/deepseek/deepseek-r1:free")
    assert (ref.provider, ref.model) == ("openrouter", "deepseek/deepseek-r1:free")
    assert str(ModelRef.parse("cloudflare/@cf/meta/llama-3.1-8b-instruct")) == (
        "cloudflare/@cf/meta/llama-3.1-8b-instruct"
    )
    with pytest.raises(UsageError):
        ModelRef.parse("gpt-4o")
