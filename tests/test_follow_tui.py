"""The reader's side of issue 17: the same query language in `/`, saving a search as a watch, watch
rows with unread badges in the sidebar, and a notice naming new matches after a background refresh."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from sz_digest.cache.store import Store
from sz_digest.cache.sync import SyncProgress, SyncReport
from sz_digest.cache.watches import add_watch, watches
from sz_digest.tui.cli import main as cli_main
from sz_digest.tui.district_filter import DistrictFilter
from sz_digest.tui.search_screen import SearchScreen

from tui_fixtures import (  # noqa: F401 (data_dir: a fixture)
    data_dir, digest, item, main, notices, running, screen_text, settle, shown_titles, wait_for_search,
)


QUERIES = ["社工", "社工 -福田", "社工 OR 党建", '"社工站"', "district:福田区", "since:2026-03 -is:unread",
           "week:2026-03-04", "is:unread 区", "district:Futian,南山 OR 吉星"]


async def test_same_query_same_hits_in_the_cli_and_the_reader(data_dir: Path, capsys) -> None:
    expected = {}
    for query in QUERIES:
        cli_main(["--data-dir", str(data_dir), "search", query, "--json", "--limit", "100"])
        expected[query] = [(h["digest_id"], h["title"]) for h in json.loads(capsys.readouterr().out)]
    assert any(expected.values()) and len({tuple(v) for v in expected.values()}) > 3  # not all alike
    async with running(data_dir) as (app, pilot):
        await pilot.press("slash")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        for query in QUERIES:
            screen.query_one("#search-input").value = query
            await wait_for_search(pilot)
            assert [(h.digest_id, h.title) for h in screen.hits] == expected[query], query


@pytest.mark.parametrize(("query", "error"), [
    ("社工 since:2026-13", "bad query at 'since:2026-13' (character 4): no such date"),
    ('"社工', "this quote is never closed"),
])
async def test_a_bad_query_shows_its_error_in_the_search_screen(data_dir: Path, query: str, error: str) -> None:
    """The query is parsed on the search's worker thread: its error comes back in place of the count."""
    async with running(data_dir) as (app, pilot):
        await pilot.press("slash", *query)
        await wait_for_search(pilot)
        assert app.screen.hits == []
        assert error in screen_text(app)


async def test_ctrl_s_saves_the_search_as_a_watch_that_appears_in_the_sidebar(data_dir: Path) -> None:
    async with running(data_dir) as (app, pilot):
        await pilot.press("slash", *"社工 -福田")
        await wait_for_search(pilot)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert [(w.name, w.query) for w in watches(app.store)] == [("社工-福田", "社工 -福田")]
        assert "Saved as watch “社工-福田”" in notices(app)
        await pilot.press("escape")
        await settle(app, pilot)
        sidebar = app.screen.query_one(DistrictFilter)
        assert sidebar.watch_counts == {"社工-福田": 3}
        assert "◇ 社工-福田 3" in screen_text(app)


async def test_watch_rows_count_unread_matches_and_filter_the_viewer(data_dir: Path) -> None:
    with Store.open(data_dir) as store:
        add_watch(store, "社工", "社工")
    async with running(data_dir) as (app, pilot):
        await settle(app, pilot)
        sidebar = app.screen.query_one(DistrictFilter)
        assert sidebar.watch_counts == {"社工": 6}  # three in the latest week, one in each older one
        text = screen_text(app)
        assert "Watches" in text and "◇ 社工 6" in text
        await pilot.press("n")  # the next (older) week, one 社工 item: opening it is reading it
        await settle(app, pilot)
        assert sidebar.watch_counts == {"社工": 5}
        assert "◇ 社工 5" in screen_text(app)
        # Choosing the watch row (the last row) filters the viewer to its matches, as a district does.
        sidebar.focus()
        await pilot.press("p")  # back to the latest week: three 社工 items among eight
        await pilot.press("end", "enter")
        await settle(app, pilot)
        assert main(app).watch_filter[0] == "社工"
        assert shown_titles(app) == ["召开社会工作高质量发展推进会", "开展“社工进社区”志愿服务活动", "推进“一社区一社工站”建设"]
        text = screen_text(app)
        assert "◆ 社工" in text and "watch: 社工" in text
        await pilot.press("n")  # another week: its one match
        await settle(app, pilot)
        assert shown_titles(app) == ["福田区社工站开展春季关爱活动"]
        await pilot.press("enter")  # chosen again: the filter goes
        await settle(app, pilot)
        assert main(app).watch_filter is None and len(shown_titles(app)) == 3
        await pilot.press("enter")
        await pilot.press("a")  # `a` clears every filter, the watch too
        await settle(app, pilot)
        assert main(app).watch_filter is None and "◇ 社工" in screen_text(app)


class NewWeekSync:
    async def __call__(self, store, *, source, on_progress=None, **options) -> SyncReport:
        new = digest("1667001", date(2026, 3, 23), [item(0, "nanshan", "南山区开展养老服务社工培训"),
                                                    item(1, "futian", "福田区运动会")])
        store.save_digest(new, raw=b"")
        on_progress(SyncProgress("done", list_pages=1, listed=1, to_fetch=1, fetched=1, new_ids=("1667001",)))
        return SyncReport(pages=1, listed=1, fetched=1, new_ids=["1667001"])


async def test_a_background_refresh_names_new_matches_and_updates_the_badge(data_dir: Path) -> None:
    with Store.open(data_dir) as store:
        add_watch(store, "养老", "养老 OR 助老")
    async with running(data_dir, offline=False, sync_service=NewWeekSync()) as (app, pilot):
        await app.workers.wait_for_complete()
        await settle(app, pilot)
        assert "New for 养老: 南山区开展养老服务社工培训" in notices(app)
        assert app.screen.query_one(DistrictFilter).watch_counts == {"养老": 1}


async def test_the_reader_runs_on_new_after_its_refresh_and_reports_a_failing_hook(data_dir: Path, tmp_path) -> None:
    import sys

    from sz_digest.cache.config import Config

    received = tmp_path / "got.json"
    hook = f"import shutil, sys; shutil.copyfileobj(sys.stdin, open({str(received)!r}, 'w')); sys.exit(4)"
    with Store.open(data_dir) as store:
        add_watch(store, "养老", "养老")
    config = Config(on_new=(sys.executable, "-c", hook), on_new_timeout=5)
    async with running(data_dir, offline=False, sync_service=NewWeekSync(), config=config) as (app, pilot):
        await app.workers.wait_for_complete()
        await settle(app, pilot)
        await app.workers.wait_for_complete()  # the hook's worker, started after the refresh
        await settle(app, pilot)
        assert [hit["title"] for hit in json.loads(received.read_text("utf-8"))] == ["南山区开展养老服务社工培训"]
        assert "on_new for watch '养老': failed (exit status 4)" in notices(app)


async def test_a_read_only_store_still_counts_the_watches_badges(data_dir: Path) -> None:
    """The badges are counted on the writer's thread; a store opened read-only has no writer, so
    they are counted as a read, and no store error is reported for them."""
    from sz_digest.cache.config import Config
    from sz_digest.tui.app import DigestApp

    with Store.open(data_dir) as store:
        add_watch(store, "社工", "社工")
    store = Store.open(data_dir, seed_sample=False)
    store.read_only, store.read_only_reason = True, "the data dir is read-only"  # as Store.open sets them
    try:
        app = DigestApp(store, config=Config(), offline=True, lang="en")
        async with app.run_test(notifications=True) as pilot:
            await settle(app, pilot)
            assert app.screen.query_one(DistrictFilter).watch_counts == {"社工": 6}
            assert main(app).writer._thread is None  # nothing was sent to a writer
            assert "could not save" not in notices(app).replace("\n", "")
    finally:
        store.close()
