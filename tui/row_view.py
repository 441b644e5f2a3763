"""A list of rows with a cursor, drawn with the Line API: the week list and the district sidebar.

Rows have a known height, so a list of any length costs a list of offsets and `render_line` draws
only the visible lines: no widget per row, nothing measured before the first frame, and moving the
cursor repaints two rows. A subclass says what a row shows (`row_lines`), what moving onto a row
means (`cursor_moved`) and what choosing it does (`row_chosen`).
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate
from typing import ClassVar

from rich.segment import Segment
from textual import events
from textual.binding import Binding
from textual.dom import NoScreen
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from .line_styles import CachedStyles
from .pane_frame import FramedPane, LightStrip

get_line_length = Segment.get_line_length

Line = tuple[tuple[str, tuple[str, ...]], ...]
"""One line of a row: (text, component classes) spans. Text here is shown as it is, never as markup."""


class RowView(CachedStyles, FramedPane, ScrollView, can_focus=True):
    """Rows of known height with a cursor; `enter` or a click chooses the row."""

    KEEP_JOINED = 96  # `render_line` hands back the kept Strip of a line's content: two screens
    LINES_KEPT = 160  # a few screens of lines, with and without the cursor: memory stays flat

    BINDINGS = [
        Binding("home", "first", show=False),
        Binding("end", "last", show=False),
        Binding("pageup", "page_up", show=False),
        Binding("pagedown", "page_down", show=False),
    ]
    CURSOR: ClassVar[str]
    """Component class of the row under the cursor."""
    HOVER: ClassVar[str]
    """Component class of the row under the mouse."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.row_ids: list[str] = []  # one per row, top to bottom
        self._starts: list[int] = []  # first line of each row
        self._lines: dict[str, tuple[Line, ...]] = {}  # drawn lazily, per row id
        self._cursor = 0
        self._hover: int | None = None
        self._painting: tuple[int, int] | None = None  # (width, top line) while painting

    # -- what subclasses say -----------------------------------------------------------------------

    def row_lines(self, index: int) -> tuple[Line, ...]:
        """What row `index` shows, one `Line` per line of its height."""
        raise NotImplementedError

    def cursor_moved(self, index: int) -> None:
        """The user moved the cursor onto row `index`."""

    def row_chosen(self, index: int) -> None:
        """The user chose row `index` (`enter`, or a click)."""

    def report(self, message: Message) -> None:
        """Post a message for the screen (what the user did with the list) straight to it: posted
        here, it was dispatched here and in the container between (neither handles it) before the
        screen, a queue and a handler lookup each on every key."""
        try:
            screen = self.screen
        except NoScreen:
            return
        screen.post_message(message)

    # -- rows --------------------------------------------------------------------------------------

    def set_rows(self, row_ids: list[str], heights: list[int], *, cursor_id: str | None = None,
                 repaint: bool = True) -> None:
        """Replace every row; the cursor goes to `cursor_id` (else the first row). With `repaint`
        False the caller refreshes the lines that changed."""
        self.set_row_starts(row_ids, *self.starts_of(heights), cursor_id=cursor_id, repaint=repaint)

    @staticmethod
    def starts_of(heights: list[int]) -> tuple[list[int], int]:
        """Each row's first line, and the lines in all."""
        starts = list(accumulate(heights, initial=0))  # (a loop in C: 5,200 weeks are 5,200 rows)
        return starts, starts.pop()

    def set_row_starts(self, row_ids: list[str], starts: list[int], height: int, *,
                       cursor_id: str | None = None, repaint: bool = True) -> None:
        """`set_rows`, given each row's first line and the lines in all (kept by the caller for
        lists it shows again: neither list is changed here)."""
        self.row_ids = row_ids
        self._lines.clear()
        self._hover = None
        self._starts = starts
        laid_out = self._set_height(height)
        self._cursor = self.index_of(cursor_id, default=0)
        self._scroll_to_cursor()
        if not laid_out:  # before the first layout (or one this change needs) the viewport may change
            self.call_after_refresh(self._scroll_to_cursor)
        if repaint:
            self.refresh()

    def _set_height(self, height: int) -> bool:
        """The new scroll range; whether the pane's viewport is known and stays as it is."""
        # Width 0: rows are cropped to the pane, never scrolled sideways, so a resize leaves this be.
        size = Size(0, height)
        view = self.scrollable_content_region.height
        if view and not self.styles.auto_dimensions and (self.virtual_size.height > view) == (height > view):
            # The pane's size comes from the CSS and its scrollbar neither appears nor goes away: the
            # scroll range changes, the screen's layout does not (the sidebar gains or loses a row
            # on most week switches).
            self.set_reactive(RowView.virtual_size, size)
            self._scroll_update(size)
            return True
        self.virtual_size = size
        return False

    def redraw_row(self, row_id: str) -> None:
        """Draw one row again (what it shows changed; its height did not)."""
        self._lines.pop(row_id, None)
        self._refresh_row(self.index_of(row_id, default=-1))

    def index_of(self, row_id: str | None, default: int) -> int:
        try:
            return self.row_ids.index(row_id) if row_id is not None else default
        except ValueError:
            return default

    @property
    def highlighted_id(self) -> str | None:
        """The id of the row under the cursor."""
        return self.row_ids[self._cursor] if self.row_ids else None

    def _row_height(self, index: int) -> int:
        end = self._starts[index + 1] if index + 1 < len(self._starts) else self.virtual_size.height
        return end - self._starts[index]

    def _row_at(self, line: int) -> int:
        return bisect_right(self._starts, line) - 1

    def _refresh_row(self, index: int | None) -> None:
        if index is not None and 0 <= index < len(self._starts):
            self.refresh_lines(self._starts[index], self._row_height(index))

    # -- the cursor --------------------------------------------------------------------------------

    def move_cursor(self, index: int, *, announce: bool = True) -> None:
        """Put the cursor on row `index` (clamped) and scroll it into view; `announce` it to the
        subclass as a move the user made."""
        if not self.row_ids:
            return
        index = max(0, min(index, len(self.row_ids) - 1))
        if index != self._cursor:
            self._refresh_row(self._cursor)
            self._cursor = index
            self._refresh_row(index)
        self._scroll_to_cursor()
        if announce:
            self.cursor_moved(index)

    @property
    def cursor_index(self) -> int:
        """The row the next cursor key moves from."""
        return self._cursor

    def _scroll_to_cursor(self) -> None:
        """Bring the cursor's row into view a page at a time, as mutt's menus do: leaving the bottom
        puts its row at the top, leaving the top puts it at the bottom. Scrolling one row per key
        repainted every line of the pane (and its scrollbar) on every `n` past the edge; now a key
        repaints two rows, and a page turn comes once per screenful."""
        if not self._starts:
            return
        top, height = self._starts[self._cursor], self._row_height(self._cursor)
        view = self.scrollable_content_region.height
        if top < self.scroll_y:
            self.scroll_to(y=max(0, min(top, top + height - view)) if view else top,
                           animate=False, immediate=True, force=True)
        elif view and top + height > self.scroll_y + view:
            self.scroll_to(y=top, animate=False, immediate=True, force=True)

    def action_cursor_down(self) -> None:
        self.move_cursor(self.cursor_index + 1)

    def action_cursor_up(self) -> None:
        self.move_cursor(self.cursor_index - 1)

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(len(self.row_ids) - 1)

    def action_page_down(self) -> None:
        if self._starts:
            cursor = self.cursor_index
            below = self._row_at(self._starts[cursor] + self.scrollable_content_region.height)
            self.move_cursor(max(below, cursor + 1))

    def action_page_up(self) -> None:
        if self._starts:
            cursor = self.cursor_index
            above = self._row_at(max(0, self._starts[cursor] - self.scrollable_content_region.height))
            self.move_cursor(min(above, cursor - 1))

    def action_select(self) -> None:
        if self.row_ids:
            self.row_chosen(self.cursor_index)

    # -- the mouse ---------------------------------------------------------------------------------

    def _row_under(self, event: events.MouseEvent) -> int | None:
        offset = event.get_content_offset(self)
        if offset is None or not self._starts:
            return None
        line = int(self.scroll_y) + offset.y
        return self._row_at(line) if 0 <= line < self.virtual_size.height else None

    def on_click(self, event: events.Click) -> None:
        index = self._row_under(event)
        if index is not None:
            event.stop()
            self.move_cursor(index)
            self.row_chosen(index)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._set_hover(self._row_under(event))

    def on_leave(self, event: events.Leave) -> None:
        self._set_hover(None)

    def _set_hover(self, index: int | None) -> None:
        if index != self._hover:
            self._refresh_row(self._hover)
            self._hover = index
            self._refresh_row(index)

    # -- drawing -----------------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        self.refresh()
        super().notify_style_update()

    def _on_resize(self, event: events.Resize) -> None:
        # Rows are cropped to the width when drawn, so a new size needs no redraw of our own (the
        # resize itself repaints); the first Resize, right after the first frame, costs nothing.
        self.call_after_refresh(self._scroll_to_cursor)

    def render_lines(self, crop: Region) -> list[Strip]:
        # What every line of this paint shares, read once (each is a few property lookups).
        self._painting = (self.scrollable_content_region.width, int(self.scroll_y))
        try:
            return super().render_lines(crop)
        finally:
            self._painting = None

    def render_line(self, y: int) -> Strip:
        width, top = self._painting or (self.scrollable_content_region.width, int(self.scroll_y))
        line_no = top + y
        if not self._starts or not 0 <= line_no < self.virtual_size.height:
            return Strip.blank(width, self._style())
        index = self._row_at(line_no)
        row_id = self.row_ids[index]
        lines = self._lines.get(row_id)
        if lines is None:
            lines = self._lines[row_id] = self.row_lines(index)
        offset = line_no - self._starts[index]
        under = (self.CURSOR,) if index == self._cursor else (self.HOVER,) if index == self._hover else ()
        # Kept per (what the line shows, cursor/hover look, width), not per row: a page turn
        # shows the same lines at other places, and a filter toggled off (or on again) the rows it
        # showed before, whatever their row ids and places now.
        line = lines[offset] if offset < len(lines) else None
        return self._kept_line((line, under, width), lambda: self._draw(line, under, width))

    def _draw(self, line: Line | None, under: tuple[str, ...], width: int) -> Strip:
        segments = [Segment(" ", self._style(*under))]
        if line is not None:
            segments += [Segment(text, self._style(*under, *classes)) for text, classes in line]
        length = get_line_length(segments)
        if length > width > 1:
            # A row wider than the pane ends in an ellipsis, never a silent cut.
            cut = list(Strip(segments, length).crop(0, width - 1))
            return Strip([*cut, Segment("…", cut[-1].style if cut else self._style(*under))], width)
        if length < width:  # padded in the row's look: one Strip, not three
            segments.append(Segment(" " * (width - length), self._style(*under)))
            length = width
        return LightStrip(segments, length).crop(0, width)
