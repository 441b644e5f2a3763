"""The hot panes' cheaper frame (tui/pane_frame.py) draws exactly what Textual's own path draws.

Each step below renders the whole screen twice: as the reader draws it (PaneFrame and
CachedScrollBar, with whatever they kept from earlier steps) and through Textual's StylesCache and
ScrollBar on the same widgets. The two must be identical, text and styles, after week switches,
focus changes, a theme change, a filter toggle, scrolling and a resize; and the fast path must
really be the one taken (counted, not timed).
"""

from __future__ import annotations

import io
import random
from pathlib import Path

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.terminal_theme import DEFAULT_TERMINAL_THEME
from textual._styles_cache import StylesCache
from textual.color import Color
from textual.filter import ANSIToTruecolor
from textual.scrollbar import ScrollBar
from textual.strip import Strip

from sz_digest.tui.pane_frame import CachedScrollBar, FramedPane, LightStrip, PaneFrame

from tui_fixtures import digest, item, many_weeks, make_store, running, settle  # noqa: F401


def screen_ansi(app) -> str:
    """The whole screen as the terminal would get it: text with every style, as ANSI."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", record=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text(styles=True)


def framed_panes(app) -> list[FramedPane]:
    return [widget for widget in app.screen.walk_children() if isinstance(widget, FramedPane)]


def textual_screen(app, monkeypatch) -> str:
    """The same screen drawn by Textual's own StylesCache and ScrollBar (the reader's caches are put
    back untouched afterwards, so later steps still draw from what they kept)."""
    panes = framed_panes(app)
    kept = [pane._styles_cache for pane in panes]
    bars = [pane._vertical_scrollbar for pane in panes if pane._vertical_scrollbar is not None]
    with monkeypatch.context() as patch:
        patch.setattr(CachedScrollBar, "render_lines", ScrollBar.render_lines)
        for pane in panes:
            pane._styles_cache = StylesCache()
            pane._set_dirty()
        for bar in bars:
            bar._styles_cache.clear()
            bar._dirty_regions.add(bar.size.region)
        text = screen_ansi(app)
    for pane, cache in zip(panes, kept):
        pane._styles_cache = cache
    return text


def assert_same_as_textual(app, monkeypatch, step: str) -> None:
    ours = screen_ansi(app)
    theirs = textual_screen(app, monkeypatch)
    assert ours == theirs, f"the screen differs from Textual's after: {step}"


async def test_panes_draw_what_textual_draws_through_keys_focus_theme_and_resize(tmp_path: Path, monkeypatch) -> None:
    data = make_store(tmp_path / "data", many_weeks(40))
    async with running(data) as (app, pilot):
        panes = framed_panes(app)
        assert {type(pane).__name__ for pane in panes} == {"WeekList", "DistrictFilter", "ArticleViewer", "StatusLine", "FramedTitle",
                                                        "Panes"}
        assert all(isinstance(pane._styles_cache, PaneFrame) for pane in panes)
        assert_same_as_textual(app, monkeypatch, "start")
        steps = [
            ("n", ["n"]), ("n n n", ["n", "n", "n"]), ("p", ["p"]),
            ("tab (focus moves: borders and backgrounds change)", ["tab"]),
            ("space (the viewer pages down)", ["space"]),
            ("shift+tab twice (focus to the sidebar)", ["shift+tab", "shift+tab"]),
            ("down, space (a district toggled: the week list filtered)", ["down", "space"]),
            ("space again (the filter cleared)", ["space"]),
            ("tab, j j (the week list)", ["tab", "j", "j"]),
            ("end (a page turn in the list)", ["end"]),
        ]
        for step, keys in steps:
            await pilot.press(*keys)
            await settle(app, pilot)
            assert_same_as_textual(app, monkeypatch, step)
        app.theme = "textual-light"
        await settle(app, pilot)
        assert_same_as_textual(app, monkeypatch, "theme textual-light")
        await pilot.press("n", "n")
        await settle(app, pilot)
        assert_same_as_textual(app, monkeypatch, "n n on the light theme")
        for pane in framed_panes(app):  # a background alone changes (border and focus the same)
            pane.styles.background = "darkblue"
        await settle(app, pilot)
        assert_same_as_textual(app, monkeypatch, "a new background only")
        await pilot.resize_terminal(80, 24)
        await settle(app, pilot)
        assert_same_as_textual(app, monkeypatch, "resize to 80×24")
        await pilot.resize_terminal(120, 40)
        await settle(app, pilot)
        assert_same_as_textual(app, monkeypatch, "resize back to 120×40")


async def test_a_week_switch_joins_interior_lines_and_redraws_no_frame_row_it_kept(tmp_path: Path) -> None:
    data = make_store(tmp_path / "data", many_weeks(40))
    async with running(data) as (app, pilot):
        viewer = app.screen.query_one("#viewer")
        frame = viewer._styles_cache
        await pilot.press("n")
        await settle(app, pilot)
        fast, textual = frame.lines_fast, frame.lines_textual
        await pilot.press("n")
        await settle(app, pilot)
        interior = viewer.size.height - 2
        assert frame.lines_fast - fast >= interior  # every content line of the new week, joined here
        assert frame.lines_textual == textual  # the border rows (title unchanged) came from the cache


def weeks_of_different_lengths() -> list:
    """Weeks whose articles are 1 to 4 screens long: the viewer's scrollbar thumb differs per week."""
    weeks = []
    for n, week in enumerate(many_weeks(4)):
        items = [item(k, "futian", f"第{n}周条目{k}", *[f"第{k}段。" * 30] * (2 + n)) for k in range(4 * (n + 1))]
        weeks.append(digest(week.id, week.week_start, items))
    return weeks


async def test_a_scrollbar_state_seen_before_is_not_rendered_again(tmp_path: Path, monkeypatch) -> None:
    data = make_store(tmp_path / "data", weeks_of_different_lengths())
    async with running(data) as (app, pilot):
        bar = app.screen.query_one("#viewer").vertical_scrollbar
        assert isinstance(bar, CachedScrollBar) and bar.display
        await pilot.press("n", "n", "n", "p", "p", "p")  # every week once
        await settle(app, pilot)
        renders = bar.renders
        for key in ("n", "n", "p", "n", "n", "p", "p", "p"):
            await pilot.press(key)
            await settle(app, pilot)
            assert_same_as_textual(app, monkeypatch, f"{key}: a thumb seen before")
        assert bar.renders == renders  # each week's thumb is a kept state: no Textual render
        await pilot.press("tab", "space")  # the viewer focused (its background changes) and paged
        await settle(app, pilot)
        assert bar.renders > renders
        assert_same_as_textual(app, monkeypatch, "the viewer focused and paged down")


async def test_a_look_the_fast_path_does_not_know_falls_back_to_textual(tmp_path: Path, monkeypatch) -> None:
    data = make_store(tmp_path / "data", many_weeks(10))
    async with running(data) as (app, pilot):
        viewer = app.screen.query_one("#viewer")
        frame = viewer._styles_cache
        viewer.styles.tint = "red 30%"
        viewer.styles.opacity = 0.8
        await settle(app, pilot)
        textual = frame.lines_textual
        await pilot.press("n")
        await settle(app, pilot)
        assert frame.lines_textual - textual >= viewer.size.height - 2
        assert_same_as_textual(app, monkeypatch, "a tinted, translucent viewer")
        viewer.styles.tint = "transparent"
        viewer.styles.opacity = 1.0
        await pilot.press("n")
        await settle(app, pilot)
        assert_same_as_textual(app, monkeypatch, "back to the plain look")


async def test_the_status_line_repaints_only_when_its_text_changes(tmp_path: Path, monkeypatch) -> None:
    data = make_store(tmp_path / "data", many_weeks(10))
    async with running(data) as (app, pilot):
        status = app.screen.query_one("#status")
        refreshes: list[object] = []
        original = type(status).refresh

        def counting(self, *regions, **options):
            refreshes.append(regions)
            return original(self, *regions, **options)

        monkeypatch.setattr(type(status), "refresh", counting)
        before = str(status.render())
        app.main.update_status()  # nothing changed: the same line
        await settle(app, pilot)
        assert refreshes == []
        app.main.status = "同步中…"
        await settle(app, pilot)
        assert refreshes and str(status.render()) == "同步中…"
        app.main.status = ""
        await settle(app, pilot)
        assert str(status.render()) == before
        assert_same_as_textual(app, monkeypatch, "the status line back to its summary")


def test_a_light_strip_behaves_as_a_strip() -> None:
    """LightStrip only delays its memo caches: every Strip method gives the same segments."""
    rng = random.Random(7)
    styles = [Style(color="red"), Style(bgcolor="#102030", bold=True), Style(color="bright_blue", dim=True), None]
    words = ["深圳", "社工", "a", "bc", " ", "福田区：", "…"]
    console = Console(file=io.StringIO(), force_terminal=True, color_system="truecolor")
    filter_ = ANSIToTruecolor(DEFAULT_TERMINAL_THEME)
    for _ in range(200):
        segments = [Segment(rng.choice(words), rng.choice(styles)) for _ in range(rng.randint(0, 6))]
        plain, light = Strip(segments), LightStrip(list(segments))
        assert plain.cell_length == light.cell_length and plain.text == light.text
        width = plain.cell_length
        cuts = sorted({rng.randint(1, width + 2) for _ in range(3)} | {width}) if width else [0]
        for ours, theirs in [
            (light.divide(cuts), plain.divide(cuts)),
            (light.divide(cuts), plain.divide(cuts)),  # from the cache
            ([light.crop(1, width - 1)], [plain.crop(1, width - 1)]),
            ([light.extend_cell_length(width + 3, styles[0])], [plain.extend_cell_length(width + 3, styles[0])]),
            ([light.adjust_cell_length(max(0, width - 2), styles[1])], [plain.adjust_cell_length(max(0, width - 2), styles[1])]),
            ([light.crop_extend(1, width + 2, styles[1])], [plain.crop_extend(1, width + 2, styles[1])]),
            ([light.apply_style(styles[1])], [plain.apply_style(styles[1])]),
            ([light.apply_filter(filter_, Color(0, 0, 0))], [plain.apply_filter(filter_, Color(0, 0, 0))]),
            ([light.apply_offsets(2, 3)], [plain.apply_offsets(2, 3)]),
            ([light.simplify()], [plain.simplify()]),
        ]:
            assert [list(strip) for strip in ours] == [list(strip) for strip in theirs]
            assert [strip.cell_length for strip in ours] == [strip.cell_length for strip in theirs]
        assert light.render(console) == plain.render(console)
        assert light.link_ids == plain.link_ids


async def test_a_border_title_with_new_markup_or_alignment_is_drawn_again(tmp_path: Path, monkeypatch) -> None:
    data = make_store(tmp_path / "data", many_weeks(5))
    async with running(data) as (app, pilot):
        weeks = app.screen.query_one("#weeks")
        title = weeks.border_title
        weeks.border_title = f"[b]{title}[/b]"  # the same text, another look
        await settle(app, pilot)
        assert_same_as_textual(app, monkeypatch, "a bold title of the same text")
        weeks.styles.border_title_align = "center"
        await settle(app, pilot)
        assert_same_as_textual(app, monkeypatch, "the title centred")


async def test_a_new_thumb_made_of_known_cells_is_assembled_and_equals_textuals(tmp_path: Path, monkeypatch) -> None:
    data = make_store(tmp_path / "data", weeks_of_different_lengths())
    async with running(data) as (app, pilot):
        await pilot.press("tab")  # the viewer focused: its look is fixed from here on
        await settle(app, pilot)
        bar = app.screen.query_one("#viewer").vertical_scrollbar
        renders = bar.renders
        for key in ["space", "space", "n", "space", "n", "space", "space", "space", "p", "space", "n", "n",
                    "space", "space", "space", "shift+space", "p", "p"]:
            await pilot.press(key)
            await settle(app, pilot)
            assert_same_as_textual(app, monkeypatch, f"{key}: the thumb somewhere new")
        assert bar.assembled >= 3  # new thumbs drawn from cells seen before, not by Textual…
        assert bar.renders - renders + bar.assembled >= 8  # …among the many states shown
