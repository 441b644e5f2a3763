"""What one key costs the reader, counted (issues 14 and 15: "one keypress = one read + one layout"):
the store statements a week switch or a filter toggle runs on the UI's connection, the viewer's
layouts, the status line's writes, and the messages that reach the app. Counts, never timings."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from sz_digest.cache.store import Store
from sz_digest.tui.article_viewer import ArticleViewer
from sz_digest.tui.district_filter import DistrictFilter
from sz_digest.tui.week_list import WeekList

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
