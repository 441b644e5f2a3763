"""Pilot tests of reading that follows the reader (issue 14): honest unread state, a filter that
filters, a layout that adapts both ways, and a view that stays fresh when another process writes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sz_digest.cache import reading
from sz_digest.cache.store import Store
from sz_digest.tui.confirm_screen import ConfirmScreen
from sz_digest.tui.district_filter import DistrictFilter
from sz_digest.tui.week_list import WeekList

from tui_fixtures import (  # noqa: F401 (data_dir: a fixture)
    LATEST_ID,
    data_dir,
    digest,
    item,
    main,
    notices,
    running,
    screen_text,
    settle,
    shown_titles,
    viewer,
)


def listed(app) -> list[str]:
    return [week.id for week in app.screen.query_one(WeekList).weeks]


def status(app) -> str:
    return str(app.screen.query_one("#status").render())


# -- the filter filters ------------------------------------------------------------------------------


async def test_a_filter_lists_only_matching_weeks_and_n_p_move_among_them(data_dir: Path) -> None:
    async with running(data_dir, districts=["futian"]) as (app, pilot):
        assert listed(app) == [LATEST_ID, "1660001", "1654003"]
        assert "3 of 4 weeks" in status(app)
        assert "3 unread" in status(app)  # one futian item in each of the three weeks
        await pilot.press("n", "n")
        await settle(app, pilot)
        assert main(app).digest_id == "1654003"  # 1657002 has no futian item: skipped
        await pilot.press("a")  # clearing the filter keeps the cursor on the same week
        await settle(app, pilot)
        assert listed(app) == [LATEST_ID, "1660001", "1657002", "1654003"]
        assert main(app).digest_id == "1654003"
        assert app.screen.query_one(WeekList).highlighted_id == "1654003"
        assert "4 weeks stored" in status(app)


async def test_a_chosen_watch_lists_only_weeks_with_a_match(data_dir: Path) -> None:
    """Issue 14: a watch chosen in the sidebar filters the week list as districts do, not only
    the viewer: only weeks with a match, their counts, "N of M weeks"; chosen again, it stops."""
    from sz_digest.cache.watches import add_watch

    with Store.open(data_dir, seed_sample=False) as store:
        add_watch(store, "治理", "治理")  # matches one item in LATEST_ID and one in 1657002
    async with running(data_dir) as (app, pilot):
        sidebar = app.screen.query_one(DistrictFilter)
        sidebar.post_message(DistrictFilter.WatchChosen("治理"))
        await settle(app, pilot)
        assert listed(app) == [LATEST_ID, "1657002"]
        assert main(app).lists.counts[LATEST_ID] == reading.WeekCounts(1, 1)
        assert "2 of 4 weeks" in status(app) and "2 unread" in status(app) and "治理" in status(app)
        await pilot.press("n")
        await settle(app, pilot)
        assert main(app).digest_id == "1657002"  # 1660001 has no match: skipped
        assert all("治理" in title or "治理" in "".join(entry.item.paragraphs)
                   for title, entry in zip(shown_titles(app), viewer(app).entries))
        sidebar.post_message(DistrictFilter.WatchChosen("治理"))  # chosen again: every week, the cursor stays
        await settle(app, pilot)
        assert listed(app) == [LATEST_ID, "1660001", "1657002", "1654003"]
        assert main(app).digest_id == "1657002"
        assert "4 weeks stored" in status(app)


async def test_a_chosen_watch_is_matched_off_the_ui_thread_and_a_late_answer_is_dropped(
        data_dir: Path, monkeypatch) -> None:
    """A broad watch reads the whole archive (~0.3 s at 5,200 weeks): its matches are read on the
    writer's thread, keys go on meanwhile, and an answer that arrives after the filter was cleared
    (or the watch chosen again) filters nothing."""
    import threading

    from sz_digest.cache import watches
    from sz_digest.cache.watches import add_watch

    with Store.open(data_dir, seed_sample=False) as store:
        add_watch(store, "治理", "治理")
    threads = []
    real_match_keys = watches.match_keys

    def match_keys(store, watch_query):
        threads.append(threading.current_thread())
        return real_match_keys(store, watch_query)

    monkeypatch.setattr(watches, "match_keys", match_keys)
    async with running(data_dir) as (app, pilot):
        await settle(app, pilot)
        gate = threading.Event()
        app.main.writer.submit(lambda store: gate.wait(10), read_only=True)  # the writer is busy
        sidebar = app.screen.query_one(DistrictFilter)
        sidebar.post_message(DistrictFilter.WatchChosen("治理"))
        await pilot.press("n")  # not blocked by the watch's query
        await pilot.pause()
        assert main(app).digest_id == "1660001" and main(app).watch_filter is None
        await pilot.press("a")  # cleared before the matches arrive
        gate.set()
        await settle(app, pilot)
        assert main(app).watch_filter is None
        assert listed(app) == [LATEST_ID, "1660001", "1657002", "1654003"]
        sidebar.post_message(DistrictFilter.WatchChosen("治理"))
        await settle(app, pilot)
        assert listed(app) == [LATEST_ID, "1657002"] and main(app).watch_filter[0] == "治理"
        assert threads and threading.main_thread() not in threads


async def test_start_up_and_a_toggle_read_the_weeks_on_screen_not_the_archive(tmp_path: Path, monkeypatch) -> None:
    """Issue 15: the list knows its length from ids; records and counts are read for the rows
    drawn (a block of them), on start and after a filter change, never for every week."""
    from tui_fixtures import make_store, many_weeks

    data = make_store(tmp_path / "data", many_weeks(300))
    monkeypatch.setattr(Store, "weeks", lambda *a, **k: (_ for _ in ()).throw(AssertionError("every week read")))
    asked: list[int] = []
    real = Store.weeks_by_id
    monkeypatch.setattr(Store, "weeks_by_id", lambda self, ids: asked.append(len(ids := list(ids))) or real(self, ids))
    async with running(data) as (app, pilot):
        assert len(app.screen.query_one(WeekList).row_ids) == 300 and "300 weeks stored" in status(app)
        assert sum(asked) <= reading.BLOCK  # the first rows' block, not 300 records
        app.screen.query_one(WeekList).focus()
        await pilot.press("end")  # the last screen: its block(s), not the ones in between
        await settle(app, pilot)
        assert main(app).digest_id == str(1663876 - 299)
        assert sum(asked) <= 3 * reading.BLOCK  # the first screen's block, the (at most two) of the last
        asked.clear()
        main(app).set_districts(frozenset({"nanshan"}))
        await settle(app, pilot)
        assert listed_count(app) == 300 and sum(asked) <= 2 * reading.BLOCK + 1


async def test_a_row_read_while_off_screen_shows_its_new_counts_when_it_scrolls_back(tmp_path: Path) -> None:
    """Rows off screen are forgotten by the list (memory stays flat): one whose week was read
    meanwhile is drawn from the new counts, not from a finished line kept from before."""
    from tui_fixtures import make_store, many_weeks

    data = make_store(tmp_path / "data", many_weeks(300))
    async with running(data) as (app, pilot):
        app.screen.query_one(WeekList).focus()
        assert "3/3 unread" in screen_text(app).splitlines()[3]
        for _ in range(10):  # far down: more rows drawn than the list remembers
            await pilot.press("pagedown")
        await settle(app, pilot)
        await pilot.press("M", "y")  # every week read while the first rows are off screen
        await settle(app, pilot)
        await pilot.press("home")
        await settle(app, pilot)
        assert "3 items" in screen_text(app).splitlines()[3]
        assert "unread" not in "".join(line.split("││")[1] for line in screen_text(app).splitlines()[2:30])


def listed_count(app) -> int:
    return len(app.screen.query_one(WeekList).row_ids)


async def test_moving_past_weeks_with_a_filter_leaves_hidden_items_unread(data_dir: Path) -> None:
    async with running(data_dir, districts=["nanshan", "futian"]) as (app, pilot):
        await pilot.press("enter", "n", "p")
        await settle(app, pilot)
        assert app.store.read_positions(LATEST_ID) == {0, 2}  # futian and nanshan: the shown two
        assert app.store.read_positions("1660001") == {0}  # its futian item; yantian and city untouched
        assert not app.store.week(LATEST_ID).read


async def test_previewing_with_j_k_reads_nothing_and_opening_reads_what_is_drawn(data_dir: Path) -> None:
    async with running(data_dir, size=(120, 24)) as (app, pilot):
        await pilot.press("j", "k")
        await settle(app, pilot)
        assert app.store.read_positions(LATEST_ID) == set()
        await pilot.press("enter")
        await settle(app, pilot)
        read = app.store.read_positions(LATEST_ID)
        seen = {viewer(app).entries[i].item.position for i in viewer(app).seen_entries()}
        assert read == seen and 0 < len(read) < 8  # a short terminal does not show all eight
        assert "● " in screen_text(app)  # the rest still carry their unread dot


# -- unread counts and keys ---------------------------------------------------------------------------


async def test_unread_counts_next_unread_and_the_unread_only_view(data_dir: Path) -> None:
    async with running(data_dir) as (app, pilot):
        weeks = app.screen.query_one(WeekList)
        assert weeks.counts[LATEST_ID] == reading.WeekCounts(8, 8)
        assert "15 unread" in status(app)
        await pilot.press("m")  # the whole week read, as an explicit key
        await settle(app, pilot)
        assert app.store.week(LATEST_ID).read and weeks.counts[LATEST_ID].unread == 0
        assert "7 unread" in status(app)
        await pilot.press("m", "m")  # unread again, and read again
        await settle(app, pilot)
        assert app.store.week(LATEST_ID).read
        main(app).week_list.focus()
        await pilot.press("N")
        await settle(app, pilot)
        assert main(app).digest_id == "1660001"
        await pilot.press("P")  # no unread week above: stays, says so
        await settle(app, pilot)
        assert main(app).digest_id == "1660001" and "no unread week" in "".join(
            str(n.message) for n in app._notifications)
        await pilot.press("U")
        await settle(app, pilot)
        assert listed(app) == ["1657002", "1654003"] and "unread only" in status(app)
        assert main(app).digest_id == "1657002"  # the open week was read: the nearest unread one
        await pilot.press("n")  # reading in the unread-only view: the open week stays listed
        await settle(app, pilot)
        assert main(app).digest_id == "1654003" and app.store.week("1654003").read
        assert listed(app) == ["1657002", "1654003"]
        await pilot.press("U")
        await settle(app, pilot)
        assert LATEST_ID in listed(app) and main(app).digest_id == "1654003"


async def test_mark_all_read_asks_first(data_dir: Path) -> None:
    async with running(data_dir) as (app, pilot):
        await pilot.press("M")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "Mark all 15 unread items read?" in screen_text(app)
        await pilot.press("n")
        await settle(app, pilot)
        assert not any(week.read for week in app.store.weeks())
        await pilot.press("M", "y")
        await settle(app, pilot)
        assert all(week.read for week in app.store.weeks())
        assert "0 unread" in status(app)
        assert all(entry.read for entry in viewer(app).entries)


# -- the layout adapts both ways --------------------------------------------------------------------


async def test_resizing_120_60_120_collapses_and_brings_back_the_sidebar(data_dir: Path) -> None:
    async with running(data_dir, size=(120, 40)) as (app, pilot):
        sidebar = app.screen.query_one(DistrictFilter)
        assert sidebar.display
        await pilot.resize_terminal(60, 20)
        await settle(app, pilot)
        assert not sidebar.display
        assert viewer(app).region.width >= 40
        assert "…" in screen_text(app)  # week rows are ellipsised, not clipped
        await pilot.resize_terminal(120, 40)
        await settle(app, pilot)
        assert sidebar.display
        assert viewer(app).region.width >= 40


# -- always fresh -----------------------------------------------------------------------------------


async def test_an_external_sync_shows_without_a_keypress_and_keeps_the_place(data_dir: Path) -> None:
    async with running(data_dir) as (app, pilot):
        await pilot.press("j")
        await settle(app, pilot)
        assert main(app).digest_id == "1660001"
        with Store.open(data_dir, seed_sample=False) as other:  # `sz-digest sync` in another terminal
            other.save_digest(digest("1666000", date(2026, 3, 16), [item(0, "luohu", "新的一周")]), raw=b"")
            other.save_digest(digest("1660001", date(2026, 3, 2), [item(0, "futian", "福田区修订后的条目")]),
                              raw=b"v2")
        await pilot.pause(0.8)  # no key: the poll notices
        assert listed(app)[0] == "1666000"
        assert main(app).digest_id == "1660001"
        assert app.screen.query_one(WeekList).highlighted_id == "1660001"
        assert shown_titles(app) == ["福田区修订后的条目"]  # the open week shows the new page
        assert "5 weeks stored" in status(app)


async def test_two_readers_on_one_store_keep_each_others_stars(data_dir: Path) -> None:
    async with running(data_dir) as (one, pilot_one), running(data_dir) as (two, pilot_two):
        await pilot_one.press("right_square_bracket", "s")  # one stars item 0
        await settle(one, pilot_one)
        await pilot_two.press("right_square_bracket", "right_square_bracket", "s")  # two stars item 1
        await settle(two, pilot_two)
        await pilot_two.pause(0.8)
        assert two.store.starred_positions(LATEST_ID) == {0, 1}
        assert [e.starred for e in viewer(two).entries[:2]] == [True, True]  # two sees one's star
        await pilot_one.pause(0.8)
        assert [e.starred for e in viewer(one).entries[:2]] == [True, True]


# -- opening and copying -------------------------------------------------------------------------------


def test_no_console_browser_without_a_desktop_unless_browser_names_it(monkeypatch) -> None:
    import webbrowser

    from sz_digest.tui import handoff

    for name in ("BROWSER", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(handoff.sys, "platform", "linux")
    monkeypatch.setattr(webbrowser, "_tryorder", ["www-browser", "w3m", "lynx"])
    monkeypatch.setattr(webbrowser, "get", lambda name=None: object())
    assert handoff.graphical_browser() is None  # no desktop: nothing is started in this terminal
    monkeypatch.setenv("DISPLAY", ":0")
    assert handoff.graphical_browser() is None  # a desktop, but only console browsers registered
    monkeypatch.setattr(webbrowser, "_tryorder", ["w3m", "firefox"])
    chosen = []
    monkeypatch.setattr(webbrowser, "get", lambda name=None: chosen.append(name) or name)
    assert handoff.graphical_browser() == "firefox"
    monkeypatch.setenv("BROWSER", "w3m")
    assert handoff.graphical_browser() is None  # webbrowser.get() honours $BROWSER: the user chose w3m


async def test_o_without_a_browser_shows_and_copies_the_url(data_dir: Path, monkeypatch) -> None:
    monkeypatch.setattr("sz_digest.tui.handoff.open_url", lambda url: False)
    monkeypatch.setattr("sz_digest.tui.handoff.copy_native", lambda text: None)
    async with running(data_dir) as (app, pilot):
        await pilot.press("o")
        await app.workers.wait_for_complete()
        await settle(app, pilot)
        url = "http://szshequ.org.cn/szshgzb/gzyw/content/post_1663876.html"
        assert app.clipboard == url
        text = notices(app).replace("\n", "")
        assert "no graphical browser here" in text and "OSC 52" in text


async def test_y_copies_the_item_and_Y_a_markdown_citation(data_dir: Path, monkeypatch) -> None:
    copied: list[str] = []
    monkeypatch.setattr("sz_digest.tui.handoff.copy_native", lambda text: copied.append(text) or "xclip")
    async with running(data_dir) as (app, pilot):
        await pilot.press("right_square_bracket", "y")
        await app.workers.wait_for_complete()
        await settle(app, pilot)
        assert app.clipboard.startswith("召开社会工作高质量发展推进会\n\n3月8日") and copied == [app.clipboard]
        assert "copied (xclip)" in notices(app)
        await pilot.press("Y")
        await app.workers.wait_for_complete()
        await settle(app, pilot)
        assert app.clipboard == ("[召开社会工作高质量发展推进会](http://szshequ.org.cn/szshgzb/gzyw/content/"
                                 "post_1663876.html) — Futian, 2026-03-09 → 2026-03-13")


# -- comforts ------------------------------------------------------------------------------------------


async def test_a_theme_picked_is_saved_in_the_config_and_district_colours_follow_it(data_dir: Path, tmp_path: Path) -> None:
    from sz_digest.cache.config import load_config

    path = tmp_path / "config.toml"
    path.write_text('lang = "en"\n\n[keys]\n"week.next" = "n"\n', "utf-8")
    async with running(data_dir, config_path=path) as (app, pilot):
        view = viewer(app)
        dark = view.get_visual_style("viewer--district-futian").rich_style.color
        app.theme = "textual-light"
        await settle(app, pilot)
        light = view.get_visual_style("viewer--district-futian").rich_style.color
        assert light != dark
    config = load_config(path)
    assert config.theme == "textual-light" and config.lang == "en" and config.keymap == {"week.next": "n"}
    async with running(data_dir, config=config, config_path=path) as (app, pilot):
        assert app.theme == "textual-light"


def test_a_bad_theme_name_in_the_config_is_a_usage_error(tmp_path: Path) -> None:
    import pytest
    from sz_digest.cache.config import load_config
    from sz_digest.cache.errors import UsageError

    path = tmp_path / "config.toml"
    path.write_text('theme = "x\\"\\n[evil]"\n', "utf-8")
    with pytest.raises(UsageError, match="theme"):
        load_config(path)


async def test_the_readers_own_refresh_replaces_the_sample_in_the_open_week(tmp_path: Path) -> None:
    from sz_digest.cache.sync import SyncReport

    from tui_fixtures import latest_week, make_store

    sample = latest_week()._replace(items=(item(0, "futian", "样例条目"),), sample=True)
    data = make_store(tmp_path / "data", [sample])

    async def fake_sync(store, *, source, on_progress=None, **options):
        store.save_digest(latest_week(), raw=b"<html>real</html>")
        return SyncReport(pages=1, listed=1, fetched=1, changed_ids=[LATEST_ID])

    async with running(data, offline=False, sync_service=fake_sync) as (app, pilot):
        await app.workers.wait_for_complete()
        await settle(app, pilot)
        assert main(app).digest_id == LATEST_ID
        assert len(shown_titles(app)) == 8 and "样例条目" not in shown_titles(app)
        assert "Bundled sample" not in screen_text(app)


async def test_space_pages_the_article_then_moves_to_the_next_week_and_b_comes_back(data_dir: Path) -> None:
    async with running(data_dir, size=(120, 24)) as (app, pilot):
        view = viewer(app)
        await pilot.press("space")
        await settle(app, pilot)
        assert main(app).digest_id == LATEST_ID and view.scroll_y > 0
        for _ in range(10):
            if main(app).digest_id != LATEST_ID:
                break
            await pilot.press("space")
            await settle(app, pilot)
        assert main(app).digest_id == "1660001" and view.scroll_y == 0
        assert app.store.week(LATEST_ID).read  # every item was paged past on screen
        await pilot.press("b")  # at the top: the previous week
        await settle(app, pilot)
        assert main(app).digest_id == LATEST_ID


async def test_the_viewer_follows_the_week_cursor_in_the_same_frame(data_dir: Path) -> None:
    """Every frame drawn while j/k move shows the viewer on the week under the cursor (issue 15):
    the screen moves the cursor and fills the viewer in one handler."""
    async with running(data_dir) as (app, pilot):
        screen = main(app)
        weeks = screen.query_one(WeekList)
        frames: list[tuple[str | None, str | None]] = []
        draw = screen._compositor_refresh

        def recorded() -> None:
            frames.append((weeks.highlighted_id, viewer(app).digest_id))
            draw()

        screen._compositor_refresh = recorded
        for key in ("j", "j", "j", "k", "k", "j"):
            await pilot.press(key)
        await settle(app, pilot)
        assert len({cursor for cursor, _ in frames}) >= 3  # the frames did see the moves
        assert all(cursor == shown for cursor, shown in frames), frames


async def test_a_keypress_never_waits_on_another_processs_write_lock(data_dir: Path) -> None:
    import sqlite3
    import time

    async with running(data_dir) as (app, pilot):
        other = sqlite3.connect(data_dir / "sz-digest.sqlite3", isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another process holds the write lock (a long page save)
        try:
            started = time.perf_counter()
            await pilot.press("enter", "n", "p")
            await pilot.pause()
            assert time.perf_counter() - started < 3  # the store's busy timeout is 10 s
            assert main(app).digest_id == LATEST_ID
            assert viewer(app).entries[0].read  # shown at once, written behind
            assert app.store.read_positions("1660001") == set()  # not written yet: the lock is held
        finally:
            other.execute("ROLLBACK")
            other.close()
        await settle(app, pilot)
        assert app.store.read_positions("1660001") == {0, 1, 2}  # landed once the lock was free


async def test_starred_only_lists_the_weeks_with_a_starred_item(data_dir: Path) -> None:
    with Store.open(data_dir, seed_sample=False) as store:
        reading.set_starred(store, "1657002", 1)
    async with running(data_dir) as (app, pilot):
        await pilot.press("S")
        await settle(app, pilot)
        assert listed(app) == ["1657002"] and main(app).digest_id == "1657002"
        assert "1 of 4 weeks" in status(app) and "starred only" in status(app)
        await pilot.press("S")
        await settle(app, pilot)
        assert len(listed(app)) == 4 and main(app).digest_id == "1657002"


# -- kept counts and views stay true to the store -----------------------------------------------------


async def filter_on_and_off(screen, pilot) -> None:
    """Filter to Futian and back: the list and its counts are made again under each filter."""
    screen.set_districts(frozenset({"futian"}))
    await pilot.pause()
    screen.set_districts(frozenset())
    await pilot.pause()


async def test_counts_read_while_mark_all_read_is_queued_are_not_kept(tmp_path: Path) -> None:
    """`M` with the writer still busy: a block counted from the store before the write lands is
    behind it, and must not be kept for the next time the filter lists it."""
    import threading

    from tui_fixtures import make_store, many_weeks

    data_dir = make_store(tmp_path / "data", many_weeks(80))
    async with running(data_dir) as (app, pilot):
        screen = main(app)
        screen._save("tests.warm", "1")  # the writer's first job (taken for another's: no baseline) is done
        await settle(app, pilot)
        gate = threading.Event()
        screen.writer.submit(lambda store: gate.wait(10))  # a slow writer (a big archive, another's lock)
        app.push_screen = lambda screen_, callback=None, **kw: callback(True)  # answer yes to the question
        screen.action_mark_all_read()
        far = screen.lists.ids[40]
        screen.lists.counts[far]  # the list scrolled to a block not read yet, while the write waits
        gate.set()
        await settle(app, pilot)
        await filter_on_and_off(screen, pilot)
        assert screen.lists.counts[far] == reading.week_counts(app.store, frozenset())[far]
        assert screen.lists.counts[far].unread == 0


async def test_a_failed_write_of_marks_reads_the_store_again(data_dir: Path) -> None:
    """Marks shown but never stored (the write failed) are not kept in the counts and totals."""
    import sz_digest.tui.main_screen as main_screen
    from sz_digest.cache.errors import StoreError

    async with running(data_dir) as (app, pilot):
        screen = main(app)
        await settle(app, pilot)
        await filter_on_and_off(screen, pilot)

        def failing(store, *args):
            raise StoreError(str(store.data_dir), "database is locked")

        write = screen._write
        screen._write = lambda job, *args: write(failing if job is main_screen.set_items_read else job, *args)
        screen.action_mark_week_read()
        await settle(app, pilot)
        await filter_on_and_off(screen, pilot)
        stored = reading.week_counts(app.store, frozenset())
        assert screen.lists.counts[screen.digest_id] == stored[screen.digest_id]
        assert screen.lists.unread == reading.unread_total(app.store)
        assert "database is locked" in notices(app)


async def test_mark_all_read_under_a_watch_marks_its_matches_and_nothing_else(data_dir: Path) -> None:
    """`M` under a watch marks what the watch shows, the count its question quotes: clearing the
    watch shows the other items as they were, as stored."""
    from sz_digest.cache.watches import add_watch

    with Store.open(data_dir, seed_sample=False) as store:
        add_watch(store, "治理", "治理")
    async with running(data_dir) as (app, pilot):
        screen = main(app)
        await settle(app, pilot)
        screen.set_watch("治理")
        await settle(app, pilot)
        assert screen.digest_id == LATEST_ID and screen.watch_filter is not None
        matches = screen.watch_filter[1]
        asked = []

        def answer_yes(screen_, callback=None, **kw):
            asked.append(screen_.question)
            callback(True)

        app.push_screen = answer_yes
        unread = screen.lists.unread
        screen.action_mark_all_read()
        await settle(app, pilot)
        assert str(unread) in asked[0]
        screen.set_watch(None)
        await settle(app, pilot)
        stored = app.store.read_positions(LATEST_ID)
        shown = {e.item.position: e.read for e in screen.view.items}
        assert shown == {e.item.position: e.item.position in stored for e in screen.view.items}
        assert {p for p, read in shown.items() if read} == {p for d, p in matches if d == LATEST_ID}
        assert not all(shown.values())  # the items the watch did not match are still unread
        from sz_digest.cache.reading import list_view

        assert screen.lists.unread == list_view(app.store).unread > 0  # the week list and status agree
