"""Textual's parsed stylesheets, kept between runs the way Python keeps `.pyc` files.

Textual parses every stylesheet on every start: the app's `.tcss` files and each widget
class's DEFAULT_CSS, tokenized with the theme's variables substituted. That is ~12 ms of the
way to the first frame, the largest single cost after the imports, and the result is the same
each time. The parsed rules are plain objects, so after the first frame they are pickled to
the private state directory, and the next start hands them to the stylesheet's own parse
cache (keyed by each stylesheet's full text), where Textual finds them instead of parsing.

A file is used only when everything its rules were made from is unchanged: the theme
variables (they are substituted while parsing), the Python version, and the Textual modules
that parse and hold the rules (size and mtime, as for `.pyc` files). Anything else, or any
error, and Textual simply parses as it always does. A pickle must not become a way to run
code: the file is read only if the user owns it and nobody else can write it, and loading
accepts only the classes and functions of the few Textual modules that rules are made of.
"""

from __future__ import annotations

import io
import os
import pickle
import sys
from functools import partial
from pathlib import Path
from typing import Any

FILE_NAME = "textual-css.pickle"
FORMAT = 1
# The modules whose code turns CSS into rules, or whose classes the rules are made of.
_TEXTUAL_FILES = (
    "__init__.py", "color.py", "geometry.py", "css/parse.py", "css/tokenize.py",
    "css/tokenizer.py", "css/model.py", "css/styles.py", "css/scalar.py",
    "css/_style_properties.py", "css/types.py", "css/constants.py",
)


def _textual_stamp() -> tuple[object, ...]:
    import textual

    root = Path(textual.__file__).parent
    stamp: list[object] = [sys.version, str(root)]
    for name in _TEXTUAL_FILES:
        try:
            info = os.stat(root / name)
        except OSError:
            stamp.append((name, None))
            continue
        stamp.append((name, info.st_size, info.st_mtime_ns))
    return tuple(stamp)


# What parsed rules are made of, and nothing else: a module's own classes and functions.
_MODULES = ("textual.color", "textual.geometry", "textual.css.model", "textual.css.scalar",
            "textual.css.styles", "textual.layouts.")
# Selectors hold bound lookups on their own dicts of names.
_LOOKUPS = frozenset({"__contains__", "get"})


def _lookup(target: object, name: str) -> object:
    if not isinstance(target, dict | set | frozenset) or name not in _LOOKUPS:
        raise pickle.UnpicklingError(f"refused attribute {name!r}")
    return getattr(target, name)


class _RulesOnly(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("builtins", "getattr"):
            return _lookup
        if (module, name) == ("functools", "partial"):
            return partial
        if module.startswith(_MODULES):
            found = super().find_class(module, name)
            if getattr(found, "__module__", None) == module:  # not something it imported
                return found
        raise pickle.UnpicklingError(f"refused {module}.{name}")


def parse_cache_of(stylesheet: object) -> Any:
    """The Stylesheet's own cache of parsed rules (private to Textual: None if it moved)."""
    cache = getattr(stylesheet, "_parse_cache", None)
    usable = all(callable(getattr(cache, name, None)) for name in ("set", "get", "keys"))
    return cache if usable else None


class ParsedCssCache:
    """One app's cache file: `load_into` before the first parse, `save` after the first frame."""

    def __init__(self, directory: Path, variables: dict[str, str]) -> None:
        self.path = directory / FILE_NAME
        self._variables = dict(variables)
        self._loaded: set[object] = set()

    def _header(self) -> tuple[object, ...]:
        return (FORMAT, _textual_stamp(), sorted(self._variables.items()))

    def load_into(self, parse_cache: Any) -> int:
        """Put the file's rules in a Stylesheet's parse cache; how many (0: none usable)."""
        try:
            info = os.stat(self.path)
            if info.st_uid != os.getuid() or info.st_mode & 0o022:
                return 0  # someone else could have written it
            with open(self.path, "rb") as handle:
                data = handle.read()
            header, entries = _RulesOnly(io.BytesIO(data)).load()
            if header != self._header():
                return 0
            for key, rules in entries:
                parse_cache.set(key, rules)
                self._loaded.add(key)
        except Exception:  # a cache: whatever the problem, Textual parses as usual
            self._loaded.clear()
            return 0
        return len(self._loaded)

    def new_entries(self, parse_cache: Any) -> list[tuple[object, object]]:
        """Everything parsed so far, if that is more than the file had (else nothing).
        On the app's thread: the stylesheet may parse more meanwhile."""
        keys = list(parse_cache.keys())
        if all(key in self._loaded for key in keys):
            return []
        entries = [(key, parse_cache.get(key)) for key in keys]
        return [(key, rules) for key, rules in entries if rules is not None]

    def save(self, entries: list[tuple[object, object]]) -> None:
        """Write `new_entries` (in a worker thread; a failure only means parsing next time)."""
        from freechat.core.fsutil import atomic_write

        try:
            payload = pickle.dumps((self._header(), entries), protocol=pickle.HIGHEST_PROTOCOL)
            atomic_write(self.path, payload)
        except Exception:  # a cache: the next start parses again
            return
