"""The OS keyring as a key backend: classified, off the caller's thread, with a timeout.

Keyring failure is normal (headless Linux, CI, SSH): `fail`/`null` backends, a bad
PYTHON_KEYRING_BACKEND, a locked collection or a backend that never answers all become a
typed `KeyStoreUnavailable` (raised `from None`, so no keyring traceback reaches a user) and
a `KeyringStatus` that says so once, plainly. `keyrings.alt` and other non-recommended
backends are classified insecure and never called (some prompt on the terminal).
Every call runs in a daemon thread and is abandoned after `timeout` seconds: a backend
waiting for an unlock prompt must not freeze the app or keep the process alive at exit.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from freechat.core.key_file import FileKeyBackend
from freechat.core.keys import SOURCE_KEYRING, KeyBackend, KeyStoreUnavailable
from freechat.core.paths import Paths
from freechat.core.secret import Secret, redact

SERVICE = "freechat"
DEFAULT_TIMEOUT = 5.0
TIMEOUT_ENV = "FREECHAT_KEYRING_TIMEOUT"

SECURE = "secure"
INSECURE = "insecure"
UNAVAILABLE = "unavailable"

T = TypeVar("T")


@dataclass(frozen=True)
class KeyringStatus:
    state: str  # secure | insecure | unavailable
    backend: str  # dotted class name, or "" when none could be loaded
    detail: str  # one plain sentence for the user
    reason: str = ""  # no-keyring | null | bad-env | locked | timeout | error | write-verify

    @property
    def usable(self) -> bool:
        return self.state == SECURE


def backend_name(backend: object) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def classify(backend: Any) -> KeyringStatus:
    """secure / insecure / unavailable for a keyring backend object (RELIABILITY §1.6)."""
    from keyring.backends import chainer, fail, null

    name = backend_name(backend)
    if isinstance(backend, fail.Keyring):
        return KeyringStatus(UNAVAILABLE, name, _NO_KEYRING, "no-keyring")
    if isinstance(backend, null.Keyring):
        return KeyringStatus(UNAVAILABLE, name, _NO_KEYRING, "null")
    if isinstance(backend, chainer.ChainerBackend):
        members = [classify(member) for member in backend.backends]
        if not members:
            return KeyringStatus(UNAVAILABLE, name, _NO_KEYRING, "no-keyring")
        if all(m.state == SECURE for m in members):
            return KeyringStatus(SECURE, name, f"keys are saved in the OS keyring ({name})")
        return KeyringStatus(INSECURE, name, _insecure(name))
    if type(backend).__module__.startswith("keyrings.alt"):
        return KeyringStatus(INSECURE, name, _insecure(name))
    try:
        priority = float(backend.priority)
    except Exception as error:  # a backend that is not viable says so from .priority
        return KeyringStatus(UNAVAILABLE, name, _broken(error), "error")
    if priority < 1:  # keyring.core.recommended(): below 1 is not recommended
        return KeyringStatus(INSECURE, name, _insecure(name))
    return KeyringStatus(SECURE, name, f"keys are saved in the OS keyring ({name})")


_NO_KEYRING = "No OS keyring: keys are kept for this session only (or use env vars)"
_SESSION = "keys are kept for this session only (or use env vars)"


def _insecure(name: str) -> str:
    return (
        f"Insecure keyring backend ({name}) is not used: {_SESSION}, "
        "or opt in to a 0600 key file"
    )


def _broken(error: BaseException) -> str:
    return f"The OS keyring failed ({_describe(error)}): {_SESSION}"


def _describe(error: BaseException) -> str:
    text = " ".join(redact(str(error)).split())[:160]
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def unavailable_from(
    error: BaseException, *, env_backend: str | None = None
) -> KeyStoreUnavailable:
    """Turn any keyring/D-Bus/import exception into a typed, user-facing error."""
    from keyring.errors import InitError, KeyringLocked, NoKeyringError

    if isinstance(error, KeyStoreUnavailable):
        return error
    if isinstance(error, KeyringLocked) or (
        isinstance(error, InitError) and "prompt" in str(error).lower()
    ):
        return KeyStoreUnavailable(
            "Keyring locked", reason="locked",
            hint="unlock it (log in to your desktop keyring) and retry",
        )
    if isinstance(error, NoKeyringError):
        return KeyStoreUnavailable(_NO_KEYRING, reason="no-keyring")
    if isinstance(error, ImportError | ValueError | AttributeError) and env_backend:
        return KeyStoreUnavailable(
            f"PYTHON_KEYRING_BACKEND={env_backend} cannot be loaded ({_describe(error)})",
            reason="bad-env", hint=f"fix or unset PYTHON_KEYRING_BACKEND; {_SESSION}",
        )
    return KeyStoreUnavailable(_broken(error), reason="error")


def run_with_timeout(fn: Callable[[], T], timeout: float, what: str) -> T:
    """Run `fn` in a daemon thread; give up (KeyStoreUnavailable) after `timeout` s."""
    box: dict[str, Any] = {}
    done = threading.Event()

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as error:  # re-raised, converted, on the caller's thread
            box["error"] = error
        finally:
            done.set()

    threading.Thread(target=target, name=f"freechat-keyring-{what}", daemon=True).start()
    if not done.wait(timeout):
        raise KeyStoreUnavailable(
            f"The OS keyring did not answer within {timeout:g} s", reason="timeout",
            hint=f"it may be waiting for an unlock prompt; {_SESSION}",
        )
    if "error" in box:
        raise box["error"]
    return box["value"]  # type: ignore[no-any-return]


class KeyringStore:
    """Keys in the OS keyring: service `freechat`, username = provider id."""

    source = SOURCE_KEYRING

    def __init__(self, timeout: float = DEFAULT_TIMEOUT, service: str = SERVICE) -> None:
        self.timeout = timeout
        self.service = service
        self._lock = threading.Lock()
        self._backend: Any = None
        self._status: KeyringStatus | None = None
        self._cache: dict[str, str | None] = {}

    def __repr__(self) -> str:
        return f"KeyringStore(service={self.service!r}, timeout={self.timeout:g})"

    # --- status ------------------------------------------------------------------------
    def status(self) -> KeyringStatus:
        """Classify the backend once (loading it may itself block on D-Bus)."""
        with self._lock:
            if self._status is None:
                self._status = self._resolve()
            return self._status

    def retry(self) -> KeyringStatus:
        """Forget a locked/timed-out/failed state and what was read, then look again."""
        with self._lock:
            self._backend = None
            self._status = None
            self._cache.clear()
        return self.status()

    def _resolve(self) -> KeyringStatus:
        import keyring

        env_backend = os.environ.get("PYTHON_KEYRING_BACKEND")
        try:
            backend = run_with_timeout(keyring.get_keyring, self.timeout, "load")
        except Exception as error:
            problem = unavailable_from(error, env_backend=env_backend)
            return KeyringStatus(UNAVAILABLE, env_backend or "", problem.one_line(),
                                 problem.reason)
        status = classify(backend)
        if status.usable:
            self._backend = backend
        return status

    def _fail(self, problem: KeyStoreUnavailable) -> KeyStoreUnavailable:
        """Remember a problem that makes the keyring unusable until `retry()`."""
        if problem.reason in ("locked", "timeout", "error", "no-keyring", "write-verify"):
            with self._lock:
                name = self._status.backend if self._status else ""
                self._status = KeyringStatus(UNAVAILABLE, name, problem.one_line(),
                                             problem.reason)
                self._backend = None
        return problem

    def _call(self, what: str, fn: Callable[[Any], T]) -> T:
        status = self.status()
        backend = self._backend
        if not status.usable or backend is None:
            raise KeyStoreUnavailable(status.detail, reason=status.reason or status.state)
        try:
            return run_with_timeout(lambda: fn(backend), self.timeout, what)
        except KeyStoreUnavailable as problem:
            raise self._fail(problem) from None
        except Exception as error:
            raise self._fail(unavailable_from(error)) from None

    # --- KeyBackend ----------------------------------------------------------------------
    def get(self, provider_id: str) -> Secret | None:
        if provider_id not in self._cache:
            value = self._call("get", lambda b: b.get_password(self.service, provider_id))
            self._cache[provider_id] = value if isinstance(value, str) and value else None
        value = self._cache[provider_id]
        return Secret(value) if value else None

    def set(self, provider_id: str, secret: Secret) -> None:
        """Store and read back (write-verify): some backends drop writes silently."""
        value = secret.reveal()
        self._call("set", lambda b: b.set_password(self.service, provider_id, value))
        self._cache.pop(provider_id, None)
        stored = self._call("verify", lambda b: b.get_password(self.service, provider_id))
        if stored != value:
            raise self._fail(KeyStoreUnavailable(
                "The OS keyring did not keep the key (read-back failed)", reason="write-verify",
                hint=_SESSION,
            ))
        self._cache[provider_id] = value

    def delete(self, provider_id: str) -> bool:
        """True if a key was removed; False if there was none (PasswordDeleteError)."""
        from keyring.errors import PasswordDeleteError

        def remove(backend: Any) -> bool:
            try:
                backend.delete_password(self.service, provider_id)
            except PasswordDeleteError:
                return False
            return True

        removed = self._call("delete", remove)
        self._cache[provider_id] = None
        return removed


def keyring_timeout(environ: Mapping[str, str]) -> float:
    raw = environ.get(TIMEOUT_ENV, "")
    try:
        value = float(raw)
    except ValueError:
        return DEFAULT_TIMEOUT
    return value if 0 < value <= 600 else DEFAULT_TIMEOUT


def default_backends(environ: Mapping[str, str]) -> list[KeyBackend]:
    """What `Runtime` plugs into its KeyStore: the OS keyring, then the opt-in key file."""
    paths = Paths.from_env(environ)
    return [KeyringStore(keyring_timeout(environ)), FileKeyBackend(paths.data_dir / "keys.json")]
