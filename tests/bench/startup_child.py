"""Time from process start to the first frame, for freechat or a bare Textual hello app.

    python -m tests.bench.startup_child freechat|freechat-settle|hello OUT.json

The parent notes the time just before starting us; we write the monotonic time (the same
clock in every process on Linux) of the first frame of the screen that matters: freechat's
main screen, or the hello app's only screen. Textual runs headless (the driver is chosen by
TEXTUAL_DRIVER), so everything is rendered except the final terminal write, for both apps.
freechat starts through its real entry point (`freechat.cli.entry`, the console script), as a
user's shell would.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import json
import os
import sys
import time

SETTLE = 1.5  # seconds: the background work after the first frame is done by then


def _on_first_frame(which: str, out: str, app_class: type) -> None:
    """Patch Textual's App to note the first frame of the screen that matters, then leave
    (`freechat-settle`: leave once the work after the first frame is done, writing caches
    as any run of the app does: the measured starts are not the first after an install)."""
    display = app_class._display
    settling: list[bool] = []

    def first_frame(self, screen, renderable) -> None:  # type: ignore[no-untyped-def]
        display(self, screen, renderable)
        if renderable is None or not (which == "hello" or type(screen).__name__ == "MainScreen"):
            return
        if which == "freechat-settle":
            if not settling:
                settling.append(True)
                with open(out, "w") as f:
                    json.dump({"first_frame": time.monotonic()}, f)
                self.set_timer(SETTLE, lambda: os._exit(0))
            return
        now = time.monotonic()
        with open(out, "w") as f:
            json.dump({"first_frame": now}, f)
        os._exit(0)  # no teardown: only the way in is measured

    app_class._display = first_frame


class _PatchOnImport(importlib.abc.MetaPathFinder):
    """Patches `textual.app` as it is imported, by whoever imports it first. Importing it here
    instead would load Textual before freechat's entry point runs, which a user's shell never
    does (the entry point sets up the GC before the app's imports, for one)."""

    def __init__(self, which: str, out: str) -> None:
        self.which, self.out = which, out

    def find_spec(self, name, path, target=None):  # type: ignore[no-untyped-def]
        if name != "textual.app":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.loader is not None
        loader = spec.loader
        exec_module = loader.exec_module

        def exec_and_patch(module) -> None:  # type: ignore[no-untyped-def]
            exec_module(module)
            _on_first_frame(self.which, self.out, module.App)

        loader.exec_module = exec_and_patch  # type: ignore[method-assign]
        return spec


def main() -> None:
    which, out = sys.argv[1], sys.argv[2]
    os.environ["TEXTUAL_DRIVER"] = "textual.drivers.headless_driver:HeadlessDriver"
    sys.meta_path.insert(0, _PatchOnImport(which, out))
    if which == "hello":
        from textual.app import App
        from textual.widgets import Static

        class Hello(App[None]):
            def compose(self):  # type: ignore[no-untyped-def]
                yield Static("Hello, world!")

        Hello().run()
    else:
        from freechat.cli import entry

        sys.argv = ["freechat", "chat"]
        entry()
    sys.exit("no frame was drawn")


if __name__ == "__main__":
    main()
