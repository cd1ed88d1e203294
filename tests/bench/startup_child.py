"""Time from process start to the first frame, for freechat or a bare Textual hello app.

    python -m tests.bench.startup_child freechat|hello OUT.json

The parent notes the time just before starting us; we write the monotonic time (the same
clock in every process on Linux) of the first frame of the screen that matters: freechat's
main screen, or the hello app's only screen. Textual runs headless (the driver is chosen by
TEXTUAL_DRIVER), so everything is rendered except the final terminal write, for both apps.
freechat starts through its real entry point (`freechat.cli.entry`, the console script), as a
user's shell would.
"""

from __future__ import annotations

import json
import os
import sys
import time


def main() -> None:
    which, out = sys.argv[1], sys.argv[2]
    os.environ["TEXTUAL_DRIVER"] = "textual.drivers.headless_driver:HeadlessDriver"
    from textual.app import App  # both apps import it; patching it here costs neither

    display = App._display

    def first_frame(self: App, screen, renderable) -> None:  # type: ignore[no-untyped-def]
        display(self, screen, renderable)
        if renderable is not None and (which == "hello" or type(screen).__name__ == "MainScreen"):
            now = time.monotonic()
            with open(out, "w") as f:
                json.dump({"first_frame": now}, f)
            os._exit(0)  # no teardown: only the way in is measured

    App._display = first_frame  # type: ignore[method-assign]
    if which == "hello":
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
