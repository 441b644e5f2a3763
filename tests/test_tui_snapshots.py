"""SVG snapshots of the reader (pytest-textual-snapshot), from fixed fixture data.

Nothing on these screens depends on the clock: the fixture store was never synced ("never synced"),
and every date comes from the fixture digests. Update with `pytest --snapshot-update` after checking
the new pictures by eye.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sz_digest.cache.config import Config
from sz_digest.cache.store import Store
from sz_digest.tui.app import DigestApp

from tui_fixtures import make_store


@pytest.fixture
def make_app(tmp_path: Path):
    stores: list[Store] = []

    def build(**options) -> DigestApp:
        store = Store.open(make_store(tmp_path / "data"), seed_sample=False)
        stores.append(store)
        options.setdefault("offline", True)
        options.setdefault("lang", "en")
        return DigestApp(store, config=Config(), **options)

    yield build
    for store in stores:
        store.close()


def test_main_screen_60x20(snap_compare, make_app) -> None:
    """No sidebar; the week list gives way so the article keeps 40 cells; week rows end in "…"."""
    assert snap_compare(make_app(), terminal_size=(60, 20))


def test_main_screen_80x24(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=(80, 24))


def test_main_screen_120x40(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=(120, 40))


def test_main_screen_200x60(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=(200, 60))


def test_reading_marks_and_unread_counts(snap_compare, make_app) -> None:
    """After `enter` and a page: read items lose their dot, the list and status count what is left."""
    assert snap_compare(make_app(), press=["enter", "space"], terminal_size=(120, 30))


def test_main_screen_chinese_120x40(snap_compare, make_app) -> None:
    assert snap_compare(make_app(lang="zh"), terminal_size=(120, 40))


def test_help_screen(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), press=["question_mark"], terminal_size=(120, 40))


def test_filter_lists_only_matching_weeks(snap_compare, make_app) -> None:
    """"1 of 4 weeks": the only week with a Dapeng item, its filtered count."""
    assert snap_compare(make_app(districts=["dapeng"]), terminal_size=(120, 40))
