"""Start-up work the first frame does not need (issue 15): each pane is styled once before
it is drawn, a focus change restyles only the panes it touches, a later resume still restyles, and the
modal screens' own CSS (their DEFAULT_CSS, parsed when first shown) still lays them out.

Counts of style passes, not milliseconds: `Stylesheet.apply` is wrapped to count the nodes it styles.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from sz_digest.tui.confirm_screen import ConfirmScreen
from sz_digest.tui.export_screen import ExportScreen
from sz_digest.tui.first_frame import message
from sz_digest.tui.help_screen import HelpScreen
from sz_digest.tui.search_screen import SearchScreen, TimelineScreen
from sz_digest.tui.stats_screen import StatsScreen
from textual import events
from textual.color import Color
from textual.css.stylesheet import Stylesheet
from textual.message import Message

from tui_fixtures import data_dir, running  # noqa: F401 (a fixture)

PANES = ("districts", "weeks", "viewer")


@pytest.fixture
def styled(monkeypatch) -> Counter:
    """How many times each node id has been styled (component-class passes not counted)."""
    counts: Counter = Counter()
    apply = Stylesheet.apply

    def counting_apply(self, node, *args, **kwargs):
        if node.id is not None:
            counts[node.id] += 1
        return apply(self, node, *args, **kwargs)

    monkeypatch.setattr(Stylesheet, "apply", counting_apply)
    return counts


async def test_each_pane_is_styled_once_before_it_is_drawn(data_dir: Path, styled: Counter) -> None:
    async with running(data_dir, lang="zh") as (app, pilot):
        assert app.screen.id == "main"
        # Mounting styles each pane; the screen's first resume does not style them all again.
        # The week list, which takes focus as the screen starts, is styled as focused as it mounts.
        assert styled["districts"] == 1
        assert styled["viewer"] == 1
        assert styled["weeks"] == 1
        weeks = app.main.week_list
        assert app.screen.focused is weeks and weeks.has_focus
        # ... with the focused pane's look (`#weeks:focus` in app.tcss), the others blurred.
        colours = app.get_css_variables()
        assert weeks.styles.border_top == ("round", Color.parse(colours["border"]))
        assert app.main.viewer.styles.border_top == ("round", Color.parse(colours["border-blurred"]))


async def test_a_focus_change_restyles_only_the_two_panes_it_touches(data_dir: Path, styled: Counter) -> None:
    async with running(data_dir) as (app, pilot):
        assert app.screen.focused.id == "weeks"
        styled.clear()
        await pilot.press("tab")
        await pilot.pause()
        moved_to = app.screen.focused.id
        assert moved_to in PANES and moved_to != "weeks"
        assert styled["weeks"] == 1
        assert styled[moved_to] == 1
        assert sum(styled[pane] for pane in PANES) == 2


async def test_only_the_first_resume_skips_the_restyle(data_dir: Path, styled: Counter) -> None:
    async with running(data_dir) as (app, pilot):
        styled.clear()
        # What Textual posts when it switches back to a screen (a mode switch, a theme reload).
        app.main.post_message(events.ScreenResume())
        await pilot.pause()
        assert all(styled[pane] == 1 for pane in PANES)


@pytest.mark.parametrize(("make", "body", "width"), [
    (lambda app: HelpScreen(app.t, app.keymap), "#help-body", 76),
    (lambda app: ConfirmScreen("?", app.t), "#confirm-body", 52),
    (lambda app: ExportScreen(app.t, Path("/nonexistent-export-dir"), "digest", 1), "#export-body", 80),
    (lambda app: SearchScreen(app.store, app.t), "#search-body", 108),  # 90 % of 120 columns
    (lambda app: TimelineScreen(app.store, app.t, "futian"), "#timeline-body", 108),
])
async def test_modal_screens_bring_their_own_layout(data_dir: Path, make, body: str, width: int) -> None:
    async with running(data_dir) as (app, pilot):
        await app.push_screen(make(app))
        await pilot.pause()
        panel = app.screen.query_one(body)
        assert panel.outer_size.width == width
        # Centred by the screen's own `align: center middle`.
        assert panel.region.x + panel.outer_size.width // 2 in (59, 60, 61)


async def test_the_activity_screen_is_centred_and_as_wide_as_its_text(data_dir: Path) -> None:
    async with running(data_dir) as (app, pilot):
        await app.push_screen(StatsScreen(app.store, app.t))
        await pilot.pause()
        panel = app.screen.query_one("#stats-body")
        text = app.screen.query_one("#stats-text")
        assert 0 < panel.outer_size.width < 120
        assert panel.outer_size.width == text.outer_size.width + 2 + 4  # border and padding: 1 2
        assert panel.region.x + panel.outer_size.width // 2 in (59, 60, 61)


async def test_the_viewer_is_laid_out_before_its_scrollbar_is_first_drawn(data_dir: Path) -> None:
    """The viewer's height is known when Textual sizes it, before the first frame is composited: its
    scrollbar is drawn once, with the article's height, not drawn empty and then again (which also
    composited the screen a second time)."""
    async with running(data_dir, lang="zh") as (app, pilot):
        viewer = app.main.viewer
        bar = viewer.vertical_scrollbar
        assert viewer.virtual_size.height > 0
        assert bar.window_virtual_size == viewer.virtual_size.height
        assert bar.renders == 1


def test_a_message_class_behaves_as_its_dataclass() -> None:
    """`@message` stands in for `@dataclass` on the reader's messages: same construction, repr,
    equality and hashability, and Textual's own initialisation runs."""

    @dataclass
    class Made(Message):
        code: str
        count: int = 2

    @message
    class Built(Message):
        code: str
        count: int = 2

    for cls in (Made, Built):
        first, second = cls("futian"), cls(code="futian", count=2)
        assert (first.code, first.count) == ("futian", 2)
        assert first == second and first != cls("luohu") and first != cls("futian", 3)
        assert repr(first).endswith("(code='futian', count=2)")
        assert cls.__hash__ is None
        assert first._stop_propagation is False and first.time > 0  # Message.__post_init__ ran
        with pytest.raises(TypeError):
            cls()
        with pytest.raises(TypeError):
            cls("futian", 2, 3)
        with pytest.raises(TypeError):
            cls("futian", code="luohu")
    assert Built.handler_name == "on_built"
    assert Built.__match_args__ == Made.__match_args__


async def test_the_panes_speak_the_language_without_a_class_per_language(data_dir: Path) -> None:
    """The Footer's words come from each node's own bindings: no subclass is made per language
    (Textual's class creation was 0.6 ms for each of the four localised nodes)."""
    from sz_digest.tui.article_viewer import ArticleViewer
    from sz_digest.tui.district_filter import DistrictFilter
    from sz_digest.tui.main_screen import MainScreen
    from sz_digest.tui.week_list import WeekList

    for lang, older in (("zh", "较早"), ("en", "Older")):
        async with running(data_dir, lang=lang) as (app, pilot):
            main = app.main
            assert type(main) is MainScreen
            for node, cls in ((main.district_filter, DistrictFilter), (main.week_list, WeekList),
                              (main.viewer, ArticleViewer)):
                assert type(node) is cls
            [binding] = main._bindings.key_to_bindings["n"]
            assert binding.description == older
            shown = {key.description for key in app.screen.query("FooterKey")}
            assert older in shown


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light", "nord"])
async def test_cached_component_styles_are_textuals(data_dir: Path, theme: str) -> None:
    """`CachedStyles._style` folds the ancestors' styles once per cache, where Textual's
    `get_visual_style` walks them for every combination of classes: same styles, focused or not,
    for every component class alone and after another (the viewer's headings: heading + district)."""
    from itertools import permutations

    async with running(data_dir) as (app, pilot):
        app.theme = theme
        await pilot.pause()
        main = app.main
        for pane in (main.week_list, main.district_filter, main.viewer, main.week_list):
            pane.focus()  # focused and (the earlier ones, after the next) blurred
            await pilot.pause()
            for other in (main.week_list, main.district_filter, main.viewer):
                names = sorted(other.COMPONENT_CLASSES)
                combos = [(), *((name,) for name in names), *permutations(names[:6], 2),
                          *(("viewer--heading", name) for name in names if "district" in name)]
                other._forget_styles()
                for classes in combos:
                    if not all(name in other.COMPONENT_CLASSES for name in classes):
                        continue
                    assert other._style(*classes) == other.get_visual_style(*classes).rich_style, (
                        other.id, classes)


@pytest.mark.parametrize("size", [(120, 40), (60, 20)])
async def test_the_screen_and_the_panes_container_draw_what_textual_draws(data_dir: Path, size) -> None:
    """The main screen and the panes' container draw their (blank, mostly covered) lines through
    `PaneFrame`, not Textual's `StylesCache` path: the same strips, on a dark and a light theme."""
    from textual._styles_cache import StylesCache
    from textual.geometry import Region

    async with running(data_dir, size=size) as (app, pilot):
        for theme in ("textual-dark", "textual-light"):
            app.theme = theme
            await pilot.pause()
            for node in (app.main, app.main.query_one("#panes")):
                region = Region(0, 0, node.size.width, node.size.height)
                node._set_dirty()
                ours = [list(strip) for strip in node.render_lines(region)]
                kept = node._styles_cache
                node._styles_cache = StylesCache()
                theirs = [list(strip) for strip in node.render_lines(region)]
                node._styles_cache = kept
                assert ours == theirs and len(ours) == region.height, (theme, node.id)


async def test_component_classes_not_drawn_at_the_first_frame_are_styled_after_it(tmp_path: Path, monkeypatch) -> None:
    """The panes style a component class when first asked until the first frame is out (their first
    frame asks for about half), and Textual styles them all from then on: through a theme change,
    focus changes and keys, the screen, colours included, is that of a reader that styles every
    class up front as Textual does."""
    from sz_digest.tui.line_styles import CachedStyles

    from test_pane_frame import screen_ansi
    from tui_fixtures import make_store

    async def looks(name: str) -> tuple[list[str], dict[str, int]]:
        shown = []
        async with running(make_store(tmp_path / name)) as (app, pilot):
            main = app.main
            styled = {pane.id: len(pane._component_styles) for pane in (main.week_list, main.district_filter, main.viewer)}
            shown.append(screen_ansi(app))
            for step in ("textual-light", "shift+tab", "j", "space", "tab", "nord", "j", "tab", "n"):
                if "-" in step or step == "nord":
                    app.theme = step
                else:
                    await pilot.press(step)
                await pilot.pause()
                shown.append(screen_ansi(app))
        return shown, styled

    lazy, styled = await looks("lazy")
    monkeypatch.setattr(CachedStyles, "_components_deferred", False)
    eager, styled_up_front = await looks("eager")
    assert styled["viewer"] < styled_up_front["viewer"]  # fewer styled before the first frame
    for index, (a, b) in enumerate(zip(lazy, eager, strict=True)):
        assert a == b, index


async def test_the_refresh_that_completes_the_first_screen_is_not_held_back_a_frame(data_dir: Path, monkeypatch) -> None:
    """The main screen's update timer is started as it mounts (`start_frame_clock`): its first period
    runs while the screen lays out, so the refresh after the first layout waits for nothing.
    Unstarted, Textual starts it at the first idle moment after that layout and it sleeps a whole
    period (1/60 s) first. Recorded: the order of the main screen's first layout, its update timer's
    sleeps and its first update tick."""
    import sys

    import textual.timer
    from sz_digest.tui.main_screen import MainScreen

    order: list[str] = []
    sleep = textual.timer.sleep

    async def recorded_sleep(seconds: float) -> None:
        timer = sys._getframe(1).f_locals.get("self")
        if getattr(timer, "name", None) == "screen_update" and isinstance(timer._target(), MainScreen):
            order.append("update timer sleeps")
        await sleep(seconds)

    refresh_layout = MainScreen._refresh_layout
    on_timer_update = MainScreen._on_timer_update

    def recorded_layout(self, *args, **kwargs):
        order.append("layout")
        return refresh_layout(self, *args, **kwargs)

    def recorded_tick(self):
        order.append("update tick")
        return on_timer_update(self)

    monkeypatch.setattr(textual.timer, "sleep", recorded_sleep)
    monkeypatch.setattr(MainScreen, "_refresh_layout", recorded_layout)
    monkeypatch.setattr(MainScreen, "_on_timer_update", recorded_tick)
    async with running(data_dir) as (app, pilot):
        assert app.screen.id == "main"
        assert "update tick" in order
    first_layout = order.index("layout")
    first_tick = order.index("update tick")
    # The timer's first period began before the first layout, and no period began between that
    # layout and the first update: the refresh ran as soon as the screen asked for it.
    assert "update timer sleeps" in order[:first_layout]
    assert "update timer sleeps" not in order[first_layout:first_tick]


async def test_each_footer_key_is_styled_once_as_it_mounts(data_dir: Path, monkeypatch) -> None:
    """Textual's keys start compact and its command-palette key is classed `-compact` by its watcher
    after it mounts: each would be styled again. `DigestFooter` settles both before they mount."""
    from textual.widgets._footer import FooterKey

    counts: Counter = Counter()
    apply = Stylesheet.apply

    def counting_apply(self, node, *args, **kwargs):
        if isinstance(node, FooterKey):
            counts[node] += 1
        return apply(self, node, *args, **kwargs)

    monkeypatch.setattr(Stylesheet, "apply", counting_apply)
    async with running(data_dir) as (app, pilot):
        await pilot.pause()
        keys = list(app.screen.query(FooterKey))
    assert [key.key for key in keys] == ["n", "p", "slash", "question_mark", "q", "ctrl+p"]
    assert {key.key: counts[key] for key in keys} == {key.key: 1 for key in keys}
