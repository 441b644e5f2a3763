"""Pilot tests of the reader (issue 4): navigation, the district filter, read state, start state,
the refresh worker with a fake sync service, markup/ESC injection and the help screen.

Every app here runs against a real Store in a tmp dir filled with hand-made digests; nothing touches
the network (the app is either `offline` or given a fake `sync_service`).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sz_digest.cache.config import Config
from sz_digest.cache.store import Store
from sz_digest.cache.sync import SyncProgress, SyncReport
from sz_digest.tui.app import DigestApp
from sz_digest.tui.article_viewer import ArticleViewer
from sz_digest.tui.commands import COMMANDS
from sz_digest.tui.district_filter import DistrictFilter
from sz_digest.tui.help_screen import HelpScreen
from sz_digest.tui.main_screen import MainScreen
from sz_digest.tui.week_list import WeekList
from textual.widgets._footer import FooterKey

from tui_fixtures import (
    SIZE,
    data_dir,  # noqa: F401 (a fixture)
    main,
    notices,
    running,
    shown_titles,
    viewer,
    LATEST_ID,
    digest,
    hostile_week,
    item,
    latest_week,
    make_store,
    many_weeks,
    older_weeks,
    screen_text,
    settle,
)

def is_drawn_current(app: DigestApp, index: int) -> bool:
    """Entry `index` is the current item: its first row is on screen and painted in the current style."""
    view = viewer(app)
    if view.current != index:
        return False
    y = view.item_rows(index)[0] - int(view.scroll_y)
    if not 0 <= y < view.scrollable_content_region.height:
        return False
    current = view.get_visual_style("viewer--current").rich_style.bgcolor
    return list(view.render_line(y))[0].style.bgcolor == current


# -- navigating weeks --------------------------------------------------------------------------


async def test_starts_on_latest_week_with_every_item(data_dir: Path) -> None:
    async with running(data_dir) as (app, pilot):
        assert main(app).digest_id == LATEST_ID
        assert len(shown_titles(app)) == 8
        assert app.focused is app.screen.query_one(WeekList)
        assert "深圳社会工作一周速览（3月9日至3月13日）" in screen_text(app)


async def test_j_k_move_the_week_highlight_and_preview(data_dir: Path) -> None:
    async with running(data_dir) as (app, pilot):
        await pilot.press("j")
        await settle(app, pilot)
        assert main(app).digest_id == "1660001"
        assert "市委社会工作部召开全市社会工作会议" in shown_titles(app)
        await pilot.press("down", "k")
        await settle(app, pilot)
        assert main(app).digest_id == "1660001"
        # Previewing with j/k does not mark read; opening with enter does.
        assert not app.store.week("1660001").read
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.store.week("1660001").read
        assert app.focused is app.screen.query_one(ArticleViewer)


@pytest.mark.parametrize("pane", ["#weeks", "#viewer", "#districts"])
async def test_n_p_step_weeks_from_any_pane_and_mark_them_read(data_dir: Path, pane: str) -> None:
    async with running(data_dir) as (app, pilot):
        app.screen.query_one(pane).focus()
        await settle(app, pilot)
        await pilot.press("n", "n")
        await settle(app, pilot)
        assert main(app).digest_id == "1657002"
        assert app.screen.query_one(WeekList).highlighted_id == "1657002"
        assert app.store.week("1657002").read
        await pilot.press("p")
        await settle(app, pilot)
        assert main(app).digest_id == "1660001"
        await pilot.press("p", "p")  # stops at the newest
        await settle(app, pilot)
        assert main(app).digest_id == LATEST_ID


async def test_items_step_with_brackets_and_get_marked_read(data_dir: Path) -> None:
    async with running(data_dir) as (app, pilot):
        await pilot.press("right_square_bracket", "right_square_bracket")
        await settle(app, pilot)
        viewer = app.screen.query_one(ArticleViewer)
        assert viewer.current_item.title == "开展“社工进社区”志愿服务活动"
        # Stepping is reading: the items stepped onto and those drawn whole on screen are read.
        on_screen = {viewer.entries[i].item.position for i in viewer.seen_entries()}
        assert app.store.read_positions(LATEST_ID) == {0, 1} | on_screen
        await pilot.press("left_square_bracket")
        await settle(app, pilot)
        assert viewer.current_item.position == 0
        assert is_drawn_current(app, 0)
        assert not is_drawn_current(app, 1)


async def test_the_highlight_follows_j_k_and_space_through_the_items(data_dir: Path) -> None:
    """Issue 14: the current item is highlighted, and reading moves it: `space` and `j`/`k` make the
    item at the top of the pane current; at the end of the week `j` steps it through the items left."""
    async with running(data_dir, size=(120, 30)) as (app, pilot):
        await pilot.press("enter")  # open the week: focus in the viewer
        await settle(app, pilot)
        view = viewer(app)
        assert view.current is None
        await pilot.press("space")
        await settle(app, pilot)
        top = view.current
        assert top is not None and top > 0
        assert view.item_rows(top)[-1] >= int(view.scroll_y) > view.item_rows(top - 1)[-1]
        assert is_drawn_current(app, top)
        while int(view.scroll_y) > view.item_rows(top - 1)[-1]:  # back until the item above shows at the top
            await pilot.press("k")
        await settle(app, pilot)
        assert view.current == top - 1
        while view.scroll_y < view.max_scroll_y:
            await pilot.press("j")
        await settle(app, pilot)
        at_end = view.current
        await pilot.press("j")
        await settle(app, pilot)
        assert view.current == at_end + 1 and is_drawn_current(app, at_end + 1)
        assert not is_drawn_current(app, at_end)


async def test_moving_the_highlight_repaints_only_the_two_items(data_dir: Path) -> None:
    """Issue 14: a highlight move must not cost a whole viewer repaint: the old and new item's rows."""
    async with running(data_dir, size=(120, 30)) as (app, pilot):
        await pilot.press("enter")
        await settle(app, pilot)
        view = viewer(app)
        while view.scroll_y < view.max_scroll_y:
            await pilot.press("j")
        await settle(app, pilot)
        old = view.current
        painted: list = []
        real_refresh = view.refresh

        def spy(*regions, **options):
            painted.append(regions)
            return real_refresh(*regions, **options)

        view.refresh = spy
        await pilot.press("j")
        view.refresh = real_refresh
        assert painted and all(regions for regions in painted), "a full repaint of the viewer"
        lines = {y + int(view.scroll_y) for regions in painted for region in regions for y in region.line_range}
        assert lines == set(view.item_rows(old)) | set(view.item_rows(view.current))


async def test_the_current_item_is_visible_on_light_and_dark_themes(data_dir: Path) -> None:
    async with running(data_dir) as (app, pilot):
        for theme in ("textual-dark", "textual-light"):
            app.theme = theme
            await settle(app, pilot)
            view = viewer(app)
            current = view.get_visual_style("viewer--current").rich_style.bgcolor
            body = view.get_visual_style("viewer--body").rich_style.bgcolor
            assert current is not None and current != body, theme


# -- the district filter ------------------------------------------------------------------------


async def test_space_toggles_districts_and_a_clears(data_dir: Path) -> None:
    async with running(data_dir) as (app, pilot):
        sidebar = app.screen.query_one(DistrictFilter)
        sidebar.focus()
        await settle(app, pilot)
        ids = list(sidebar.row_ids)
        assert ids[:5] == ["all", "futian", "luohu", "yantian", "nanshan"]
        assert "city" not in ids and "other" not in ids  # absent this week: not shown
        sidebar.move_cursor(ids.index("nanshan"))
        await pilot.press("space")
        await settle(app, pilot)
        assert main(app).districts == {"nanshan"}
        assert shown_titles(app) == ["召开树立和践行正确政绩观学习教育动员部署会"]
        sidebar.move_cursor(ids.index("futian"))
        await pilot.press("space")
        await settle(app, pilot)
        assert main(app).districts == {"nanshan", "futian"}
        assert len(shown_titles(app)) == 2
        await pilot.press("space")  # toggles futian out again
        await settle(app, pilot)
        assert main(app).districts == {"nanshan"}
        await pilot.press("a")
        await settle(app, pilot)
        assert main(app).districts == frozenset()
        assert len(shown_titles(app)) == 8


async def test_absent_districts_are_dimmed_not_hidden_and_counts_follow_the_week(data_dir: Path) -> None:
    async with running(data_dir) as (app, pilot):
        sidebar = app.screen.query_one(DistrictFilter)
        assert sidebar.counts["nanshan"] == 1 and "yantian" not in sidebar.counts
        assert "yantian" in sidebar.row_ids
        await pilot.press("j")
        await settle(app, pilot)
        assert sidebar.counts == {"futian": 1, "yantian": 1, "city": 1}
        assert "city" in sidebar.row_ids


async def test_a_filter_that_matches_nothing_says_so_and_offers_to_clear(tmp_path: Path) -> None:
    async with running(make_store(tmp_path / "one", [latest_week()]), districts=["dapeng"]) as (app, pilot):
        assert shown_titles(app) == []
        text = screen_text(app)
        assert "The district filter hides every item of this week" in text and "(Dapeng)." in text
        assert "Press a to show all districts." in text
        await pilot.click(ArticleViewer, offset=viewer(app).action_offset())
        await settle(app, pilot)
        assert main(app).districts == frozenset()
        assert len(shown_titles(app)) == 8


async def test_d_hides_and_shows_the_sidebar(data_dir: Path) -> None:
    async with running(data_dir) as (app, pilot):
        sidebar = app.screen.query_one(DistrictFilter)
        assert sidebar.display
        await pilot.press("d")
        await settle(app, pilot)
        assert not sidebar.display
        await pilot.press("d")
        await settle(app, pilot)
        assert sidebar.display and app.focused is sidebar


async def test_narrow_terminal_starts_with_the_sidebar_hidden(data_dir: Path) -> None:
    async with running(data_dir, size=(80, 24)) as (app, pilot):
        assert not app.screen.query_one(DistrictFilter).display
        assert main(app).has_class("-narrow")
        text = screen_text(app)
        assert "召开社会工作高质量发展推进会" in text
        await pilot.press("d")
        await settle(app, pilot)
        assert app.screen.query_one(DistrictFilter).display


@pytest.mark.parametrize("size, compact", [((120, 40), False), ((80, 24), True)])
async def test_footer_keys_follow_the_footer_compact_setting(data_dir: Path, size, compact) -> None:
    """The Footer's keys are made compact (or not) before they mount, as Textual's binding would;
    the command-palette key (shown when wide) stays compact, as Textual leaves it."""
    async with running(data_dir, size=size) as (app, pilot):
        await settle(app, pilot)
        keys = [key for key in app.screen.query(FooterKey) if not key.has_class("-command-palette")]
        assert [key.key for key in keys] == ["n", "p", "slash", "question_mark", "q"]
        assert all(key.compact == compact and key.has_class("-compact") == compact for key in keys)
        palette = list(app.screen.query(FooterKey).filter(".-command-palette"))
        assert len(palette) == (0 if compact else 1)
        assert all(key.compact and key.has_class("-compact") for key in palette)


# -- state that survives a restart ----------------------------------------------------------------


async def test_read_state_week_and_filter_survive_a_restart(data_dir: Path) -> None:
    async with running(data_dir) as (app, pilot):
        await pilot.press("u")  # the selected week: unread -> read
        await pilot.press("j", "enter")  # open the second week (marks it read)
        await settle(app, pilot)
        await pilot.press("u")  # and back to unread
        await settle(app, pilot)
        main(app).set_districts(frozenset({"futian"}))
        await settle(app, pilot)
    async with running(data_dir) as (app, pilot):
        assert app.store.week(LATEST_ID).read
        assert not app.store.week("1660001").read
        assert main(app).digest_id == "1660001"
        assert main(app).districts == {"futian"}
        assert shown_titles(app) == ["福田区社工站开展春季关爱活动"]


async def test_u_on_the_current_item_toggles_that_item(data_dir: Path) -> None:
    async with running(data_dir) as (app, pilot):
        await pilot.press("tab", "right_square_bracket")
        await settle(app, pilot)
        read = app.store.read_positions(LATEST_ID)
        assert 0 in read  # stepped onto (and what was drawn whole beside it)
        await pilot.press("u")
        await settle(app, pilot)
        assert app.store.read_positions(LATEST_ID) == read - {0}
        assert not viewer(app).entries[0].read
    async with running(data_dir) as (app, pilot):
        assert app.store.read_positions(LATEST_ID) == read - {0}


async def test_district_and_week_options_set_the_start_state(data_dir: Path) -> None:
    store = Store.open(data_dir, seed_sample=False)
    week_id = store.resolve_week("2026-03-04")
    store.close()
    async with running(data_dir, districts=["futian"], week_id=week_id) as (app, pilot):
        assert main(app).digest_id == "1660001"
        assert shown_titles(app) == ["福田区社工站开展春季关爱活动"]
        assert app.screen.query_one(WeekList).highlighted_id == "1660001"


async def test_unknown_start_week_falls_back_to_the_latest(data_dir: Path) -> None:
    async with running(data_dir, week_id="999") as (app, pilot):
        assert main(app).digest_id == LATEST_ID


async def test_empty_store_shows_a_usable_screen(tmp_path: Path) -> None:
    async with running(make_store(tmp_path / "empty", [])) as (app, pilot):
        await pilot.press("n", "p", "u", "right_square_bracket", "o", "a", "d")
        await settle(app, pilot)
        assert "No digest selected." in screen_text(app)


# -- refresh with a fake sync service --------------------------------------------------------------


class FakeSync:
    """Adds one week in two steps, pausing between them so the test can look at the progress."""

    def __init__(self, *, fail: BaseException | None = None) -> None:
        self.fail = fail
        self.calls = 0
        self.step = asyncio.Event()
        self.progress_seen = asyncio.Event()

    async def __call__(self, store, *, source, on_progress=None, **options) -> SyncReport:
        self.calls += 1
        self.source = source
        assert source.startswith("http")
        on_progress(SyncProgress("fetching", list_pages=1, listed=2, to_fetch=2))
        self.progress_seen.set()
        await self.step.wait()
        if self.fail is not None:
            raise self.fail
        new = digest("1667001", date(2026, 3, 23), [item(0, "nanshan", "新的一周南山条目")])
        store.save_digest(new, raw=b"")
        on_progress(SyncProgress("done", list_pages=1, listed=2, to_fetch=2, fetched=1, new_ids=("1667001",)))
        return SyncReport(pages=1, listed=2, fetched=1, new_ids=["1667001"])


async def test_refresh_shows_progress_adds_the_new_week_and_keeps_the_selection(data_dir: Path) -> None:
    fake = FakeSync()
    async with running(data_dir, offline=False, sync_service=fake) as (app, pilot):
        # Never synced: a refresh starts by itself, in the background.
        await asyncio.wait_for(fake.progress_seen.wait(), 5)
        await settle(app, pilot)
        assert "syncing: 1 list pages, 0/2 fetched, 0 failed" in screen_text(app)
        # The UI stays usable while the sync waits.
        await pilot.press("j")
        await settle(app, pilot)
        assert main(app).digest_id == "1660001"
        fake.step.set()
        await app.workers.wait_for_complete()
        await settle(app, pilot)
        weeks = app.screen.query_one(WeekList)
        assert [w.id for w in weeks.weeks][:2] == ["1667001", LATEST_ID]
        assert main(app).digest_id == "1660001"
        assert weeks.highlighted_id == "1660001"
        assert notices(app) == "refresh done: 1 new week"
        assert "syncing" not in screen_text(app)
        assert fake.calls == 1


async def test_offline_failure_is_a_one_line_notice_and_the_ui_still_works(data_dir: Path) -> None:
    from sz_digest.cache.sync import SourceUnreachable

    fake = FakeSync(fail=SourceUnreachable("http://szshequ.org.cn/szshgzb/gzyw/", "connection refused"))
    fake.step.set()
    async with running(data_dir, offline=False, sync_service=fake) as (app, pilot):
        await app.workers.wait_for_complete()
        await settle(app, pilot)
        # The notice names the cause and the source, as the CLI does.
        assert notices(app) == ("refresh failed: connection refused (http://szshequ.org.cn/szshgzb/gzyw/) — "
                                "showing stored digests, never synced")
        assert "Traceback" not in screen_text(app)
        # The status line keeps saying so after the notice fades.
        assert "never synced · offline · from szshequ.org.cn" in str(app.screen.query_one("#status").render())
        assert app.is_running
        await pilot.press("n")
        await settle(app, pilot)
        assert main(app).digest_id == "1660001"


async def test_r_syncs_from_the_source_the_store_was_last_synced_from(data_dir: Path) -> None:
    with Store.open(data_dir, seed_sample=False) as store:
        store.set_setting("sync.source", "http://mirror.example/col/")
    fake = FakeSync()
    fake.step.set()
    async with running(data_dir, offline=False, sync_service=fake) as (app, pilot):
        await app.workers.wait_for_complete()
        await settle(app, pilot)
        assert fake.source == "http://mirror.example/col/"
        assert "from mirror.example" in str(app.screen.query_one("#status").render())
    fake = FakeSync()
    fake.step.set()
    async with running(data_dir, offline=False, sync_service=fake, source="http://other.example/x/") as (app, pilot):
        await pilot.press("r")  # --source on the command line wins
        await app.workers.wait_for_complete()
        assert fake.source == "http://other.example/x/"


async def test_unexpected_sync_error_is_reported_in_one_line(data_dir: Path) -> None:
    fake = FakeSync(fail=RuntimeError("[bold red]boom[/] \x1b[2J"))
    fake.step.set()
    async with running(data_dir, offline=False, sync_service=fake) as (app, pilot):
        await app.workers.wait_for_complete()
        await settle(app, pilot)
        assert notices(app) == "refresh failed: [bold red]boom[/]"
        assert app.is_running


async def test_no_refresh_when_offline_or_recently_synced(data_dir: Path) -> None:
    fake = FakeSync()
    async with running(data_dir, offline=True, sync_service=fake) as (app, pilot):
        await pilot.press("r")
        await settle(app, pilot)
        assert fake.calls == 0
        assert "offline mode — refresh is off" in notices(app)
    store = Store.open(data_dir, seed_sample=False)
    store.set_setting("last_sync", datetime(2026, 3, 20, 8, 0, tzinfo=UTC).isoformat())
    store.close()
    async with running(data_dir, offline=False, sync_service=fake,
                       now=lambda: datetime(2026, 3, 20, 9, 0, tzinfo=UTC)) as (app, pilot):
        await settle(app, pilot)
        assert fake.calls == 0
        fake.step.set()
        await pilot.press("r")  # a manual refresh still runs
        await app.workers.wait_for_complete()
        assert fake.calls == 1


# -- text is data, never markup ---------------------------------------------------------------------


async def test_markup_and_escape_sequences_in_pages_show_literally(tmp_path: Path) -> None:
    data_dir = make_store(tmp_path / "hostile", [hostile_week(), latest_week(), *older_weeks()])
    async with running(data_dir) as (app, pilot):
        assert main(app).digest_id == "1670000"
        text = screen_text(app)
        assert "[bold red]紧急[/bold red]" in text
        assert "[@click=app.quit]点我[/]" in text
        assert "[link=http://evil.example]链接[/link]" in text
        assert "[$accent]变" in text
        assert "[bold]标签[/bold]" in text  # an `other` district label
        for junk in ("\x1b", "\x07", "\x9b", "\u202e", "\u200b", "52;c;"):
            assert junk not in text
        # Clicking where the page put a click action does nothing.
        await pilot.press("tab")
        await pilot.click(ArticleViewer, offset=viewer(app).item_offset(0))
        await settle(app, pilot)
        assert app.is_running
        # The header title shows the page title literally too.
        assert "[bold red]紧急[/bold red] 深圳社会工作一周速览 [@click=app.quit]" in text
        svg = app.export_screenshot()
        assert "\x1b" not in svg
        await pilot.press("u", "n", "p", "right_square_bracket")
        await settle(app, pilot)
        assert app.is_running


async def test_o_opens_only_http_urls(data_dir: Path, tmp_path: Path, monkeypatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr("sz_digest.tui.handoff.open_url", lambda url: opened.append(url) or True)
    async with running(data_dir) as (app, pilot):
        await pilot.press("o")
        await app.workers.wait_for_complete()
        assert opened == ["http://szshequ.org.cn/szshgzb/gzyw/content/post_1663876.html"]
    bad = digest("1670001", latest_week().week_start, [item(0, "futian", "x")])
    for n, url in enumerate(("javascript:alert(1)", "file:///etc/passwd", "http://exa mple.com/", "http://a\x1b[2J.com/")):
        data = make_store(tmp_path / f"bad{n}", [bad._replace(url=url)])
        async with running(data) as (app, pilot):
            await pilot.press("o")
            await app.workers.wait_for_complete()
            await settle(app, pilot)
            assert "only http and https links are opened" in notices(app)
    assert opened == ["http://szshequ.org.cn/szshgzb/gzyw/content/post_1663876.html"]


# -- help, keys, language --------------------------------------------------------------------------


async def test_question_mark_lists_every_binding(data_dir: Path) -> None:
    async with running(data_dir, size=(120, 60)) as (app, pilot):
        await pilot.press("question_mark")
        await settle(app, pilot)
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for command in COMMANDS:
            assert command.en in text, command.id
        for key in ("j / ↓", "k / ↑", "⏎", "tab", "shift+tab", "space", "?", "/", "]", "[", "^p"):
            assert key in text
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, MainScreen)


async def test_every_screen_binding_of_the_command_table_is_live(data_dir: Path) -> None:
    async with running(data_dir) as (app, pilot):
        screen_actions = {b.action for _, b in app.screen._bindings}
        for command in COMMANDS:
            if command.scope == "screen":
                assert command.action in screen_actions
                if not command.action.startswith("app."):
                    assert hasattr(app.screen, f"action_{command.action}"), command.id


async def test_keymap_from_the_config_remaps_keys(data_dir: Path) -> None:
    config = Config(keymap={"week.next": "ctrl+n", "help": "f1"})
    async with running(data_dir, config=config) as (app, pilot):
        await pilot.press("n")
        await settle(app, pilot)
        assert main(app).digest_id == LATEST_ID
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        assert main(app).digest_id == "1660001"
        await pilot.press("f1")
        await settle(app, pilot)
        assert isinstance(app.screen, HelpScreen)
        assert "ctrl+n" in screen_text(app) or "^n" in screen_text(app)


async def test_chinese_chrome(data_dir: Path) -> None:
    async with running(data_dir, lang="zh") as (app, pilot):
        text = screen_text(app)
        assert "区域" in text and "周次" in text and "较早" in text
        assert "福田区" in text


async def test_palette_lists_the_reader_commands(data_dir: Path) -> None:
    async with running(data_dir) as (app, pilot):
        titles = [command.title for command in app.get_system_commands(app.screen)]
        for command in COMMANDS:
            assert command.en in titles
        assert len(titles) == len(set(titles))  # each command once
        assert sum("quit" in title.lower() for title in titles) == 1
        assert any("sync" in title for title in titles)  # "sync" finds the refresh


async def test_palette_command_runs_the_action(data_dir: Path) -> None:
    async with running(data_dir) as (app, pilot):
        command = next(c for c in app.get_system_commands(app.screen) if c.title == "Next week in the list (older)")
        command.callback()
        await settle(app, pilot)
        assert main(app).digest_id == "1660001"


async def test_q_quits(data_dir: Path) -> None:
    async with running(data_dir) as (app, pilot):
        await pilot.press("q")
        await settle(app, pilot)
        assert not app.is_running


# -- a damaged or read-only store ------------------------------------------------------------------


async def test_a_damaged_store_is_rebuilt_and_the_user_is_told_where_the_old_one_went(tmp_path: Path) -> None:
    from sz_digest.cache.store import DB_NAME
    from sz_digest.tui.app import startup_notices
    from sz_digest.tui.i18n import Catalog

    data = tmp_path / "data"
    Store.open(data).close()
    (data / DB_NAME).write_bytes(b"garbage, not a database" * 50)
    store = Store.open(data)
    try:
        assert store.recovered_from is not None
        app = DigestApp(store, config=Config(), offline=True, lang="en",
                        notices=startup_notices(store, Catalog("en")))
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(app, pilot)
            text = notices(app).replace("\n", "")
            assert "damaged" in text and store.recovered_from.name in text
            assert shown_titles(app)  # the reader shows the (re-seeded) sample
    finally:
        store.close()


async def test_a_read_only_store_reads_and_says_writes_are_off(data_dir: Path) -> None:
    from sz_digest.cache.errors import StoreError
    from sz_digest.tui.app import startup_notices
    from sz_digest.tui.i18n import Catalog

    store = Store.open(data_dir, seed_sample=False)
    store.read_only, store.read_only_reason = True, "the data dir is read-only"  # as Store.open sets them
    try:
        app = DigestApp(store, config=Config(), offline=True, lang="en",
                        notices=startup_notices(store, Catalog("en")))
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(app, pilot)
            assert "reading only" in notices(app).replace("\n", "")
            before = main(app).digest_id
            await pilot.press("u")  # a write: refused with one notice, reading goes on
            await pilot.press("n")
            await settle(app, pilot)
            assert "could not save" in notices(app).replace("\n", "")
            assert main(app).digest_id != before and shown_titles(app)
        with pytest.raises(StoreError):
            store.set_read(LATEST_ID)
    finally:
        store.close()


async def test_a_long_archive_opens_with_the_saved_week_in_view_and_keys_walk_it(tmp_path: Path) -> None:
    """520 weeks: the week saved last time is highlighted and scrolled into view; end/home/pagedown move."""
    data = make_store(tmp_path / "long", many_weeks(520))
    store = Store.open(data, seed_sample=False)
    store.set_setting("tui.selected_week", str(1663876 - 300))
    store.close()
    async with running(data, size=(80, 24)) as (app, pilot):
        weeks = app.screen.query_one(WeekList)
        assert weeks.highlighted_id == str(1663876 - 300)
        assert "2020-06-08 → 06-12" in screen_text(app)  # its row is on screen, not the top of the list
        weeks.focus()
        await pilot.press("end")
        await settle(app, pilot)
        assert weeks.highlighted_id == str(1663876 - 519) and main(app).digest_id == str(1663876 - 519)
        await pilot.press("home", "pagedown")
        await settle(app, pilot)
        assert weeks.highlighted_id not in (str(1663876), None)
        await pilot.click(WeekList, offset=(5, 1))  # the first visible row: opens it
        await settle(app, pilot)
        assert main(app).digest_id == weeks.highlighted_id
