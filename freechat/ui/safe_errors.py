"""Crash output that cannot show a key (RELIABILITY §0.3, test S4).

Textual's `App._fatal_error` renders `rich.traceback.Traceback(show_locals=True)`: a crash
prints every local variable of every frame, including `api_key = 'sk-…'` and request headers.
`SafeErrorsMixin` replaces it with a traceback that has no locals and whose exception messages
and notes went through `redact()`. Mix it in first: `class FreechatApp(SafeErrorsMixin, App)`.
"""

from __future__ import annotations

import sys
from types import TracebackType
from typing import TYPE_CHECKING, Any

from freechat.core.secret import redact

if TYPE_CHECKING:  # rich.traceback (and Pygments under it) loads only on a crash, not at startup
    from rich.traceback import Trace, Traceback

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def _scrub(trace: Trace) -> Trace:
    for stack in trace.stacks:
        stack.exc_value = redact(stack.exc_value)
        stack.notes = [redact(note) for note in stack.notes]
        if stack.syntax_error is not None:
            stack.syntax_error.msg = redact(stack.syntax_error.msg)
            stack.syntax_error.line = redact(stack.syntax_error.line)
        for frame in stack.frames:
            frame.locals = None
            frame.line = redact(frame.line)
        for group_member in stack.exceptions:
            _scrub(group_member)
    return trace


def redacted_trace(exc_info: ExcInfo | None = None) -> Trace:
    """A Rich `Trace` of the current (or given) exception: no locals, messages redacted."""
    from rich.traceback import Traceback

    exc_type, exc_value, tb = exc_info or sys.exc_info()
    if exc_type is None or exc_value is None:
        raise ValueError("no exception to render")
    trace = Traceback.extract(exc_type, exc_value, tb, show_locals=False)
    return _scrub(trace)


def safe_traceback(exc_info: ExcInfo | None = None, *, width: int | None = None) -> Traceback:
    import rich
    import textual
    from rich.traceback import Traceback

    return Traceback(
        trace=redacted_trace(exc_info), show_locals=False, width=width,
        suppress=[rich, textual],
    )


class SafeErrorsMixin:
    """Put before `App` in the bases. Overrides Textual's fatal-error renderer."""

    def _fatal_error(self) -> None:
        app: Any = self
        app.bell()
        error = sys.exc_info()[1]
        try:
            renderable: Any = safe_traceback()
        except Exception:  # never let the crash handler crash; say only what is safe
            renderable = redact(f"freechat crashed: {type(error).__name__}: {error}")
        from rich.segment import Segments

        app._exit_renderables.append(
            Segments(app.console.render(renderable, app.console.options))
        )
        app._close_messages_no_wait()
