"""Check a key with one cheap authenticated call before saving it (and in `freechat doctor`).

The call per provider is the cheapest one that needs the key: OpenRouter `GET /key`, Vercel
`GET /credits`, the HF hub's `whoami-v2`, Cloudflare's token/model search, else the model
list. Where a provider's model list is public and nothing else is cheap (NVIDIA), the key is
not checked and we say so, rather than pretend.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from freechat.core.catalog import resolve_account_id, resolve_extra_url
from freechat.core.errors import (
    AuthError,
    ConfigError,
    FreechatError,
    MissingKey,
    ModelUnavailable,
    NetworkError,
    OutOfCredit,
    RateLimited,
)
from freechat.core.runtime import Runtime
from freechat.core.secret import Secret

VALID = "valid"
REJECTED = "rejected"
UNCHECKED = "unchecked"
UNREACHABLE = "unreachable"
FAILED = "error"

# provider id -> URL template ({base}, {hub}, {account}); None: no cheap authenticated call.
KEY_CHECKS: dict[str, str | None] = {
    "openrouter": "{base}/key",
    "vercel": "{base}/credits",
    "huggingface": "{hub}/api/whoami-v2",
    "cloudflare": "{base}/user/tokens/verify",
    "gemini": "{base}/v1beta/models?pageSize=1",
    "nvidia": None,
}
CLOUDFLARE_WITH_ACCOUNT = "{base}/accounts/{account}/ai/models/search?per_page=1"
DEFAULT_CHECK = "{base}/models"
CHECK_CONNECT_S = 5.0
CHECK_READ_S = 15.0


@dataclass(frozen=True)
class KeyCheck:
    status: str  # valid | rejected | unchecked | unreachable | error
    message: str  # one line for the user
    error: FreechatError | None = None

    @property
    def rejected(self) -> bool:
        return self.status == REJECTED


def check_url(runtime: Runtime, provider_id: str, base_url: str) -> str | None:
    spec = runtime.spec(provider_id)
    template = KEY_CHECKS.get(provider_id, DEFAULT_CHECK)
    if template is None:
        return None
    account = ""
    if provider_id == "cloudflare":
        account = resolve_account_id(spec, runtime.environ) or ""
        if account:
            template = CLOUDFLARE_WITH_ACCOUNT
    hub = ""
    if "hub" in spec.extra_urls:
        conf = runtime.config.providers.get(provider_id)
        configured = conf.extra_urls.get("hub") if conf else None
        hub = resolve_extra_url(spec, "hub", configured, runtime.environ)
    return template.format(base=base_url.rstrip("/"), hub=hub, account=account)


async def check_key(
    runtime: Runtime, provider_id: str, secret: Secret | None = None, *,
    connect: float = CHECK_CONNECT_S, read: float = CHECK_READ_S,
) -> KeyCheck:
    """Ask the provider whether `secret` (default: the stored key) is accepted. Never raises
    for provider or network trouble: the result says what happened."""
    spec = runtime.spec(provider_id)
    name = spec.name
    if not spec.needs_key and secret is None:
        return KeyCheck(UNCHECKED, f"{name} needs no key")
    async with runtime.make_client() as client:
        try:
            adapter = runtime.adapter(provider_id, client, key=secret)
        except ConfigError as error:
            return KeyCheck(UNCHECKED, f"cannot check {name} keys in this version", error)
        except MissingKey as error:
            return KeyCheck(UNCHECKED, f"no {name} key to check", error)
        url = check_url(runtime, provider_id, adapter.base_url)
        if url is None:
            return KeyCheck(
                UNCHECKED, f"{name} has no cheap way to check a key; it is checked on first use"
            )
        t = adapter.timeouts
        adapter.timeouts = replace(t, connect=min(t.connect, connect), read=min(t.read, read))
        try:
            await adapter.get_json(url)
        except AuthError as error:
            return KeyCheck(REJECTED, f"{name} rejected the key", error)
        except (RateLimited, OutOfCredit) as error:
            # Authentication passed; the account is just out of quota right now.
            return KeyCheck(VALID, f"key accepted by {name} ({error.message})", error)
        except ModelUnavailable as error:
            return KeyCheck(UNCHECKED, f"{name} has no key check at this URL", error)
        except NetworkError as error:
            return KeyCheck(UNREACHABLE, f"could not reach {name} to check the key", error)
        except FreechatError as error:
            return KeyCheck(FAILED, f"{name} could not check the key: {error.message}", error)
    return KeyCheck(VALID, f"key accepted by {name}")
