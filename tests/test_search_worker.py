"""The search screen searches on a worker thread (issue 15): typing never waits for a search, a
search overtaken by newer typing never puts its results on screen, and the store's copy of every
item's text is built once even when two searches ask for it at the same time."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

from sz_digest.cache.store import Store
from sz_digest.tui import search_screen
from sz_digest.tui.search_screen import SearchScreen
from textual.widgets import Input

from tui_fixtures import data_dir, running, screen_text, settle  # noqa: F401 (data_dir: a fixture)
from tui_fixtures import wait_for_search as search_done


def blocking(query_to_block: str, monkeypatch) -> tuple[threading.Event, threading.Event, list[str]]:
    """Make the screen's search of `query_to_block` wait until released; record every query searched
    ("done: …" once a search has returned)."""
    started, release, asked = threading.Event(), threading.Event(), []
    real = search_screen.search_counted

    def slow(store, query, **options):
        asked.append(query)
        if query == query_to_block:
            started.set()
            release.wait(10)
        try:
            return real(store, query, **options)
        finally:
            asked.append(f"done: {query}")

    monkeypatch.setattr(search_screen, "search_counted", slow)
    return started, release, asked


async def test_typing_goes_on_while_a_search_runs_and_its_stale_results_never_show(
        data_dir: Path, monkeypatch) -> None:
    started, release, asked = blocking("社工", monkeypatch)
    async with running(data_dir) as (app, pilot):
        await pilot.press("slash", *"社工")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        await pilot.pause(search_screen.DEBOUNCE + 0.1)
        assert started.wait(5)  # the search of 社工 is running (held) on its worker thread
        await pilot.pause(search_screen.BUSY_AFTER + 0.05)
        assert "Searching…" in screen_text(app)  # a search that takes a while says so
        await pilot.press(*"站")  # the UI thread is free: the key lands in the field at once
        await pilot.pause()
        assert screen.query_one(Input).value == "社工站"
        assert screen.searching == "社工" and screen.hits == []  # nothing shown yet
        await search_done(pilot)  # 社工站 ran and is shown while 社工 is still held
        expected, total = search_screen.search_counted(app.store, "社工站", limit=search_screen.SEARCH_LIMIT)
        assert expected and [h.title for h in screen.hits] == [h.title for h in expected]
        release.set()  # the held search finishes now; its results must be dropped
        for _ in range(100):
            if "done: 社工" in asked:
                break
            await pilot.pause(0.05)
        await pilot.pause(0.1)
        assert [h.title for h in screen.hits] == [h.title for h in expected]
        assert screen.shown_query == "社工站"
        assert f"{total} match" in screen_text(app)
        assert asked[:2] == ["社工", "社工站"] and "done: 社工" in asked


async def test_enter_before_the_results_arrive_acts_on_them(data_dir: Path, monkeypatch) -> None:
    started, release, _asked = blocking("吉星花园", monkeypatch)
    async with running(data_dir) as (app, pilot):
        await pilot.press("slash", *"吉星花园", "enter")  # enter while the search is still held
        assert started.wait(5)
        await pilot.pause()
        assert isinstance(app.screen, SearchScreen)
        release.set()
        await search_done(pilot)
        await settle(app, pilot)
        assert not isinstance(app.screen, SearchScreen)  # its one hit arrived and enter jumped to it
        assert app.main.query_one("ArticleViewer").current_item.title == "吉星花园小区物业纠纷调解取得成效"


async def test_a_store_failing_under_the_search_shows_why_and_does_not_stay_searching(data_dir: Path,
                                                                                      monkeypatch) -> None:
    from sz_digest.cache.errors import StoreError

    def failing(store, query, **options):
        raise StoreError(data_dir, "database disk image is malformed")

    monkeypatch.setattr(search_screen, "search_counted", failing)
    async with running(data_dir) as (app, pilot):
        await pilot.press("slash", *"社工")
        await search_done(pilot)
        assert app.screen.hits == [] and app.screen.searching is None
        text = screen_text(app)
        assert "database disk image is malformed" in text and "Searching" not in text


def test_two_searches_at_once_build_the_copy_of_every_item_once(data_dir: Path, monkeypatch) -> None:
    from sz_digest.cache import store as store_module

    with Store.open(data_dir, seed_sample=False) as store:
        built = []
        real_of = store_module._SearchCache.of

        def counting_of(rows):
            built.append(len(rows))
            return real_of(rows)

        monkeypatch.setattr(store_module._SearchCache, "of", staticmethod(counting_of))
        expected = store.search_counted("区", limit=5, since=date(2000, 1, 1))  # filtered: over the copy
        store._search_rows = None  # as after a start
        built.clear()
        results: list = []
        threads = [threading.Thread(target=lambda: results.append(store.search_counted("区", limit=5, since=date(2000, 1, 1))))
                   for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        assert results == [expected] * 4
        assert len(built) == 1


async def test_opening_search_indexes_what_a_sync_stored(data_dir: Path) -> None:
    """A sync stores items without indexing them; `/` brings the index up to date on a worker thread
    while the query is typed, so the first search does not wait for it."""
    from conftest import make_digest

    async with running(data_dir) as (app, pilot):
        with Store.open(data_dir, seed_sample=False) as other:  # another process's sync
            other.save_digest(make_digest("1600009", date(2026, 3, 23), [("futian", "福田新闻", "社工站开放。")]),
                              b"<html>9</html>", keep_file=False)
        assert app.store.grams_pending()
        await pilot.press("slash")
        await settle(app, pilot)
        assert isinstance(app.screen, SearchScreen)
        workers = [w for w in app.workers if w.group == "search-index"]
        if workers:
            await app.workers.wait_for_complete(workers)
        assert not app.store.grams_pending()
        await pilot.press(*"福田新")
        await search_done(pilot)
        assert [h.title for h in app.screen.hits] == ["福田新闻"]
