"""Config: one typed object read from `config.toml` (tomllib) and written back with tomli-w.

A malformed file raises ConfigError naming the file and the line. Unknown keys are kept
as warnings, not errors, so a newer config still opens in an older freechat.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from freechat.core.catalog import PROVIDERS, ProviderSpec, resolve_base_url
from freechat.core.errors import ConfigError
from freechat.core.fsutil import atomic_write

_KEYISH = re.compile(r"(api_?key|token|secret|password)$", re.IGNORECASE)


@dataclass
class Timeouts:
    """Seconds. `first_byte` is the longest wait for a response to start (free tiers queue);
    `read` the longest silence allowed between bytes once it has (keep-alives count)."""

    connect: float = 10.0
    first_byte: float = 120.0
    read: float = 120.0
    write: float = 30.0
    pool: float = 10.0


@dataclass
class ProviderConfig:
    base_url: str | None = None
    key_env: str | None = None
    adapter: str | None = None
    name: str | None = None
    account_id: str | None = None  # Cloudflare's, which goes into the URL (not a secret)
    extra_urls: dict[str, str] = field(default_factory=dict)


@dataclass
class Config:
    default_model: str | None = None
    theme: str | None = None
    timeouts: Timeouts = field(default_factory=Timeouts)
    providers: dict[str, ProviderConfig] = field(default_factory=dict)
    keymap: dict[str, str] = field(default_factory=dict)
    # `[quota]`: retry/throttle settings and `[quota.<provider>]` limit overrides (quota_limits)
    quota: dict[str, Any] = field(default_factory=dict)
    # Free-only fallback chain: model refs and/or "auto" (core/fallback.py); with
    # `auto_fallback` the app switches on a rate limit instead of only offering to.
    fallback: list[str] = field(default_factory=list)
    auto_fallback: bool = False
    # Sections this version does not know, kept so that saving does not lose them.
    extra: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    path: Path | None = None

    def provider_spec(self, provider_id: str) -> ProviderSpec | None:
        """The spec for `provider_id` with config overrides applied (user-defined ones too)."""
        from dataclasses import replace

        base = PROVIDERS.get(provider_id)
        conf = self.providers.get(provider_id)
        if base is None:
            if conf is None or not conf.base_url:
                return None
            return ProviderSpec(
                id=provider_id,
                name=conf.name or provider_id,
                base_url=conf.base_url,
                key_envs=(conf.key_env,) if conf.key_env else (),
                adapter=conf.adapter or "openai_compat",
                needs_key=bool(conf.key_env),
                user_defined=True,
                tier="free",
            )
        if conf is None:
            return base
        changes: dict[str, Any] = {}
        if conf.key_env:
            changes["key_envs"] = (conf.key_env, *base.key_envs)
        if conf.adapter:
            changes["adapter"] = conf.adapter
        if conf.name:
            changes["name"] = conf.name
        if conf.account_id:
            changes["account_id"] = conf.account_id
        return replace(base, **changes) if changes else base

    def all_provider_ids(self) -> list[str]:
        ids = list(PROVIDERS)
        ids.extend(pid for pid in self.providers if pid not in PROVIDERS)
        return ids

    def base_url(self, provider_id: str, environ: Mapping[str, str] | None = None) -> str:
        spec = self.provider_spec(provider_id)
        if spec is None:
            raise ConfigError(f"unknown provider '{provider_id}'")
        conf = self.providers.get(provider_id)
        return resolve_base_url(spec, conf.base_url if conf else None, environ)


def _line_of(error: tomllib.TOMLDecodeError) -> str:
    match = re.search(r"line (\d+)", str(error))
    return f"line {match.group(1)}" if match else "unknown line"


def _want(value: Any, kind: type | tuple[type, ...], where: str, path: Path) -> Any:
    if not isinstance(value, kind) or (isinstance(value, bool) and kind in (int, float)):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise ConfigError(
            f"{path}: '{where}' should be a {names}, not {type(value).__name__}",
            hint="fix or remove that setting",
        )
    return value


def _fallback_list(value: Any, path: Path, warnings: list[str]) -> list[str]:
    """`fallback = ["groq/llama-3.1-8b-instant", "auto"]` (or just `"auto"`)."""
    items = [value] if isinstance(value, str) else _want(value, list, "fallback", path)
    refs: list[str] = []
    for item in items:
        text = _want(item, str, "fallback[]", path).strip()
        provider, sep, model = text.partition("/")
        if text != "auto" and not (sep and provider and model):
            warnings.append(f"{path}: fallback entry '{text}' is not provider/model or "
                            '"auto" (ignored)')
            continue
        refs.append(text)
    return refs


def parse_config(data: dict[str, Any], path: Path) -> Config:
    config = Config(path=path)
    data = dict(data)
    if "default_model" in data:
        config.default_model = _want(data.pop("default_model"), str, "default_model", path)
    if "theme" in data:
        config.theme = _want(data.pop("theme"), str, "theme", path)
    timeouts = _want(data.pop("timeouts", {}), dict, "timeouts", path)
    for name, value in timeouts.items():
        if name not in Timeouts.__dataclass_fields__:
            config.warnings.append(f"{path}: unknown setting timeouts.{name} (ignored)")
            continue
        number = _want(value, (int, float), f"timeouts.{name}", path)
        if number <= 0:
            raise ConfigError(f"{path}: 'timeouts.{name}' must be positive")
        setattr(config.timeouts, name, float(number))
    providers = _want(data.pop("providers", {}), dict, "providers", path)
    for pid, table in providers.items():
        table = dict(_want(table, dict, f"providers.{pid}", path))
        for key in list(table):
            if _KEYISH.search(key) and key != "key_env":
                table.pop(key)
                config.warnings.append(
                    f"{path}: providers.{pid}.{key} looks like a secret; keys do not belong in "
                    f"config. It was ignored: use `freechat keys set {pid}` or an env var"
                )
        conf = ProviderConfig()
        for attr in ("base_url", "key_env", "adapter", "name", "account_id"):
            if attr in table:
                setattr(conf, attr, _want(table.pop(attr), str, f"providers.{pid}.{attr}", path))
        for key in list(table):
            if key.endswith("_url"):
                url = _want(table.pop(key), str, f"providers.{pid}.{key}", path)
                conf.extra_urls[key.removesuffix("_url")] = url
        for key in table:
            config.warnings.append(f"{path}: unknown setting providers.{pid}.{key} (ignored)")
        if pid not in PROVIDERS and not conf.base_url:
            raise ConfigError(
                f"{path}: provider '{pid}' is not built in, so it needs a base_url",
                hint='add base_url = "https://…/v1" and adapter = "openai_compat"',
            )
        config.providers[pid] = conf
    keymap = _want(data.pop("keymap", {}), dict, "keymap", path)
    for binding, keys in keymap.items():
        config.keymap[binding] = _want(keys, str, f"keymap.{binding}", path)
    if "quota" in data:
        from freechat.core.quota_limits import parse_quota_section  # only with a [quota]

        config.quota = parse_quota_section(data.pop("quota"), path, config.warnings)
    if "fallback" in data:
        config.fallback = _fallback_list(data.pop("fallback"), path, config.warnings)
    if "auto_fallback" in data:
        config.auto_fallback = _want(data.pop("auto_fallback"), bool, "auto_fallback", path)
    config.extra = data
    return config


def load_config(path: Path) -> Config:
    """Read `path`; a missing file is an empty config, a broken one a ConfigError."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Config(path=path)
    except OSError as error:
        raise ConfigError(f"{path}: cannot read ({error.strerror})") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text", hint="save the file as UTF-8") from None
    except tomllib.TOMLDecodeError as error:
        detail = re.sub(r"\s*\(at [^)]*\)", "", str(error))
        raise ConfigError(
            f"{path}: {_line_of(error)}: {detail}", hint="fix the TOML syntax there"
        ) from None
    except RecursionError:  # tomllib recurses per nesting level: `x = [[[[…` exhausts it
        raise ConfigError(f"{path}: nested too deeply to read",
                          hint="fix or remove the deeply nested value") from None
    return parse_config(data, path)


def config_to_dict(config: Config) -> dict[str, Any]:
    data: dict[str, Any] = dict(config.extra)
    if config.default_model:
        data["default_model"] = config.default_model
    if config.theme:
        data["theme"] = config.theme
    defaults = Timeouts()
    changed = {
        name: getattr(config.timeouts, name)
        for name in Timeouts.__dataclass_fields__
        if getattr(config.timeouts, name) != getattr(defaults, name)
    }
    if changed:
        data["timeouts"] = changed
    if config.providers:
        providers: dict[str, Any] = {}
        for pid, conf in config.providers.items():
            table = {
                attr: getattr(conf, attr)
                for attr in ("base_url", "key_env", "adapter", "name", "account_id")
                if getattr(conf, attr)
            }
            table.update({f"{k}_url": v for k, v in conf.extra_urls.items()})
            providers[pid] = table
        data["providers"] = providers
    if config.keymap:
        data["keymap"] = dict(config.keymap)
    if config.quota:
        data["quota"] = dict(config.quota)
    if config.fallback:
        data["fallback"] = list(config.fallback)
    if config.auto_fallback:
        data["auto_fallback"] = True
    return data


def save_config(config: Config, path: Path) -> None:
    import tomli_w  # only for writing: not on the way to a command's start

    atomic_write(path, tomli_w.dumps(config_to_dict(config)).encode("utf-8"))


def update_setting(path: Path, name: str, value: Any) -> Config:
    """Set one top-level setting (`theme`, `default_model`) from the app. The file is re-read
    first (hand edits made since freechat started are kept) and the setting's line edited in
    place so comments and layout survive (config_edit.py); when that edit cannot be proven
    right, the whole file is rewritten from the parsed config. Blocking file work: run it in
    a thread from the UI. Raises ConfigError on a broken file, before writing anything."""
    config = load_config(path)
    setattr(config, name, value)
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        text = ""
    from freechat.core.config_edit import set_top_level

    edited = set_top_level(text, name, value)
    if edited is None:
        save_config(config, path)
    else:
        atomic_write(path, edited.encode("utf-8"))
    return config
