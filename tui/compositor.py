"""The main screen's compositor: Textual's, minus the lines nobody sees.

On most keys the dirty regions' bounding box is the whole screen (the header's title, the panes and
the status line change together), and Textual's `Compositor._render_chops` then renders every widget
whose clip meets that box and cuts every line of each at the widgets' edges, front to back, keeping
the first piece for each cut. Most of that is thrown away: the screen and the `#panes` container
lie wholly behind the panes, the footer's row is often not part of the update at all, and on a
line where only the viewer changed, the sidebar's and the week list's pieces are never written to
the terminal (`ChopsUpdate` writes only the chops that meet the update's spans).

`FrameCompositor` paints the same front-to-back way and keeps the same first piece for every cut
that is written; it only leaves out the work whose result is never written:

- a line of a widget is divided only when one of its cuts is still empty *and* written (meets a
  span of the update, with `ChopsUpdate`'s own test); a full update writes every cut;
- a widget with no such line is not rendered at all (a container hidden behind its children, a
  footer outside the update), unless its class is in `render_always` (a widget whose
  `render_lines` does more than draw: the viewer reports the items it has shown);
- a line that is one piece (the widget spans a single cut on it) is not divided: `Strip.divide`
  would hand back the same Strip.

What is written to the terminal is byte for byte Textual's (tests/test_tui_frame_cost.py compares
both on every frame of many screens). Installed only where Textual's compositor has the shape this
was written against (`compositor_for`); anything else keeps Textual's own.
"""

from __future__ import annotations

import inspect
from typing import Callable, Iterable, Mapping, Sequence

from rich.console import Console
from rich.control import Control
from textual._compositor import ChopsUpdate, Compositor
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget


MOVES_KEPT = 16_384  # cursor moves kept (a 200×60 screen has at most a few thousand chop starts)
_moves: dict[tuple[int, int], str] = {}


def move_to(x: int, y: int) -> str:
    """`Control.move_to(x, y)`'s escape sequence, made once per place: a frame writes one per
    chop (a hundred on a week switch), and building the Control was a third of writing a frame."""
    text = _moves.get((x, y))
    if text is None:
        if len(_moves) >= MOVES_KEPT:
            _moves.clear()
        text = _moves[(x, y)] = Control.move_to(x, y).segment.text
    return text


class FrameUpdate(ChopsUpdate):
    """`ChopsUpdate` whose cursor moves are looked up, not built (the same bytes)."""

    def render_segments(self, console: Console) -> str:
        # ChopsUpdate.render_segments (Textual 8.2), with `move_to` above.
        sequences: list[str] = []
        append = sequences.append
        chops = self.chops
        chop_ends = self.chop_ends
        last_y = self.spans[-1][0]
        for y, x1, x2 in self.spans:
            line = chops[y]
            ends = chop_ends[y]
            for end, (x, strip) in zip(ends, line.items()):
                if strip is None:
                    continue
                if x > x2 or end <= x1:
                    continue
                if x2 > x >= x1 and end <= x2:
                    append(move_to(x, y))
                    append(strip.render(console))
                    continue
                strip = strip.crop(0, min(end, x2) - x)
                append(move_to(x, y))
                append(strip.render(console))
            if y != last_y:
                append("\n")
        return "".join(sequences)


class FrameCompositor(Compositor):
    """A `Compositor` that renders and divides only what the terminal will be sent (see module)."""

    def __init__(self, render_always: tuple[type[Widget], ...] = ()) -> None:
        super().__init__()
        self._render_always = render_always
        # Counts for tests (what was left out, and what was still done).
        self.widgets_skipped = 0
        self.lines_divided = 0
        # Each visible widget's lines and cuts, for one layout (the `cuts` and `visible_widgets`
        # Textual computes once per layout: held, so compared by identity).
        self._lines_for: object = None
        self._lines_of: object = None
        self._lines: dict[Widget, tuple] = {}

    def clear(self) -> None:
        super().clear()
        self._lines_for = self._lines_of = None
        self._lines = {}

    def render_partial_update(self) -> ChopsUpdate | None:
        # Textual's method, with the update's spans handed to the painter (not only its lines).
        screen_region = self.size.region
        update_regions = self._dirty_regions.copy()
        self._dirty_regions.clear()
        if not update_regions:
            return None
        crop = Region.from_union(update_regions).intersection(screen_region)
        spans = list(self._regions_to_spans(update_regions))
        line_spans: dict[int, list[tuple[int, int]]] = {}
        for y, x1, x2 in spans:
            line_spans.setdefault(y, []).append((x1, x2))
        chops = self._paint(crop, line_spans.__contains__, line_spans)
        chop_ends = [cut_set[1:] for cut_set in self.cuts]
        return FrameUpdate(chops, spans, chop_ends)

    def _render_chops(self, crop: Region, is_rendered_line: Callable[[int], bool]) -> Sequence[Mapping[int, Strip]]:
        # Full updates and `render_strips`: every cut of a rendered line is used.
        return self._paint(crop, is_rendered_line, None)

    def _paint(self, crop: Region, is_rendered_line: Callable[[int], bool],
               line_spans: dict[int, list[tuple[int, int]]] | None) -> list[dict[int, Strip | None]]:
        cuts = self.cuts
        chops: list[dict[int, Strip | None]] = [dict.fromkeys(cut_set[:-1]) for cut_set in cuts]
        # Per rendered line, the cuts whose chop is written and not painted yet.
        pending: dict[int, set[int]] = {}
        if line_spans is None:
            for y, cut_set in enumerate(cuts):
                if is_rendered_line(y):
                    pending[y] = set(cut_set[:-1])
        else:
            for y, spans in line_spans.items():
                cut_set = cuts[y]
                # ChopsUpdate.render_segments writes a chop unless `x > x2 or end <= x1`.
                pending[y] = {x for x, end in zip(cut_set, cut_set[1:])
                              if any(not (x > x2 or end <= x1) for x1, x2 in spans)}
        render_always = self._render_always
        for widget, render_region, widget_crop, lines in self._plan(crop):
            wanted = [line for line in lines if (left := pending.get(line[0])) and not left.isdisjoint(line[2])]
            if not wanted and not isinstance(widget, render_always):
                self.widgets_skipped += 1
                continue
            strips = widget.render_lines(widget_crop)
            render_x = render_region.x
            top = render_region.y
            count = len(strips)
            for y, final_cuts, _ in wanted:
                if y - top >= count:  # Textual zips lines with strips: a short render paints less
                    break
                strip = strips[y - top]
                self.lines_divided += 1
                if len(final_cuts) == 2 and strip.cell_length == final_cuts[1] - render_x:
                    pieces: Iterable[Strip] = (strip,)  # what `divide` hands back for one whole piece
                else:
                    pieces = strip.divide([cut - render_x for cut in final_cuts[1:]])
                chops_line = chops[y]
                left = pending[y]
                for cut, piece in zip(final_cuts, pieces):
                    if chops_line[cut] is None:
                        chops_line[cut] = piece
                        left.discard(cut)
        return chops

    def _plan(self, crop: Region) -> list[tuple[Widget, Region, Region, list[tuple[int, list[int], frozenset[int]]]]]:
        """`_get_renders`' choice of widgets, in its order (front to back), each with the region it
        paints, the crop it is rendered with, and per line its cuts (as `_render_chops` finds them)
        and the chops it fills. The lines are kept until the layout changes."""
        cuts = self.cuts
        visible_widgets = self.visible_widgets
        if self._lines_for is not cuts or self._lines_of is not visible_widgets:
            self._lines_for, self._lines_of, self._lines = cuts, visible_widgets, {}
        kept = self._lines
        overlaps = crop.overlaps if crop else None
        plan = []
        for widget, (region, clip) in visible_widgets.items():
            if overlaps is not None and not overlaps(clip):
                continue
            lines = kept.get(widget)
            if lines is None:
                if Region.contains_region(clip, region):
                    render_region = region
                    widget_crop = Region(0, 0, region.width, region.height)
                else:
                    x, y, width, height = Region.intersection(region, clip)
                    render_region = Region(x, y, width, height)
                    widget_crop = Region(x - region.x, y - region.y, width, height)
                first_cut, last_cut = render_region.column_span
                per_line = []
                if render_region.width and render_region.height:
                    for y in render_region.line_range:
                        final_cuts = [cut for cut in cuts[y] if last_cut >= cut >= first_cut]
                        per_line.append((y, final_cuts, frozenset(final_cuts[:-1])))
                lines = kept[widget] = (render_region, widget_crop, per_line)
            render_region, widget_crop, per_line = lines
            if per_line:  # (Textual skips a widget clipped away to nothing)
                plan.append((widget, render_region, widget_crop, per_line))
        return plan


def _shape_matches() -> bool:
    """Whether Textual's compositor is the one `FrameCompositor` was written against (Textual 8.2):
    the methods it replaces are called as it calls them, and the state it reads is there."""
    try:
        inspect.signature(Compositor._render_chops).bind(None, None, None)
        inspect.signature(Compositor.render_partial_update).bind(None)
        inspect.signature(ChopsUpdate.__init__).bind(None, None, None, None)
        probe = Compositor()
    except (TypeError, ValueError):
        return False
    return (hasattr(probe, "_dirty_regions") and hasattr(Compositor, "_regions_to_spans")
            and isinstance(getattr(Compositor, "cuts", None), property)
            and isinstance(getattr(Compositor, "visible_widgets", None), property))


SHAPE_MATCHES = _shape_matches()


def compositor_for(render_always: tuple[type[Widget], ...] = ()) -> Compositor:
    """A `FrameCompositor` where Textual's compositor has the expected shape, else Textual's own."""
    if SHAPE_MATCHES:
        return FrameCompositor(render_always)
    return Compositor()
