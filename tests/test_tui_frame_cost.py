"""The frame's cost per key (issue 15): what the compositor renders and divides, counted, never timed.

`FrameCompositor` (tui/compositor.py) must send the terminal exactly what Textual's compositor
sends: every frame below is composed both ways on the same widgets and the bytes compared, over many
keys, screens and sizes. Then what it leaves out is counted: the containers behind the panes, the
footer outside the update, the lines of the lists that an `n` does not change.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest
from rich.console import Console
from textual._compositor import ChopsUpdate, Compositor
from textual.content import Content

from sz_digest.tui import compositor as compositor_module
from sz_digest.tui import main_screen as main_screen_module
from sz_digest.tui.compositor import FrameCompositor, compositor_for

from tui_fixtures import latest_week, many_weeks, make_store, older_weeks, running, settle  # noqa: F401


def terminal() -> Console:
    return Console(width=200, height=60, file=io.StringIO(), force_terminal=True, color_system="truecolor",
                   legacy_windows=False, safe_box=False)


def chops_text(chops, console: Console) -> list[list[tuple[int, str | None]]]:
    return [[(x, None if strip is None else strip.render(console)) for x, strip in line.items()]
            for line in chops]


class CheckedCompositor(FrameCompositor):
    """Composes every frame twice — ours first (so it renders only what it chose to), then
    Textual's on the same dirty regions — and records any difference in what the terminal gets."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.console = terminal()
        self.partial_checked = 0
        self.full_checked = 0
        self.differences: list[str] = []

    def render_partial_update(self):
        dirty = set(self._dirty_regions)
        ours = super().render_partial_update()
        self._dirty_regions = set(dirty)
        theirs = Compositor.render_partial_update(self)
        if (ours is None) != (theirs is None):
            self.differences.append(f"partial update: ours {ours!r}, Textual's {theirs!r}")
        elif ours is not None:
            self.partial_checked += 1
            assert isinstance(ours, ChopsUpdate)
            if ours.render_segments(self.console) != theirs.render_segments(self.console):
                self.differences.append(f"partial update over {sorted(dirty)}")
        return ours

    def _render_chops(self, crop, is_rendered_line):
        ours = super()._render_chops(crop, is_rendered_line)
        theirs = Compositor._render_chops(self, crop, is_rendered_line)
        self.full_checked += 1
        if chops_text(ours, self.console) != chops_text(theirs, self.console):
            self.differences.append(f"full update of {crop}")
        return ours


@pytest.fixture
def checked(monkeypatch):
    """The main screen gets a `CheckedCompositor`; yields the list of those made."""
    made: list[CheckedCompositor] = []

    def make(render_always=()):
        compositor = CheckedCompositor(render_always)
        made.append(compositor)
        return compositor

    monkeypatch.setattr(main_screen_module, "compositor_for", make)
    return made


KEYS = ["n", "n", "p", "j", "j", "k", "tab", "space", "space", "b", "right_square_bracket",
        "left_square_bracket", "shift+tab", "shift+tab", "down", "down", "space", "space", "up", "space",
        "a", "d", "d", "U", "U", "u", "s", "s", "m", "m", "end", "home", "n", "N", "P"]


@pytest.mark.parametrize("size", [(60, 20), (80, 24), (120, 40), (200, 60)])
async def test_the_terminal_gets_what_textuals_compositor_sends(tmp_path: Path, checked, size) -> None:
    data = make_store(tmp_path / "data", [latest_week(), *older_weeks(), *many_weeks(30)[4:]])
    rng = random.Random(f"frame {size}")
    async with running(data, size=size) as (app, pilot):
        assert checked and type(app.screen._compositor) is CheckedCompositor
        compositor = checked[0]
        for key in KEYS + [rng.choice(KEYS) for _ in range(40)]:
            await pilot.press(key)
            await pilot.pause()
        await settle(app, pilot)
        app.theme = "textual-light"
        await settle(app, pilot)
        await pilot.press("n", "tab", "j")
        await pilot.resize_terminal(size[0] + 17, size[1] + 5)
        await settle(app, pilot)
        await pilot.press("p", "shift+tab", "space")
        await pilot.press("question_mark")  # a modal over the reader: the reader drawn beneath it
        await settle(app, pilot)
        await pilot.press("escape", "n")
        await settle(app, pilot)
        app.screen._compositor.render_update(full=True)
        assert compositor.differences == []
        assert compositor.partial_checked > 40
        assert compositor.full_checked >= 3
        assert compositor.widgets_skipped > 0


async def test_a_week_switch_renders_nothing_hidden_and_divides_only_what_changed(tmp_path: Path, monkeypatch) -> None:
    data = make_store(tmp_path / "data", many_weeks(40))
    async with running(data) as (app, pilot):
        screen = app.screen
        assert type(screen._compositor) is FrameCompositor
        rendered: list[str] = []
        hidden = [screen, screen.query_one("#panes"), screen.query_one("DigestHeader"), screen.query_one("DigestFooter")]
        for widget in hidden + [screen.query_one("#viewer")]:
            def counting(crop, widget=widget, render=widget.render_lines):
                rendered.append(widget.id or type(widget).__name__)
                return render(crop)
            monkeypatch.setattr(widget, "render_lines", counting)
        await pilot.press("n")
        await settle(app, pilot)
        compositor = screen._compositor
        divided = compositor.lines_divided
        rendered.clear()
        await pilot.press("n")
        await pilot.pause()
        # The screen, the panes' container and the header lie behind their children; the footer's
        # row is not part of the update: none of them is rendered. The viewer is.
        assert rendered == ["viewer"]
        # Lines divided: the viewer's and its scrollbar's, the header's title row and the status
        # line, and the few rows of the lists that changed — not every line of every widget.
        lines = screen.query_one("#viewer").size.height
        assert lines <= compositor.lines_divided - divided < 2 * lines + 12


def test_textuals_compositor_is_kept_when_its_shape_is_not_the_expected_one(monkeypatch) -> None:
    assert type(compositor_for()) is FrameCompositor

    def other_render_chops(self, crop, is_rendered_line, extra):  # a Textual that calls it otherwise
        raise AssertionError

    monkeypatch.setattr(Compositor, "_render_chops", other_render_chops)
    assert compositor_module._shape_matches() is False
    monkeypatch.setattr(compositor_module, "SHAPE_MATCHES", compositor_module._shape_matches())
    assert type(compositor_for()) is Compositor


# -- one-line texts drawn from a line of the same shape (tui/shaped_line.py) --------------------------

NARROW = "0123456789abcdefghijKLMNOP-:.,()[]#"
WIDE = "深圳社会工作一周速览福田罗湖南山宝安龙岗月日至（）：，。、"
OTHER = [" ", " ", "…", "·", "—", "\t", "😀", "e\u0301", "👩\u200d💻", "☺\ufe0f", "ｱ", "Ａ"]


def random_text(rng: random.Random) -> str:
    """Letters, digits, CJK, spaces and the odd awkward character, of any length (cut or not)."""
    pieces = []
    for _ in range(rng.choice([0, 1, 3, 8, 15, 30, 45, 70])):
        pick = rng.random()
        pieces.append(rng.choice(NARROW) if pick < 0.4 else rng.choice(WIDE) if pick < 0.85 else rng.choice(OTHER))
    return "".join(pieces)


def same_shape(text: str, rng: random.Random) -> str:
    """`text` with each narrow letter or digit swapped for another narrow one, each wide for a wide one."""
    return "".join(rng.choice(NARROW) if c in NARROW else rng.choice(WIDE) if c in WIDE else c for c in text)


def textual_lines(widget) -> list:
    from textual.widget import Widget

    Widget._render_content(widget)
    return widget._render_cache.lines


def drawn(lines) -> list:
    return [([(s.text, s.style, s.control) for s in strip._segments], strip.cell_length) for strip in lines]


def week_titles(rng: random.Random) -> list[str]:
    titles = []
    for _ in range(25):
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        titles.append(f"深圳社会工作一周速览（{month}月{day}日至{month}月{day + rng.randint(0, 4)}日）")
    return titles


@pytest.mark.parametrize("size", [(60, 20), (80, 24), (120, 40), (200, 60)])
async def test_the_title_and_status_lines_are_what_textual_renders(data_dir_many: Path, size) -> None:
    rng = random.Random(f"shapes {size}")
    async with running(data_dir_many, size=size) as (app, pilot):
        screen = app.screen
        title = screen.query_one("FramedTitle")
        status = screen.query_one("#status")
        texts = week_titles(rng) + ["HOSTILE [bold]x[/bold]", "深圳社会工作一周速览" * 9]
        for _ in range(60):
            text = random_text(rng)
            texts += [text, same_shape(text, rng), same_shape(text, rng)]
        for themed in (False, True):
            if themed:
                app.theme = "textual-light"
                await pilot.pause()
            for text in texts:
                screen.header.set_sub_title(text)
                status.update(Content(text), layout=False)  # as the screen writes it
                for widget in (title, status):
                    widget._render_content()
                    ours = drawn(widget._render_cache.lines)
                    assert ours == drawn(textual_lines(widget)), (type(widget).__name__, text)
        assert title._shapes.filled > 100 and status._shapes.filled > 100  # the template path was taken
        assert title._shapes.rendered > 20 and status._shapes.rendered > 20  # and Textual's too


@pytest.fixture
def data_dir_many(tmp_path: Path) -> Path:
    return make_store(tmp_path / "data", many_weeks(12))


async def test_a_week_switch_renders_no_title_of_a_shape_drawn_before(tmp_path: Path, monkeypatch) -> None:
    from textual.widget import Widget

    data = make_store(tmp_path / "data", many_weeks(40))
    rendered: list[str] = []
    real = Widget._render_content
    monkeypatch.setattr(Widget, "_render_content",
                        lambda self: (rendered.append(type(self).__name__)) or real(self))
    async with running(data) as (app, pilot):
        await pilot.press("n", "n")
        await settle(app, pilot)
        rendered.clear()
        for _ in range(5):
            await pilot.press("n")
            await pilot.pause()
        # many_weeks' titles differ in their dates only: each drawn from the last one's line; the
        # status line's unread count changes its shape once, from three digits to two.
        assert "FramedTitle" not in rendered and rendered.count("StatusLine") <= 1, rendered
        assert app.screen.query_one("FramedTitle")._shapes.filled >= 5


async def test_a_collection_planned_by_the_last_key_lands_quietly_as_the_reader_closes(tmp_path: Path) -> None:
    """The collector asks whether a frame is still being drawn (`DigestApp.busy`) just after a
    key; a `q` can close every screen first (tests/test_terminal_injection.py's navigation test
    printed `ScreenStackError` about one run in four)."""
    from sz_digest.cache.config import Config
    from sz_digest.cache.store import Store
    from sz_digest.tui.app import DigestApp

    data = make_store(tmp_path / "data", many_weeks(3))
    with Store.open(data, seed_sample=False) as store:
        app = DigestApp(store, config=Config(refresh_interval_hours=0), offline=True)
        assert not app._screen_stack
        assert app.busy() is False  # no screen: nothing to draw, and no exception
