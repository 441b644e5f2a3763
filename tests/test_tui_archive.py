"""Pilot tests of the reader's archive features (issue 5): `/` search, `t` timeline, `s` stars and
the starred entry, `e` export, `g` activity. Real Store in a tmp dir, offline."""

from __future__ import annotations

from pathlib import Path

from sz_digest.tui.article_viewer import ArticleViewer
from sz_digest.tui.export_screen import ExportScreen
from textual.widgets import Input, Select
from sz_digest.tui.main_screen import MainScreen
from sz_digest.tui.search_screen import SearchScreen, TimelineScreen
from sz_digest.cache.figures import sparkline as bar
from sz_digest.tui.stats_screen import StatsScreen
from sz_digest.tui.week_list import STARRED_ID, WeekList

from tui_fixtures import (  # noqa: F401 (data_dir: a fixture)
    LATEST_ID, data_dir, latest_week, main, make_store, notices, running, screen_text, settle, shown_titles,
    wait_for_search,
)


async def test_slash_searches_as_you_type_and_enter_jumps_to_the_item(data_dir: Path) -> None:
    async with running(data_dir) as (app, pilot):
        await pilot.press("j")  # somewhere else first
        await settle(app, pilot)
        await pilot.press("slash")
        await settle(app, pilot)
        assert isinstance(app.screen, SearchScreen)
        await pilot.press(*"吉星花园")
        await wait_for_search(pilot)
        search = app.screen
        assert [hit.title for hit in search.hits] == ["吉星花园小区物业纠纷调解取得成效"]
        assert "1 match" in screen_text(app)
        await pilot.press("enter")
        await settle(app, pilot)
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        assert main(app).digest_id == LATEST_ID
        viewer = app.screen.query_one(ArticleViewer)
        assert viewer.current_item.title == "吉星花园小区物业纠纷调解取得成效"


async def test_two_character_queries_find_items_and_escape_returns(data_dir: Path) -> None:
    async with running(data_dir) as (app, pilot):
        await pilot.press("slash", *"社工")
        await wait_for_search(pilot)
        titles = {hit.title for hit in app.screen.hits}
        assert "福田区召开社工督导会议" in titles and "开展“社工进社区”志愿服务活动" in titles
        assert all("社工" in hit.title or "社工" in hit.snippet for hit in app.screen.hits)
        await pilot.press("down", "down", "enter")  # into the results, then the second one
        await settle(app, pilot)
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        await pilot.press("slash", *"没有这个词")
        await wait_for_search(pilot)
        assert app.screen.hits == []
        assert "No matches." in screen_text(app)
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)


async def test_search_jump_clears_a_filter_that_would_hide_the_item(data_dir: Path) -> None:
    async with running(data_dir, districts=["nanshan"]) as (app, pilot):
        await pilot.press("slash", *"吉星", "enter")
        await wait_for_search(pilot)
        await settle(app, pilot)
        assert main(app).districts == frozenset()
        assert app.screen.query_one(ArticleViewer).current_item.district == "longgang"


async def test_search_results_show_hostile_text_literally(tmp_path: Path) -> None:
    from tui_fixtures import hostile_week, make_store

    async with running(make_store(tmp_path / "h", [hostile_week()])) as (app, pilot):
        await pilot.press("slash", *"bold")
        await wait_for_search(pilot)
        assert app.screen.hits
        text = screen_text(app)
        assert "[bold red]紧急[/bold red]" in text
        assert app.is_running


async def test_t_shows_the_district_timeline_and_enter_jumps(data_dir: Path) -> None:
    async with running(data_dir) as (app, pilot):
        sidebar = app.screen.query_one("#districts")
        sidebar.focus()
        sidebar.move_cursor(sidebar.row_ids.index("futian"))
        await pilot.press("t")
        await settle(app, pilot)
        assert isinstance(app.screen, TimelineScreen)
        timeline = app.screen
        assert [e.week_start.isoformat() for e in timeline.entries] == ["2026-03-09", "2026-03-02", "2026-02-16"]
        text = screen_text(app)
        assert "Futian: every item, newest first" in text
        await pilot.press("j", "enter")
        await settle(app, pilot)
        await settle(app, pilot)
        assert main(app).digest_id == "1660001"
        assert app.screen.query_one(ArticleViewer).current_item.title == "福田区社工站开展春季关爱活动"


async def test_t_without_a_district_asks_for_one(data_dir: Path) -> None:
    async with running(data_dir, size=(80, 24)) as (app, pilot):  # sidebar hidden, nothing current
        await pilot.press("t")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)
        assert "Highlight a district" in notices(app)
        await pilot.press("right_square_bracket", "t")  # the current item's district
        await settle(app, pilot)
        assert isinstance(app.screen, TimelineScreen) and app.screen.district == "futian"


async def test_s_stars_items_and_the_starred_entry_lists_them_across_restarts(data_dir: Path) -> None:
    async with running(data_dir) as (app, pilot):
        await pilot.press("s")
        await settle(app, pilot)
        assert "no current item" in notices(app)
        await pilot.press("right_square_bracket", "right_square_bracket", "s")
        await settle(app, pilot)
        assert app.store.starred_positions(LATEST_ID) == {1}
        assert app.screen.query_one(ArticleViewer).entries[1].starred
        weeks = app.screen.query_one(WeekList)
        assert weeks.row_ids[0] == STARRED_ID
        await pilot.press("n", "right_square_bracket", "s")
        await settle(app, pilot)
        assert app.store.starred_positions("1660001") == {0}
    async with running(data_dir) as (app, pilot):
        weeks = app.screen.query_one(WeekList)
        assert weeks.row_ids[0] == STARRED_ID
        weeks.focus()
        weeks.move_cursor(0)
        await pilot.press("enter")
        await settle(app, pilot)
        await settle(app, pilot)
        assert main(app).digest_id == STARRED_ID
        assert shown_titles(app) == ["开展“社工进社区”志愿服务活动", "福田区社工站开展春季关爱活动"]
        assert "Starred items" in screen_text(app)
        # Unstar from the starred view.
        await pilot.press("right_square_bracket", "s")
        await settle(app, pilot)
        assert app.store.starred_positions(LATEST_ID) == set()
        await pilot.press("u", "n", "p")  # read toggling and week keys do not break the starred view
        await settle(app, pilot)
        assert app.is_running


async def test_e_exports_what_the_viewer_shows(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    async with running(data_dir, districts=["nanshan"], export_dir=out) as (app, pilot):
        await pilot.press("e")  # asks: the format and a prefilled path
        await settle(app, pilot)
        assert isinstance(app.screen, ExportScreen)
        assert app.screen.query_one(Input).value == str(out / "sz-digest-2026-03-09-nanshan.md")
        await pilot.press("enter")
        await app.workers.wait_for_complete()  # the file is written on a thread
        await settle(app, pilot)
        files = sorted(out.iterdir())
        assert [f.name for f in files] == ["sz-digest-2026-03-09-nanshan.md"]
        text = files[0].read_text("utf-8")
        assert text.count("\n# ") + text.startswith("# ") == 1
        assert "## 南山区" in text and "召开树立和践行正确政绩观学习教育动员部署会" in text
        assert "福田" not in text
        assert str(files[0]) in notices(app).replace("\n", "")
        await pilot.press("e", "enter")  # a second export never overwrites the first
        await app.workers.wait_for_complete()
        await settle(app, pilot)
        assert sorted(f.name for f in out.iterdir()) == ["sz-digest-2026-03-09-nanshan-2.md",
                                                         "sz-digest-2026-03-09-nanshan.md"]


async def test_e_asks_the_format_and_refuses_an_existing_file(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.json").write_text("keep me", "utf-8")
    async with running(data_dir, export_dir=out) as (app, pilot):
        await pilot.press("e")
        await settle(app, pilot)
        app.screen.query_one(Select).value = "json"
        await settle(app, pilot)
        field = app.screen.query_one(Input)
        assert field.value == str(out / "sz-digest-2026-03-09.json")  # the suffix follows the format
        field.value = str(out / "mine.json")
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ExportScreen) and "exists" in str(app.screen.query_one("#export-hint").render())
        field.value = str(out / "week.json")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await settle(app, pilot)
    assert (out / "mine.json").read_text("utf-8") == "keep me"
    assert '"召开社会工作高质量发展推进会"' in (out / "week.json").read_text("utf-8")


async def test_e_with_nothing_shown_says_so(tmp_path: Path) -> None:
    data = make_store(tmp_path / "one", [latest_week()])
    async with running(data, districts=["dapeng"], export_dir=tmp_path / "out") as (app, pilot):
        await pilot.press("e")
        await settle(app, pilot)
        assert "nothing to export" in notices(app)
        assert not (tmp_path / "out").exists()


async def test_g_shows_district_activity(data_dir: Path) -> None:
    async with running(data_dir) as (app, pilot):
        await pilot.press("g")
        await settle(app, pilot)
        assert isinstance(app.screen, StatsScreen)
        text = screen_text(app)
        assert "Activity per district, last 4 weeks" in text
        assert "Futian" in text and "3 items" in text
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)


def test_bar_scales_and_never_hides_a_week_with_items() -> None:
    assert bar([0, 1, 8], 8) == "·▁█"
    assert bar([0, 0], 0) == "··"


async def test_search_says_the_true_total_when_it_shows_fewer(tmp_path: Path, monkeypatch) -> None:
    from tui_fixtures import many_weeks

    import sz_digest.cache.store as store_module

    snippets = []
    make_snippet = store_module.make_snippet
    monkeypatch.setattr(store_module, "make_snippet", lambda *a, **k: snippets.append(1) or make_snippet(*a, **k))
    async with running(make_store(tmp_path / "many", many_weeks(40))) as (app, pilot):
        await pilot.press("slash", *"条目")
        await wait_for_search(pilot)
        assert "120 matches, showing 100 of 120" in screen_text(app)
        # The total is counted, not built: only the shown hits get a snippet (one search of the
        # whole query; a keystroke's search of the first character may have made its own 100).
        assert len(snippets) <= 200
