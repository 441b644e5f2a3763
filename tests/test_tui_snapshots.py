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


def test_main_screen_120x40(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=(120, 40))


def test_main_screen_80x24(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=(80, 24))


def test_main_screen_chinese_120x40(snap_compare, make_app) -> None:
    assert snap_compare(make_app(lang="zh"), terminal_size=(120, 40))


def test_help_screen(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), press=["question_mark"], terminal_size=(120, 40))


def test_filter_that_matches_nothing(snap_compare, make_app) -> None:
    assert snap_compare(make_app(districts=["dapeng"]), terminal_size=(120, 40))
