"""Typed errors: every failure a user can meet, with a one-line message and a hint.

Exit codes are the CLI contract of DESIGN §5.
"""

from __future__ import annotations

from freechat.core.surrogates import clean_surrogates

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_AUTH = 3
EXIT_RATE_LIMITED = 4
EXIT_PROVIDER = 5
EXIT_INTERRUPTED = 130  # Ctrl-C, as shells report SIGINT


class FreechatError(Exception):
    """Base of every error freechat shows to a user.

    `message` says what happened, `hint` what to do, `title` is a short heading for the UI.
    """

    exit_code = EXIT_ERROR
    default_title = "Error"

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        title: str | None = None,
        provider: str | None = None,
    ) -> None:
        # Provider text can carry lone surrogates, which would crash printing and saving.
        message = clean_surrogates(message)
        super().__init__(message)
        self.message = message
        self.hint = clean_surrogates(hint) if hint else hint
        self.title = title or self.default_title
        self.provider = provider

    @property
    def type_name(self) -> str:
        return type(self).__name__

    def one_line(self) -> str:
        """`<provider>: <what happened> — <what to do>` on a single line."""
        text = self.message if not self.provider else f"{self.provider}: {self.message}"
        if self.hint:
            text = f"{text} — {self.hint}"
        return " ".join(text.split())

    def __str__(self) -> str:
        return self.one_line()


class UsageError(FreechatError):
    exit_code = EXIT_USAGE
    default_title = "Usage"


class ConfigError(FreechatError):
    default_title = "Configuration"


class AuthError(FreechatError):
    """A key is missing or was rejected."""

    exit_code = EXIT_AUTH
    default_title = "Key problem"


class MissingKey(AuthError):
    default_title = "No key"


class RateLimited(FreechatError):
    """The provider (or our own throttle) says: not now.

    `scope` is e.g. "minute" or "day"; `retry_after` seconds; `resets_at` epoch seconds;
    `status` the HTTP status (retries never follow a 403); `windows` the quota windows
    (events.RateWindow) the error carried, e.g. OpenRouter's X-RateLimit-* (for the QuotaBook).
    """

    exit_code = EXIT_RATE_LIMITED
    default_title = "Rate limited"

    def __init__(
        self,
        message: str,
        *,
        scope: str | None = None,
        retry_after: float | None = None,
        resets_at: float | None = None,
        status: int | None = None,
        windows: tuple[object, ...] = (),
        **kwargs: str | None,
    ) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.scope = scope
        self.retry_after = retry_after
        self.resets_at = resets_at
        self.status = status
        self.windows = windows


class QuotaExhausted(RateLimited):
    default_title = "Quota exhausted"


class OutOfCredit(FreechatError):
    exit_code = EXIT_RATE_LIMITED
    default_title = "Out of credit"


class ProviderError(FreechatError):
    """The provider answered with an error that is none of the more specific kinds."""

    exit_code = EXIT_PROVIDER
    default_title = "Provider error"

    def __init__(self, message: str, *, status: int | None = None, **kwargs: str | None) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.status = status


class ModelUnavailable(ProviderError):
    default_title = "Model unavailable"


class ContextTooLong(ProviderError):
    default_title = "Context too long"


class NetworkError(FreechatError):
    exit_code = EXIT_PROVIDER
    default_title = "Network"


class ResponseTimeout(NetworkError):
    """Connected, but no response started within `timeouts.first_byte`. Not retried: the user
    already waited the whole limit once. Reported as a NetworkError (DESIGN §3 types)."""

    @property
    def type_name(self) -> str:
        return "NetworkError"


class StreamInterrupted(FreechatError):
    """The reply stopped before the provider said it was finished. Partial text is kept."""

    exit_code = EXIT_PROVIDER
    default_title = "Reply interrupted"


class ProtocolError(FreechatError):
    """The provider sent bytes we cannot make sense of."""

    exit_code = EXIT_PROVIDER
    default_title = "Protocol error"


class ResponseTooLarge(ProtocolError):
    default_title = "Response too large"


class Cancelled(FreechatError):
    """The user stopped the reply."""

    exit_code = EXIT_INTERRUPTED
    default_title = "Stopped"
