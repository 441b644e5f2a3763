"""SVG snapshot of the sidebar's saved searches (issue 17): badges, and a chosen watch filtering the viewer.

Fixed fixture data, never synced: nothing depends on the clock. Update with `pytest --snapshot-update`
after checking the picture by eye.
"""

from __future__ import annotations

from pathlib import Path

from sz_digest.cache.config import Config
from sz_digest.cache.store import Store
from sz_digest.cache.watches import add_watch
from sz_digest.tui.app import DigestApp

from tui_fixtures import make_store


def test_sidebar_watches_with_one_chosen(snap_compare, tmp_path: Path) -> None:
    store = Store.open(make_store(tmp_path / "data"), seed_sample=False)
    add_watch(store, "社工", "社工")
    add_watch(store, "治理", "治理 OR 议事")
    app = DigestApp(store, config=Config(), offline=True, lang="en")

    async def choose(pilot) -> None:
        await pilot.pause()
        app.main.set_watch("社工")
        app.main.writer.join()  # the badges are counted on the writer thread
        await pilot.pause()

    try:
        assert snap_compare(app, run_before=choose, terminal_size=(120, 40))
    finally:
        store.close()
