"""A cheaper frame for the reader's hot panes: border, padding and line filters joined once per look.

Textual draws every line of a widget through `StylesCache.render_line`: it reads the border, outline,
hatch and tint rules again, builds the border's styles and segments, pads the content, wraps the
line in a `Strip`, then runs the app's line filters over it into another `Strip` (and looks that
copy up again for every kept line of every frame). For the week list, the sidebar and the viewer
(three bordered panes repainted on most keys) that was most of each pane's cost per key, not their
own `render_line`s.

`PaneFrame` keeps Textual's result and skips its work where the result is known: for the interior
lines of a pane whose look is plain (any border and padding, no outline, hatch, tint, opacity or
text opacity, only Textual's per-segment line filters) a line is the cached left edge (border and
padding, filtered), the content line (filtered, or as it is when the filter would not change it),
and the cached right edge, joined into one `Strip` (a `LightStrip`: its memo caches made on use).
The top and bottom border rows come from Textual's `render_line`, kept per look and title. Anything else — a
tint, an outline, a filter we do not know — is drawn by Textual's own path, line for line. The
look (`Frame`) is recomputed from the same inputs Textual reads, once per pane per frame.

`CachedScrollBar` does the same for a pane's vertical scrollbar: Textual renders its Rich renderable
and styles every line again whenever the thumb moves (nearly every week switch); here the finished
lines are kept per thumb state and look, a repaint of a known state is a lookup, and a new state
whose cells (above, on, below the thumb, its end glyphs) were all drawn before is assembled from
their finished lines.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, ClassVar, Iterable, NamedTuple, Sequence

from rich.color import Color as RichColor
from rich.segment import Segment
from rich.style import Style as RichStyle
from textual._ansi_theme import DEFAULT_TERMINAL_THEME
from textual._border import get_box
from textual._styles_cache import StylesCache
from textual.cache import FIFOCache
from textual.filter import ANSIToTruecolor, DimFilter, LineFilter, Monochrome, NoColor
from textual.geometry import Region, Size
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.strip import Strip
from textual.style import Style
from textual.widget import Widget

if TYPE_CHECKING:
    from rich.terminal_theme import TerminalTheme
    from textual.color import Color
    from textual.css.styles import StylesBase

class LightStrip(Strip):
    """A `Strip` that makes its seven memo caches when first used, not when built.

    `Strip.__init__` builds seven `FIFOCache`s; a line the reader draws uses one or two of them (the
    compositor's `divide`, the driver's `render`), and a repainted pane builds dozens of lines per
    key. Everything else is `Strip`'s own code: the caches it reaches for are made on first access.
    """

    __slots__ = ()

    _CACHE_SIZES = {"_divide_cache": 4, "_crop_cache": 16, "_style_cache": 16, "_filter_cache": 4,
                    "_line_length_cache": 4, "_crop_extend_cache": 4, "_offsets_cache": 4}

    def __init__(self, segments, cell_length: int | None = None) -> None:
        self._segments = segments if type(segments) is list else list(segments)
        self._cell_length = cell_length
        self._render_cache = None
        self._link_ids = None
        self._cell_count = None

    def __getattr__(self, name: str):
        size = LightStrip._CACHE_SIZES.get(name)
        if size is None:
            raise AttributeError(name)
        cache = FIFOCache(size)
        setattr(self, name, cache)
        return cache

    def divide(self, cuts: Iterable[int]) -> Sequence[Strip]:
        """`Strip.divide`, whose pieces are light too: the compositor divides every line it paints
        at the widgets' edges (three pieces for each of the viewer's lines)."""
        cell_length = self.cell_length
        cuts = [cut for cut in cuts if cut <= cell_length]
        cache_key = tuple(cuts)
        if (cached := self._divide_cache.get(cache_key)) is not None:
            return cached
        if cuts == [cell_length]:
            strips: list[Strip] = [self]
        else:
            strips = []
            pos = 0
            for segments, cut in zip(Segment.divide(self._segments, cuts), cuts):
                strips.append(LightStrip(segments, cut - pos))
                pos = cut
        self._divide_cache[cache_key] = strips
        return strips


PER_SEGMENT_FILTERS = (ANSIToTruecolor, DimFilter, Monochrome, NoColor)
"""Textual's filters that map each segment on its own (so filtering the parts of a line and joining
them is filtering the line). Any other filter sends the pane down Textual's path."""

class Frame(NamedTuple):
    """What an interior line of a pane adds around its content, filtered, for one look."""

    key: tuple
    left: tuple[Segment, ...]  # border and left padding
    right: tuple[Segment, ...]  # right padding and border
    top: int  # first content line (border + top padding)
    bottom: int  # first line below the content (bottom padding, bottom border)
    content_width: int
    content_height: int
    inner: RichStyle  # the content's background (what a short line is padded with)
    filters: tuple[LineFilter, ...]
    background: Color
    unchanged: dict  # style -> whether ANSIToTruecolor hands it back as it is (on this background)


class PaneFrame(StylesCache):
    """A `StylesCache` whose interior lines skip Textual's per-line frame work (see the module)."""

    def __init__(self, keep_joined: int = 0) -> None:
        super().__init__()
        self._keep_joined = keep_joined
        self._frame: Frame | None = None
        self._fast = False  # `_cache` holds finished (filtered) lines, not Textual's unfiltered ones
        self._edges: dict[tuple, Strip] = {}  # border rows per (look, row, label)
        # With `keep_joined` (so many; a pane whose `render_line` hands back a kept Strip for the same
        # content: the lists, the viewer), joined lines per content Strip, by identity (the Strip
        # is kept with it, so its id is not reused): a filter toggled on and off shows the same
        # lines at other places, and they are not joined again. Dropped with the look.
        self._joined: dict[int, tuple[Strip, Strip]] = {}
        self.lines_fast = 0  # interior lines joined here (tests count them)
        self.lines_textual = 0  # lines drawn by Textual's render_line

    # -- the look ---------------------------------------------------------------------------------

    def _frame_for(self, styles: StylesBase, size: Size, content_size: Size, padding,
                   base_background: Color, background: Color, filters: Sequence[LineFilter],
                   opacity: float) -> Frame | None:
        """The frame for these inputs, or None when the look needs Textual's full path."""
        border = styles.border
        outline = styles.outline
        tint = styles.tint
        text_opacity = styles.text_opacity
        hatch = styles.hatch if styles.has_rule("hatch") else "none"
        filters = tuple(filters)
        key = (size, content_size, padding, base_background, background, opacity, border, outline,
               tint, text_opacity, hatch, filters)
        frame = self._frame
        if frame is not None and frame.key == key:
            return frame
        (_, _), (border_right, right_color), (_, _), (border_left, left_color) = border
        if (opacity != 1.0 or text_opacity != 1.0 or tint.a or hatch != "none"
                or any(edge for edge, _ in outline)
                or any(type(f) not in PER_SEGMENT_FILTERS for f in filters)):
            self._frame = None
            return None
        inner, outer = self.get_inner_outer(base_background, background)
        inner_rich = inner.rich_style
        pad_top, pad_right, pad_bottom, pad_left = padding
        # Path C of StylesCache.render_line: padding (line_pad), then the side borders.
        left_segments = [Segment(" " * pad_left, inner_rich)] if pad_left else []
        right_segments = [Segment(" " * pad_right, inner_rich)] if pad_right else []
        if border_left:
            left_style = Style(foreground=base_background + left_color)
            left_segments.insert(0, get_box(border_left, inner, outer, left_style)[1][0])
        if border_right:
            right_style = Style(foreground=base_background + right_color)
            right_segments.append(get_box(border_right, inner, outer, right_style)[1][2])
        for line_filter in filters:
            left_segments = line_filter.apply(left_segments, background)
            right_segments = line_filter.apply(right_segments, background)
        gutter = styles.gutter
        frame = self._frame = Frame(
            key, tuple(left_segments), tuple(right_segments), gutter.top, size.height - gutter.bottom,
            content_size.width, content_size.height, inner_rich, filters, background, {},
        )
        return frame

    def forget_joined(self) -> None:
        """Drop the joined lines kept (the pane will not show their content again soon)."""
        self._joined = {}

    # -- drawing ----------------------------------------------------------------------------------

    def render(
        self,
        styles: StylesBase,
        size: Size,
        base_background: Color,
        background: Color,
        render_content_line: Callable[[int], Strip],
        filters: Sequence[LineFilter],
        border_title,
        border_subtitle,
        content_size: Size | None = None,
        padding=None,
        crop: Region | None = None,
        opacity: float = 1.0,
        ansi_theme: TerminalTheme = DEFAULT_TERMINAL_THEME,
        native_ansi: bool = False,
    ) -> list[Strip]:
        if content_size is None:
            content_size = size
        if padding is None:
            padding = styles.padding
        if crop is None:
            crop = size.region
        previous = self._frame
        frame = self._frame_for(styles, size, content_size, padding, base_background, background,
                                filters, opacity)
        if frame is None:
            if self._fast:  # the cache holds finished lines: Textual's path caches unfiltered ones
                self.clear()
                self._fast = False
            strips = super().render(styles, size, base_background, background, render_content_line,
                                    filters, border_title, border_subtitle, content_size, padding,
                                    crop, opacity, ansi_theme, native_ansi)
            self.lines_textual += crop.height
            return strips
        if not self._fast or frame is not previous:
            self.clear()
            self._joined = {}  # (not in `clear`: Textual clears the cache on every full refresh)
            self._fast = True
            self._width = size.width
            if len(self._edges) > 16:
                self._edges.clear()

        cache = self._cache
        is_dirty = self._dirty_lines.__contains__
        strips: list[Strip] = []
        add = strips.append
        top, bottom = frame.top, frame.bottom
        for y in crop.line_range:
            strip = cache.get(y)
            if strip is None or is_dirty(y):
                if top <= y < bottom:
                    strip = self._interior(frame, y - top, render_content_line)
                else:
                    strip = self._edge(frame, styles, y, size, content_size, padding, base_background,
                                       background, render_content_line, border_title,
                                       border_subtitle, opacity, ansi_theme, native_ansi)
                cache[y] = strip
            add(strip)
        self._dirty_lines.difference_update(crop.line_range)
        width = size.width
        if crop.column_span != (0, width):
            x1, x2 = crop.column_span
            strips = [strip.crop(x1, x2) for strip in strips]
        return strips

    def _interior(self, frame: Frame, content_y: int, render_content_line: Callable[[int], Strip]) -> Strip:
        """Left edge + content + right edge, as Textual's path C draws it, filtered."""
        self.lines_fast += 1
        width = frame.content_width
        if content_y >= frame.content_height:
            return self._join(frame, Strip.blank(width, frame.inner))
        content = render_content_line(content_y)
        if not self._keep_joined:
            return self._join(frame, content)
        joined = self._joined.get(id(content))
        if joined is not None and joined[0] is content:
            return joined[1]
        strip = self._join(frame, content)
        if len(self._joined) >= self._keep_joined:
            self._joined = {}
        self._joined[id(content)] = (content, strip)
        return strip

    def _join(self, frame: Frame, content: Strip) -> Strip:
        width = frame.content_width
        length = content.cell_length
        if length < width:  # Strip.adjust_cell_length's padding, without the Strip
            segments = [*content._segments, Segment(" " * (width - length), frame.inner)]
        elif length > width:
            segments = content.adjust_cell_length(width, frame.inner)._segments
        else:
            segments = content._segments
        for line_filter in frame.filters:  # per segment: the same as filtering the joined line
            if type(line_filter) is not ANSIToTruecolor or not self._unchanged(line_filter, segments, frame):
                segments = line_filter.apply(segments, frame.background)
        return LightStrip([*frame.left, *segments, *frame.right], self._width)

    @staticmethod
    def _unchanged(line_filter: ANSIToTruecolor, segments: list[Segment], frame: Frame) -> bool:
        """Whether the filter would give these segments back as they are: every style already
        truecolor (the theme's colours always are) and no control codes. Then its copy is skipped."""
        known = frame.unchanged
        for _, style, control in segments:
            if control is not None:
                return False
            same = known.get(style)
            if same is None:
                same = known[style] = style is None or (
                    line_filter.truecolor_style(style, frame.background.rich_color) is style)
            if not same:
                return False
        return True

    def _edge(self, frame: Frame, styles, y: int, size, content_size, padding, base_background,
              background, render_content_line, border_title, border_subtitle, opacity, ansi_theme,
              native_ansi) -> Strip:
        """A border or padding row: Textual's own, filtered, kept per look and label."""
        label = border_title if y == 0 else border_subtitle if y == size.height - 1 else None
        if label is not None:
            # Content compares by its text alone: its spans (markup in a title) decide the look too.
            text, *look = label
            label = (text.plain, tuple(text.spans), *look)
        align = styles.border_title_align if y == 0 else styles.border_subtitle_align
        key = (frame.key, y, label, align)
        try:
            strip = self._edges.get(key)
        except TypeError:  # an unhashable label: draw it every time
            key, strip = None, None
        if strip is None:
            self.lines_textual += 1
            self._simple_strip = None
            strip = super().render_line(styles, y, size, content_size, padding, base_background,
                                        background, render_content_line, border_title,
                                        border_subtitle, opacity, ansi_theme, native_ansi)
            for line_filter in frame.filters:
                strip = strip.apply_filter(line_filter, background)
            if key is not None:
                self._edges[key] = strip
        return strip


class FramedPane(Widget):
    """Mixin for the hot panes: their lines through `PaneFrame`, their scrollbar a `CachedScrollBar`.

    Put it after the widget class it extends (`class X(Static, FramedPane)`): Textual takes a
    widget's CSS type names from its first base, so `FramedPane` first would hide `Static`'s."""

    KEEP_JOINED: ClassVar[int] = 0
    """Joined lines kept (a few screens of the pane; memory stays flat), for a pane whose
    `render_line` hands back the same Strip for the same content (see `PaneFrame`); 0: none."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._styles_cache = PaneFrame(self.KEEP_JOINED)

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        # Widget.vertical_scrollbar, with our class (Textual creates it on first use, the same way).
        if self._vertical_scrollbar is not None:
            return self._vertical_scrollbar
        self._vertical_scrollbar = scroll_bar = CachedScrollBar(
            vertical=True, name="vertical", thickness=self.scrollbar_size_vertical
        )
        scroll_bar.display = False
        self.app._start_widget(self, scroll_bar)
        return scroll_bar


SCROLLBAR_LOOKS_KEPT = 128
"""Scrollbar states kept (thumb sizes × positions × looks; each a handful of objects): 300 week switches
at 520 weeks met 64 thumbs, and at 24 kept the bar was drawn again on 7 switches in 10."""


class CachedScrollBar(ScrollBar):
    """A vertical `ScrollBar` whose finished lines are kept per (geometry, thumb, look)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._looks: dict[tuple, list[Strip]] = {}
        # Per look, the finished line of each bar cell Textual drew: a vertical bar's line depends
        # on its own cell alone (above, on or below the thumb, or one of its end glyphs), so a new
        # thumb made of cells seen before is assembled from them instead of rendered.
        self._cells: dict[tuple, dict[Segment, Strip]] = {}
        self.renders = 0  # full renders through Textual's path (tests count them)
        self.assembled = 0  # new states assembled from known cells

    def notify_style_update(self) -> None:
        self._looks = {}
        self._cells = {}
        super().notify_style_update()

    def _bar_key(self, bar) -> tuple:
        """What the bar draws: the thumb's cells as Textual's renderer computes them (so weeks of
        different lengths whose thumbs look the same share a state), else the renderer's inputs."""
        render_bar = getattr(bar, "render_bar", None)
        if type(bar).__rich_console__ is ScrollBarRender.__rich_console__ and render_bar is not None:
            width, height = self.size
            style = bar.style if isinstance(bar.style, RichStyle) else None
            if style is not None:
                # ScrollBarRender.__rich_console__'s arguments, for a bar of this widget's size.
                segments = render_bar(
                    size=height if bar.vertical else width,
                    window_size=bar.window_size,
                    virtual_size=bar.virtual_size,
                    position=bar.position,
                    vertical=bar.vertical,
                    thickness=width if bar.vertical else height,
                    back_color=style.bgcolor or RichColor.parse("#555555"),
                    bar_color=style.color or RichColor.parse("bright_magenta"),
                )
                return ("cells", type(bar), tuple(segments.segments), style)
        return ("inputs", type(bar), getattr(bar, "virtual_size", None), getattr(bar, "window_size", None),
                getattr(bar, "position", None), getattr(bar, "thickness", None),
                getattr(bar, "vertical", None), getattr(bar, "style", None))

    def render_lines(self, crop: Region) -> list[Strip]:
        bar = self.render()  # the renderable Textual would draw: thumb geometry and colours
        bar_key = self._bar_key(bar)
        rest = (self.background_colors, self.opacity, tuple(self.app.get_line_filters()), self.auto_links)
        key = (self.size, bar_key, *rest)
        lines = self._looks.get(key)
        cells = look = None
        if lines is None and bar_key[0] == "cells" and bar.vertical and len(bar_key[2]) == self.size.height:
            cells = bar_key[2]
            look = (self.size, bar_key[1], bar_key[3], *rest)
            known = self._cells.get(look)
            if known is not None and all(cell in known for cell in cells):
                self.assembled += 1
                lines = self._looks[key] = [known[cell] for cell in cells]
                if len(self._looks) > SCROLLBAR_LOOKS_KEPT:
                    self._looks = {key: lines}
        if lines is None:
            self.renders += 1
            # Textual's own caches hold lines of whatever state it drew last: draw the whole bar
            # again (without scheduling another frame, as `refresh` would).
            whole = self.region.reset_offset
            self._styles_cache.clear()
            self._dirty_regions.add(whole)
            # Kept as light copies, one per distinct line (a bar is a few kinds of line: above,
            # on and below the thumb), so a kept state costs a handful of objects, not 35 Strips.
            distinct: dict[tuple, Strip] = {}
            lines = []
            for line in super().render_lines(whole):
                key_line = (tuple(line._segments), line.cell_length)
                kept = distinct.get(key_line)
                if kept is None:
                    kept = distinct[key_line] = LightStrip(line._segments, line.cell_length)
                lines.append(kept)
            if len(self._looks) >= SCROLLBAR_LOOKS_KEPT:
                self._looks = {}
            self._looks[key] = lines
            if cells is not None and len(lines) == len(cells):
                if look not in self._cells and len(self._cells) >= 8:
                    self._cells = {}
                known = self._cells.setdefault(look, {})
                for cell, line in zip(cells, lines):
                    known.setdefault(cell, line)
        else:
            self._dirty_regions.clear()
            self._styles_cache._dirty_lines.clear()
        if crop == self.region.reset_offset:
            return list(lines)
        x1, x2 = crop.column_span
        full = (x1, x2) == (0, self.region.width)
        return [line if full else line.crop(x1, x2) for line in lines[crop.y:crop.bottom]]
