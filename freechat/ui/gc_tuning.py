"""Python's cyclic GC, tuned for a long-lived UI heap (PERFORMANCE.md, measured here).

Defaults (700, 10, 10) run full collections of the whole widget heap during a stream. The
earlier tuning (20000, 20, 100) fixed that, but let the middle generation grow to ~400k
objects: scrolling back through a long chat (widgets mounted and unmounted) then paused the
loop 180-310 ms per collection. (10000, 3, 50) keeps every young collection under ~16 ms
there and full ones rare; `freeze()` after startup keeps what startup built out of them all.
"""

from __future__ import annotations

import gc

THRESHOLDS = (10_000, 3, 50)


def pause() -> None:
    """From the moment the app command starts until the first frame (`freeze` ends it).

    Startup allocates ~100k objects, nearly all of them long-lived (modules, classes,
    widgets, styles), and the young collections that this triggers re-walk that graph for
    15-25 ms of the way to the first frame while finding almost nothing to free."""
    gc.disable()


def tune() -> None:
    """Call once, before the app starts."""
    gc.set_threshold(*THRESHOLDS)


def freeze() -> None:
    """Call once startup is done (and again after a warm-up): what exists now is long-lived.
    Also ends `pause`: collection resumes, with `tune`'s thresholds."""
    gc.collect()
    gc.freeze()
    gc.enable()
