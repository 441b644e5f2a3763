"""One headless start of the reader (or of a bare Textual app), timed to its first full frame.

    python bench/tui_probe.py app DATA_DIR WEEKS     # the sz-digest reader on a stored archive
    python bench/tui_probe.py bare                   # Header, one Static, Footer

Run by bench/run.py in a fresh process per measurement. Prints one JSON line with `ready`, the
`time.perf_counter()` (CLOCK_MONOTONIC, shared by every process on Linux) of the first full frame;
the parent subtracts the moment it spawned this process, so Python start-up and imports count; and
`cpu`, the process's CPU time up to that frame (`time.process_time()`, imports included), which a
busy or throttled machine inflates far less than the wall time.

"First full frame": the first screen refresh after which
- reader: the main screen is current, the week list holds every stored week or at least enough
  rows to fill its viewport (rows below it may be added after the first frame), and the viewer has
  painted the first row of its first item, laid out for the shown week at the viewer's current width
  (`ArticleViewer.first_item_drawn`; the viewer is one Line-API widget, so "its items are mounted"
  no longer applies) — every visible pane complete;
- bare app: the Static is laid out.
The probe waits for refreshes from a Textual autopilot task (`wait_for_refresh`), checks the
condition after each, and exits the app as soon as it holds. Both apps run with the headless driver
at 120×40, so the compositor renders every frame but nothing is written to a terminal.
"""

from __future__ import annotations

import sys
from time import perf_counter, process_time

SIZE = (120, 40)


def bare_app():
    from textual.app import App
    from textual.widgets import Footer, Header, Static

    class Bare(App):
        def compose(self):
            yield Header()
            yield Static("深圳社会工作一周速览", id="only")
            yield Footer()

    app = Bare()

    def ready() -> bool:
        statics = app.screen.query("#only")
        return bool(statics) and statics.first().region.height > 0

    return app, ready, None


def reader_app(data_dir: str, weeks: int):
    from sz_digest.cache.config import Config
    from sz_digest.cache.store import Store
    from sz_digest.tui.app import DigestApp

    store = Store.open(data_dir)
    app = DigestApp(store, config=Config(refresh_interval_hours=0), offline=True, lang="zh")

    def ready() -> bool:
        screen = app.screen
        if screen.id != "main":
            return False
        found = screen.query("#weeks")
        if not found:
            return False
        week_list = found.first()
        # Every row the user can see is there: all weeks, or enough to fill the list's viewport
        # (the reader may add the off-screen rest after the first frame).
        filled = week_list.virtual_size.height >= week_list.scrollable_content_region.height > 0
        if len(week_list.row_ids) < weeks and not filled:
            return False
        # The viewer (one Line-API widget) drew its first item's first row, laid out for the week
        # shown now at its current width.
        return screen.query_one("#viewer").first_item_drawn

    return app, ready, store


def main(argv: list[str]) -> int:
    kind = argv[0]
    if kind == "bare":
        app, ready, store = bare_app()
    else:
        app, ready, store = reader_app(argv[1], int(argv[2]))
    result: dict = {}

    async def autopilot(pilot) -> None:
        frames = 0
        while True:
            await app.screen.wait_for_refresh()
            frames += 1
            if ready():
                result["ready"] = perf_counter()
                result["cpu"] = process_time()  # this process's CPU from its start (imports included)
                result["frames"] = frames
                break
            if frames > 2000:
                break
        app.exit()

    app.run(headless=True, size=SIZE, auto_pilot=autopilot)
    if store is not None:
        store.close()
    if "ready" not in result:
        print('{"error": "never ready"}')
        return 1
    print('{"ready": %r, "cpu": %r, "frames": %d}' % (result["ready"], result["cpu"], result["frames"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
