"""What one key costs the reader, counted (issues 14 and 15: "one keypress = one read + one layout"):
the store statements a week switch or a filter toggle runs on the UI's connection, the viewer's
layouts, the status line's writes, and the messages that reach the app. Counts, never timings."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sz_digest.cache.store import Store
from sz_digest.tui.article_viewer import ArticleViewer
from sz_digest.tui.district_filter import DistrictFilter
from sz_digest.tui.week_list import WeekList

from test_pane_frame import screen_ansi as look  # the whole screen with its styles, as ANSI
from tui_fixtures import data_dir, main, running, settle  # noqa: F401 (data_dir: a fixture)


class Statements:
    """The SQL the UI's connection runs while recording (the writer thread has its own), for the
    key itself: not the reads of the neighbours prepared when idle after it (`ahead` has those)."""

    def __init__(self, store: Store, screen=None) -> None:
        self.seen: list[str] = []
        self.ahead: list[str] = []
        self.on = False
        self.screen = screen
        store._db.set_trace_callback(self._trace)

    def _trace(self, sql: str) -> None:
        if self.on and not sql.startswith("PRAGMA data_version"):  # the 0.5 s poll, not the key
            if self.screen is not None and self.screen.preparing:
                self.ahead.append(re.sub(r"\s+", " ", sql))
            else:
                self.seen.append(re.sub(r"\s+", " ", sql))

    async def during(self, pilot, *keys: str) -> list[str]:
        self.seen = []
        self.ahead = []
        self.on = True
        try:
            await pilot.press(*keys)
            await pilot.pause()
        finally:
            self.on = False
        return self.seen


def status(app) -> str:
    return str(app.screen.query_one("#status").render())


async def warmed(app, pilot) -> None:
    """The writer's first job counts as another process's commit (it has no baseline yet: see
    StoreWriter) and refreshes everything once: done before counting."""
    main(app)._save("tests.warm", "1")
    await settle(app, pilot)


async def test_a_week_switch_reads_one_week_and_no_settings(data_dir: Path) -> None:
    async with running(data_dir) as (app, pilot):
        await warmed(app, pilot)
        sql = Statements(app.store, main(app))
        ran = await sql.during(pilot, "n")
        assert main(app).digest_id == "1660001"
        # The week's record, its items with their read and star marks, its attachments: nothing
        # else (the status line's "last synced" and source are not read again per key).
        assert not [s for s in ran if "settings" in s], ran
        assert len(ran) <= 3, ran
        assert all("1660001" in s for s in ran), ran


async def test_the_status_line_still_follows_a_sync_made_by_another_process(data_dir: Path) -> None:
    async with running(data_dir) as (app, pilot):
        await settle(app, pilot)
        assert "never synced" in status(app)
        await pilot.press("n")
        other = Store.open(data_dir, seed_sample=False)
        try:
            other.set_setting("last_sync", datetime(2026, 3, 20, 8, 0, tzinfo=UTC).isoformat())
            other.set_setting("sync.source", "http://mirror.example/col/")
        finally:
            other.close()
        await settle(app, pilot)  # the poll sees the other connection's commit
        text = status(app)
        assert "never synced" not in text and "2026-03-20" in text and "from mirror.example" in text


async def test_a_filter_toggle_lists_weeks_without_counting_the_stars_again(data_dir: Path) -> None:
    async with running(data_dir) as (app, pilot):
        await warmed(app, pilot)
        sidebar = app.screen.query_one(DistrictFilter)
        sidebar.focus()
        sidebar.move_cursor(sidebar.row_ids.index("nanshan"))
        await pilot.pause()
        sql = Statements(app.store, main(app))
        ran = await sql.during(pilot, "space")
        assert main(app).districts == {"nanshan"}
        assert not [s for s in ran if "count(*) FROM stars" in s or "settings" in s], ran


async def test_a_starred_item_still_shows_in_the_list_after_a_filter_change(data_dir: Path) -> None:
    """The filter change reuses the list's starred count: a star made before it is still counted."""
    async with running(data_dir) as (app, pilot):
        await pilot.press("enter", "right_square_bracket", "s")
        await settle(app, pilot)
        weeks = app.screen.query_one(WeekList)
        assert weeks.starred_count == 1 and weeks.row_ids[0] == "starred"
        main(app).set_districts(frozenset({"futian"}))
        await settle(app, pilot)
        assert weeks.starred_count == 1 and weeks.row_ids[0] == "starred"


async def test_one_week_switch_lays_the_viewer_out_once(data_dir: Path, monkeypatch) -> None:
    """Without the neighbours prepared ahead (`test_a_key_onto_a_prepared_week_…`: none at all)."""
    from sz_digest.tui import main_screen

    monkeypatch.setattr(main_screen, "PREPARE_NEIGHBOURS", False)
    layouts: list[str | None] = []
    real = ArticleViewer._build_rows

    def counted(self, width, view=None):
        layouts.append(self.digest_id)
        return real(self, width, view)

    monkeypatch.setattr(ArticleViewer, "_build_rows", counted)
    async with running(data_dir) as (app, pilot):
        await warmed(app, pilot)
        for key in ("n", "n", "p"):
            layouts.clear()
            before = main(app).digest_id
            await pilot.press(key)
            await pilot.pause()
            assert main(app).digest_id != before
            assert layouts == [main(app).digest_id], (key, layouts)  # the read marks re-lay only their items


async def test_a_preview_that_changes_no_count_leaves_the_status_line_alone(data_dir: Path, monkeypatch) -> None:
    async with running(data_dir) as (app, pilot):
        await settle(app, pilot)
        line = app.screen.query_one("#status")
        writes: list[str] = []
        real = type(line).update
        monkeypatch.setattr(type(line), "update",
                            lambda self, *a, **k: (writes.append(self.id) if self is line else None) or real(self, *a, **k))
        await pilot.press("j")  # the week list previews the next week: nothing read, same counts
        await pilot.pause()
        assert main(app).digest_id == "1660001" and writes == []
        await pilot.press("enter")  # opening it reads what is shown: the unread total changes
        await pilot.pause()
        assert writes == ["status"] and "unread" in status(app)


async def test_the_panes_messages_end_at_the_screen(data_dir: Path, monkeypatch) -> None:
    async with running(data_dir) as (app, pilot):
        await settle(app, pilot)
        reached: list[str] = []
        real = type(app).post_message

        def post(self, message):
            if self is app:
                reached.append(type(message).__name__)
            return real(self, message)

        monkeypatch.setattr(type(app), "post_message", post)
        await pilot.press("j", "enter")
        sidebar = app.screen.query_one(DistrictFilter)
        sidebar.focus()
        sidebar.move_cursor(sidebar.row_ids.index("futian"))
        await pilot.press("space")
        await settle(app, pilot)
        assert main(app).districts == {"futian"} and main(app).digest_id == "1660001"
        assert not {"WeekHighlighted", "WeekOpened", "Toggled", "ItemsSeen"} & set(reached), reached


async def test_a_filter_toggle_walks_no_read_marks_and_its_unread_total_stays_true(data_dir: Path) -> None:
    """The unread total under a filter comes from read counts per district, kept by the reader's
    own marks: a toggle runs no aggregate over every read mark, and the total it shows is the one
    the store counts once the marks have landed."""
    from sz_digest.cache.reading import unread_total

    async with running(data_dir) as (app, pilot):
        await warmed(app, pilot)
        screen = main(app)
        sidebar = app.screen.query_one(DistrictFilter)
        sql = Statements(app.store, main(app))
        await pilot.press("enter", "n", "n")  # read what the weeks show: marks the counts must follow
        await settle(app, pilot)
        sidebar.focus()
        for code in ("futian", "nanshan", "futian", "nanshan"):
            sidebar.move_cursor(sidebar.row_ids.index(code))
            await pilot.pause()
            ran = await sql.during(pilot, "space")
            assert not [s for s in ran if "count(*) FROM item_read" in s], ran
            app.main.writer.join()
            assert screen.lists.unread == unread_total(app.store, screen.districts), (code, screen.districts)
        await pilot.press("M")  # mark all read: the counts are read again, not patched
        await pilot.press("y")
        await settle(app, pilot)
        assert screen.lists.unread == 0
        sidebar.focus()
        sidebar.move_cursor(sidebar.row_ids.index("futian"))
        await pilot.press("space")
        await settle(app, pilot)
        assert screen.lists.unread == unread_total(app.store, screen.districts) == 0


async def test_a_filter_toggled_back_draws_no_line_of_the_lists_or_the_viewer_anew(data_dir: Path, monkeypatch) -> None:
    """Finished lines are kept by what they show, not by row: a filter toggled off and on again
    shows lines drawn before (at other places), so neither list nor the viewer draws one again,
    and the panes' frames join none again."""
    from sz_digest.tui.pane_frame import PaneFrame
    from sz_digest.tui.row_view import RowView

    drawn: list[object] = []
    ahead = {"screen": None}  # lines drawn for the neighbours ahead of a key are not the key's

    def drawing(self, *a, real):
        if not (ahead["screen"] and ahead["screen"].preparing):
            drawn.append(self)
        return real(self, *a)

    for cls in (RowView, ArticleViewer, PaneFrame):
        real = cls._draw if cls is not PaneFrame else cls._join
        monkeypatch.setattr(cls, "_draw" if cls is not PaneFrame else "_join",
                            lambda self, *a, real=real: drawing(self, *a, real=real))
    async with running(data_dir) as (app, pilot):
        ahead["screen"] = main(app)
        await warmed(app, pilot)
        sidebar = app.screen.query_one(DistrictFilter)
        sidebar.focus()
        sidebar.move_cursor(sidebar.row_ids.index("futian"))
        await pilot.press("space", "space")  # on, off: every line of both filters drawn once
        await settle(app, pilot)
        panes = [app.screen.query_one(WeekList), app.screen.query_one(ArticleViewer)]
        kept = {pane: pane._styles_cache for pane in panes}
        for districts in ({"futian"}, set()):
            joined = [frame.lines_fast for frame in kept.values()]
            drawn.clear()
            await pilot.press("space")
            await pilot.pause()
            assert main(app).districts == districts
            assert not [o for o in drawn if o in kept or o in kept.values()], drawn
            assert all(frame.lines_fast > n for frame, n in zip(kept.values(), joined))  # repainted, from kept lines


async def test_a_filter_toggle_that_keeps_the_week_reads_nothing_of_it(data_dir: Path) -> None:
    """The week stays (it has an item of the district): its view is the one the screen holds,
    filtered again, not the week read from the store again."""
    async with running(data_dir) as (app, pilot):
        await warmed(app, pilot)
        screen = main(app)
        week = screen.digest_id
        sidebar = app.screen.query_one(DistrictFilter)
        sidebar.focus()
        sql = Statements(app.store, main(app))
        for code in ("nanshan", "futian", "futian", "nanshan"):
            sidebar.move_cursor(sidebar.row_ids.index(code))
            await pilot.pause()
            ran = await sql.during(pilot, "space")
            assert screen.digest_id == week
            assert not [s for s in ran if f"= '{week}'" in s], ran  # its record, items, attachments
        assert screen.districts == frozenset()
        assert [e.item.position for e in screen.view.items] == list(range(8))


async def test_a_status_text_shown_before_is_not_rendered_again(data_dir: Path, monkeypatch) -> None:
    """A filter toggled on and off shows two status texts in turn: Textual renders each once; the
    line shows the right one every time (the snapshots hold the look)."""
    from textual.widget import Widget

    rendered: list[str] = []
    real = Widget._render_content
    monkeypatch.setattr(Widget, "_render_content",
                        lambda self: (rendered.append(str(self.content)) if self.id == "status" else None) or real(self))
    async with running(data_dir) as (app, pilot):
        await warmed(app, pilot)
        sidebar = app.screen.query_one(DistrictFilter)
        sidebar.focus()
        sidebar.move_cursor(sidebar.row_ids.index("futian"))
        await pilot.press("space", "space")
        await settle(app, pilot)
        line = app.screen.query_one("#status")
        for filtered in (True, False, True, False):
            rendered.clear()
            await pilot.press("space")
            await pilot.pause()
            text = line.render_line(0).text
            assert ("Futian" in text) is filtered, text
            assert rendered == [], rendered


async def test_a_filter_toggled_back_counts_no_block_again_and_its_counts_stay_true(data_dir: Path) -> None:
    """The lists' counts per block and filter are kept across lists and follow the reader's marks:
    toggled back, a filter's rows are counted from what was kept, and every listed week's counts
    are the store's once the marks have landed."""
    from sz_digest.cache.reading import week_counts

    async with running(data_dir) as (app, pilot):
        await warmed(app, pilot)
        screen = main(app)
        sidebar = app.screen.query_one(DistrictFilter)
        sql = Statements(app.store, main(app))
        await pilot.press("j")  # preview the next week: nothing of it read yet
        await settle(app, pilot)
        sidebar.focus()
        sidebar.move_cursor(sidebar.row_ids.index("futian"))
        await pilot.pause()
        unread: list[int] = []
        for turn in range(3):
            for districts in ({"futian"}, set()):
                if turn == 1 and not districts:
                    screen.viewer.reading = True  # now the filtered weeks' items are read as shown
                ran = await sql.during(pilot, "space")
                assert screen.districts == districts
                unread.append(screen.lists.unread)
                app.main.writer.join()
                store_counts = week_counts(app.store, screen.districts)
                assert {d: screen.lists.counts[d] for d in screen.lists.ids} == \
                    {d: store_counts.get(d) for d in screen.lists.ids}, (turn, districts)
                if turn == 2:
                    assert not [s for s in ran if "sum(r.position IS NULL)" in s], ran
        assert unread[0] > unread[-2] and unread[1] > unread[-1]  # marks were made on the way


async def test_the_lists_messages_are_dispatched_once_at_the_screen(data_dir: Path, monkeypatch) -> None:
    """A toggle's `Toggled` and a cursor key's `WeekHighlighted` go straight to the screen: not
    through the list's own queue and the container between, which handle neither."""
    from textual.message_pump import MessagePump

    dispatched: list[tuple[str, str]] = []
    real = MessagePump._dispatch_message

    async def dispatch(self, message):
        if isinstance(message, (DistrictFilter.Toggled, WeekList.WeekHighlighted)):
            dispatched.append((type(self).__name__, type(message).__name__))
        return await real(self, message)

    monkeypatch.setattr(MessagePump, "_dispatch_message", dispatch)
    async with running(data_dir) as (app, pilot):
        await settle(app, pilot)
        await pilot.press("j")
        await pilot.pause()
        assert main(app).digest_id == "1660001"
        sidebar = app.screen.query_one(DistrictFilter)
        sidebar.focus()
        sidebar.move_cursor(sidebar.row_ids.index("futian"))
        await pilot.press("space")
        await pilot.pause()
        assert main(app).districts == {"futian"}
        screen = type(main(app)).__name__
        assert dispatched == [(screen, "WeekHighlighted"), (screen, "Toggled")]


async def test_the_viewer_keeps_only_the_shown_weeks_lines(data_dir: Path) -> None:
    """Lines are kept for a filter toggled back on the same week; a week switch drops the last
    week's, so week after week the viewer holds a screenful, not its bound."""
    async with running(data_dir) as (app, pilot):
        await settle(app, pilot)
        viewer = app.screen.query_one(ArticleViewer)
        for _ in range(3):
            await pilot.press("n")
            await pilot.pause()
            height = viewer.scrollable_content_region.height
            assert 0 < len(viewer._lines_kept) <= height
            assert len(viewer._styles_cache._joined) <= height


# -- the neighbours, read and laid out ahead when idle ----------------------------------------------




class KeyWork:
    """What the UI does for a key itself (not ahead of the next one): SQL statements, viewer
    layouts, viewer lines drawn."""

    def __init__(self, app, monkeypatch) -> None:
        self.screen = main(app)
        self.sql = Statements(app.store, self.screen)
        self.layouts: list[str | None] = []
        self.drawn = 0
        screen = self.screen
        real_rows, real_draw = ArticleViewer._build_rows, ArticleViewer._draw

        def rows(viewer, width, view=None):
            if not screen.preparing:
                self.layouts.append(viewer.digest_id)
            return real_rows(viewer, width, view)

        def draw(viewer, *args):
            if not screen.preparing:
                self.drawn += 1
            return real_draw(viewer, *args)

        monkeypatch.setattr(ArticleViewer, "_build_rows", rows)
        monkeypatch.setattr(ArticleViewer, "_draw", draw)

    async def press(self, pilot, key: str) -> None:
        self.layouts.clear()
        self.drawn = 0
        await self.sql.during(pilot, key)


async def test_a_key_onto_a_prepared_week_reads_nothing_and_lays_nothing_out(data_dir: Path, monkeypatch) -> None:
    """`n`, `p` and the week list's `j`/`k` onto a neighbour prepared when idle: no SQL on the UI's
    connection, no layout of the viewer, no line of it drawn — the prepared work is swapped in."""
    async with running(data_dir) as (app, pilot):
        await warmed(app, pilot)
        screen = main(app)
        work = KeyWork(app, monkeypatch)
        for key in ("n", "n", "p", "j", "k", "j"):
            await settle(app, pilot)
            step = +1 if key in "nj" else -1
            screen._heading = step  # (a first `p` or `k`: the reader turned round)
            screen.viewer.reading = key in "np"  # (after `j`, `n` reads: its marks were not foreseen)
            screen.prepare_now()
            target = screen.week_list.neighbour(step)
            assert target in screen._prepared and target in screen.viewer._prepared
            await work.press(pilot, key)
            assert screen.digest_id == target
            assert (work.sql.seen, work.layouts, work.drawn) == ([], [], 0), key
        # An unprepared week is read and laid out as before (once).
        screen._forget_prepared()
        await work.press(pilot, "n")
        assert len(work.sql.seen) <= 3 and work.layouts == [screen.digest_id]


async def test_a_toggle_of_the_district_under_the_sidebar_cursor_reads_nothing_once_prepared(
        tmp_path: Path, monkeypatch) -> None:
    """The sidebar's cursor rests on a district: what `space` would list and show is read and laid
    out when idle, so the toggle (on, and off again) runs no SQL on the UI's connection and lays
    nothing out — whether the open week stays listed or the list moves to another week."""
    from tui_fixtures import make_store, many_weeks

    weeks = many_weeks(6)
    # The open (newest) week has no Luohu item: toggling Luohu on moves to the week that has one.
    weeks[3] = weeks[3]._replace(items=(*weeks[3].items, weeks[3].items[0]._replace(position=3, district="luohu")))
    async with running(make_store(tmp_path / "data", weeks)) as (app, pilot):
        await warmed(app, pilot)
        screen = main(app)
        work = KeyWork(app, monkeypatch)
        await pilot.press("shift+tab")
        assert screen.district_filter.has_focus
        moved = False
        for _ in range(4):
            await pilot.press("j")
            for _ in range(2):  # on, then off
                await settle(app, pilot)
                screen.prepare_now()
                code = screen.district_filter.highlighted_code
                before = screen.digest_id
                await work.press(pilot, "space")
                moved = moved or screen.digest_id != before
                assert (work.sql.seen, work.layouts) == ([], []), (code, screen.districts)
        assert moved  # (Luohu's toggle moved the list to another week)


async def prepared_and_not(tmp_path: Path, monkeypatch, steps) -> tuple[list[str], list[str], list[int]]:
    """Run `steps` (keys, or `async step(app, pilot, data_dir)`) on two copies of the fixture store:
    with the neighbours prepared before every step, and without preparing at all. Returns both
    apps' screens after each step, and how many views were read or laid out ahead before each step."""
    from sz_digest.tui import main_screen

    from tui_fixtures import make_store

    runs = []
    ready: list[int] = []
    monkeypatch.setattr(main_screen, "POLL_INTERVAL", 3600)  # the store polled in `settle` only: the same in both
    for prepare in (True, False):
        monkeypatch.setattr(main_screen, "PREPARE_NEIGHBOURS", prepare)
        data = make_store(tmp_path / ("prepared" if prepare else "plain"))
        looks = []
        async with running(data) as (app, pilot):
            await warmed(app, pilot)
            for step in steps:
                if prepare:
                    main(app).prepare_now()
                    ready.append(len(main(app)._prepared) + len(main(app).viewer._prepared))
                if isinstance(step, str):
                    await pilot.press(step)
                else:
                    await step(app, pilot, data)
                await pilot.pause()
                looks.append(look(app))
                await settle(app, pilot)
                looks.append(look(app))
        runs.append(looks)
    return runs[0], runs[1], ready


async def external_marks(app, pilot, data: Path) -> None:
    """Another process marks the next week's items read and stars one (the reader has not polled yet)."""
    from sz_digest.cache.reading import set_items_read, set_starred

    other = Store.open(data, seed_sample=False)
    try:
        set_items_read(other, "1660001", [0, 1, 2])
        set_starred(other, "1660001", 1)
    finally:
        other.close()


async def external_then_j(app, pilot, data: Path) -> None:
    await external_marks(app, pilot, data)
    await pilot.press("j")  # at once: before a poll has seen the commit


async def filter_futian(app, pilot, data: Path) -> None:
    main(app).set_districts(frozenset({"futian"}))


async def wider_then_j(app, pilot, data: Path) -> None:
    await pilot.resize_terminal(160, 40)  # the viewer's reading measure changes
    await pilot.pause()
    await pilot.press("j")  # before anything is prepared again


async def focus_viewer_then_n(app, pilot, data: Path) -> None:
    await pilot.press("tab")  # the viewer focused: its styles are looked up again
    await pilot.press("n")  # before anything is prepared again


@pytest.mark.parametrize("steps", [
    # (`j`/`k` in the week list preview a week without reading it: every mark it had shows.)
    pytest.param(["n", "n", "p", "p", "j", "j", "k"], id="moves"),
    pytest.param(["enter", "right_square_bracket", "s", "shift+tab", "j", "k"], id="a star on the week left"),
    pytest.param(["enter", "m", "shift+tab", "j", "k", "m", "j", "k"], id="read toggles on the week left"),
    pytest.param(["M", "y", "j", "j"], id="mark all read"),
    pytest.param([external_marks, "j"], id="another process, polled"),
    pytest.param([external_then_j], id="another process, not polled yet"),
    pytest.param([filter_futian, "j", "k"], id="a filter change"),
    pytest.param([wider_then_j, "k"], id="a resize"),
    pytest.param(["n", focus_viewer_then_n, "p"], id="a focus change"),
    pytest.param(["n", "shift+tab", "j", "space", "space", "j", "space", "j", "space", "j", "space", "space"],
                 id="sidebar toggles"),
])
async def test_a_prepared_week_shows_what_an_unprepared_reader_shows(tmp_path: Path, monkeypatch, steps) -> None:
    """Whatever happened since the neighbours were prepared (a star or read mark, `M`, another
    process's write, a filter change, a resize), the screen after each key is the screen of a
    reader that prepares nothing — colours and marks included."""
    prepared, plain, ready = await prepared_and_not(tmp_path, monkeypatch, steps)
    assert ready and all(ready), str(ready)  # there was prepared work to use or to drop
    for index, (a, b) in enumerate(zip(prepared, plain, strict=True)):
        assert a == b, (index, steps)


async def test_the_prepared_weeks_stay_the_two_neighbours(tmp_path: Path) -> None:
    """Memory stays flat: however far the reader goes, what is prepared is the neighbours' views
    and the one ahead laid out, with a screen of lines."""
    from tui_fixtures import make_store, many_weeks

    async with running(make_store(tmp_path / "data", many_weeks(40))) as (app, pilot):
        await warmed(app, pilot)
        screen = main(app)
        height = screen.viewer.scrollable_content_region.height
        for _ in range(30):
            await pilot.press("n")
            await pilot.pause()
            screen.prepare_now()
            ahead = screen.week_list.neighbour(+1)
            assert set(screen._prepared) == {ahead, screen.week_list.neighbour(-1)}
            assert set(screen.viewer._prepared) == {ahead}
            for layouts in screen.viewer._prepared.values():
                assert len(layouts) <= 2 and all(len(layout.lines) <= height for layout in layouts)
            assert len(screen._unwritten) <= 40


async def test_preparing_gives_way_to_a_waiting_key(data_dir: Path, monkeypatch) -> None:
    """A step of the preparation finds input waiting (a message queued for the app or the focused
    pane): it does nothing and tries again later, so the key is handled first."""
    from textual.message_pump import MessagePump

    async with running(data_dir) as (app, pilot):
        await warmed(app, pilot)
        screen = main(app)
        screen._forget_prepared()
        pieces: list[int] = []
        real = type(screen)._prepare_piece
        monkeypatch.setattr(type(screen), "_prepare_piece", lambda self: pieces.append(1) or real(self))
        monkeypatch.setattr(MessagePump, "message_queue_size", property(lambda self: 1 if self is app else 0))
        screen._prepare_step(screen._prepare_round)
        assert pieces == [] and not screen._prepared
        monkeypatch.setattr(MessagePump, "message_queue_size", property(lambda self: 0))
        screen._prepare_step(screen._prepare_round)
        assert pieces == [1] and screen._prepared


async def test_after_a_store_refresh_the_neighbour_is_prepared_again_without_a_key(data_dir: Path) -> None:
    """Another process's write drops what was prepared (read before it); once the reader has
    paused, the neighbour ahead is read and laid out again — no key needed to start it."""
    async with running(data_dir) as (app, pilot):
        await warmed(app, pilot)
        screen = main(app)
        screen.prepare_now()
        ahead = screen.week_list.neighbour(+1)
        before = screen._prepared[ahead]
        await external_marks(app, pilot, data_dir)
        await settle(app, pilot)  # the poll sees the commit: everything is read again
        for _ in range(40):  # (it starts a pause after the refresh)
            if screen._prepared.get(ahead) not in (None, before) and ahead in screen.viewer._prepared:
                break
            await pilot.pause(0.05)
        view = screen._prepared.get(ahead)
        assert view is not None and view is not before
        assert [e.read for e in view.items] == [True, True, True] and view.items[1].starred
        assert ahead in screen.viewer._prepared
