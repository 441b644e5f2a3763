"""The week list: one row per stored digest, newest first (plus a "starred" entry on top).

A Line-API widget (`ScrollView`): rows have a fixed, known height (two lines, three for the sample),
so 520 weeks cost a list of offsets and `render_line` draws only what is visible. No per-row widgets,
no measuring of 520 prompts before the first frame, and moving the cursor repaints two rows.
Only dates, counts and the app's own words are shown here: nothing scraped.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import TYPE_CHECKING

from rich.segment import Segment
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from .commands import bindings
from .i18n import Catalog
from .line_styles import CachedStyles

if TYPE_CHECKING:
    from sz_digest.cache.store import WeekSummary

STARRED_ID = "starred"  # the row id of the "starred items" entry at the top

Line = tuple[tuple[str, tuple[str, ...]], ...]  # (text, component classes) spans


def week_lines(week: WeekSummary, t: Catalog) -> tuple[Line, ...]:
    """`● 2026-03-09 → 03-13` over `  pub 03-20 · 8 items` (+ a sample line)."""
    end = week.week_end.strftime("%m-%d") if week.week_end.year == week.week_start.year else week.week_end.isoformat()
    marker = ("  ", ()) if week.read else ("● ", ("week-list--unread",))
    dates = (f"{week.week_start.isoformat()} → {end}", () if week.read else ("week-list--bold",))
    details = " · ".join([t("week.published", date=week.published.strftime("%m-%d")), t("week.items", n=week.item_count)])
    lines: list[Line] = [(marker, dates), (("  " + details, ("week-list--dim",)),)]
    if week.sample:
        lines.append((("  ", ()), (t("week.sample"), ("week-list--note",))))
    return tuple(lines)


class WeekList(CachedStyles, ScrollView, can_focus=True):
    """Newest week first; moving the cursor previews a week, `enter` (or a click) opens it."""

    SCOPES = ("list",)
    BINDINGS = [
        Binding("home", "first", show=False),
        Binding("end", "last", show=False),
        Binding("pageup", "page_up", show=False),
        Binding("pagedown", "page_down", show=False),
        *bindings(SCOPES, "en"),
    ]
    COMPONENT_CLASSES = {"week-list--cursor", "week-list--unread", "week-list--bold", "week-list--dim",
                         "week-list--note"}

    class WeekHighlighted(Message):
        """The cursor moved onto a week (or the starred entry): preview it."""

        def __init__(self, digest_id: str) -> None:
            super().__init__()
            self.digest_id = digest_id

    class WeekOpened(Message):
        """The user chose a week: open it in the viewer (and mark it read)."""

        def __init__(self, digest_id: str) -> None:
            super().__init__()
            self.digest_id = digest_id

    digest_id: reactive[str | None] = reactive(None, init=False)
    """The selected week, bound from the screen; the cursor follows it."""

    def __init__(self, t: Catalog, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.t = t
        self.weeks: list[WeekSummary] = []
        self.starred_count = 0
        self.row_ids: list[str] = []  # one per row, top to bottom
        self._lines: dict[str, tuple[Line, ...]] = {}  # drawn lazily, per row id
        self._starts: list[int] = []  # first line of each row
        self._cursor = 0

    # -- content -------------------------------------------------------------------------------

    def show_weeks(self, weeks: list[WeekSummary], starred_count: int = 0) -> None:
        """Replace the rows, keeping the cursor on the selected week."""
        self.weeks = weeks
        self.starred_count = starred_count
        self.row_ids = ([STARRED_ID] if starred_count else []) + [week.id for week in weeks]
        self._lines.clear()
        heights = ([2] if starred_count else []) + [3 if week.sample else 2 for week in weeks]
        starts, y = [], 0
        for height in heights:
            starts.append(y)
            y += height
        self._starts = starts
        self.virtual_size = Size(self.scrollable_content_region.width, y)
        self._cursor = self._index(self.digest_id, default=0)
        self._scroll_to_cursor()
        self.call_after_refresh(self._scroll_to_cursor)  # before the first layout there is no viewport
        self.refresh()

    def _row_lines(self, index: int) -> tuple[Line, ...]:
        week_id = self.row_ids[index]
        lines = self._lines.get(week_id)
        if lines is None:
            if week_id == STARRED_ID:
                lines = (((self.t("week.starred"), ("week-list--note",)),),
                         (("  " + self.t("week.starred_count", n=self.starred_count), ("week-list--dim",)),))
            else:
                lines = week_lines(self.weeks[index - (1 if self.starred_count else 0)], self.t)
            self._lines[week_id] = lines
        return lines

    def set_starred_count(self, count: int) -> None:
        """Add, update or drop the starred entry at the top."""
        if bool(count) != bool(self.starred_count):
            self.show_weeks(self.weeks, count)
        elif count:
            self.starred_count = count
            self._lines.pop(STARRED_ID, None)
            self._refresh_row(0)

    def update_week(self, week: WeekSummary) -> None:
        """Redraw one row (read state changed) without rebuilding the list."""
        for index, old in enumerate(self.weeks):
            if old.id == week.id:
                self.weeks[index] = week
                self._lines.pop(week.id, None)
                self._refresh_row(self.row_ids.index(week.id))
                return

    def neighbour(self, step: int) -> str | None:
        """The id of the week `step` rows below the selected one (the starred entry excluded)."""
        ids = [week.id for week in self.weeks]
        if not ids:
            return None
        if self.digest_id not in ids:
            return ids[0]
        index = ids.index(self.digest_id) + step
        return ids[index] if 0 <= index < len(ids) else None

    @property
    def highlighted_id(self) -> str | None:
        return self.row_ids[self._cursor] if self.row_ids else None

    # -- the cursor ----------------------------------------------------------------------------

    def _index(self, week_id: str | None, default: int) -> int:
        try:
            return self.row_ids.index(week_id) if week_id is not None else default
        except ValueError:
            return default

    def move_cursor(self, index: int, *, announce: bool = True) -> None:
        """Put the cursor on row `index` (clamped); announce the week it lands on."""
        if not self.row_ids:
            return
        index = max(0, min(index, len(self.row_ids) - 1))
        if index != self._cursor:
            self._refresh_row(self._cursor)
            self._cursor = index
            self._refresh_row(index)
        self._scroll_to_cursor()
        if announce:
            self.post_message(self.WeekHighlighted(self.row_ids[index]))

    def watch_digest_id(self, digest_id: str | None) -> None:
        index = self._index(digest_id, default=-1)
        if index >= 0:
            self.move_cursor(index, announce=False)

    def _row_height(self, index: int) -> int:
        end = self._starts[index + 1] if index + 1 < len(self._starts) else self.virtual_size.height
        return end - self._starts[index]

    def _refresh_row(self, index: int) -> None:
        if 0 <= index < len(self._starts):
            self.refresh_lines(self._starts[index], self._row_height(index))

    def _scroll_to_cursor(self) -> None:
        if not self._starts:
            return
        top, height = self._starts[self._cursor], self._row_height(self._cursor)
        view = self.scrollable_content_region.height
        if top < self.scroll_y:
            self.scroll_to(y=top, animate=False, immediate=True, force=True)
        elif view and top + height > self.scroll_y + view:
            self.scroll_to(y=top + height - view, animate=False, immediate=True, force=True)

    def action_cursor_down(self) -> None:
        self.move_cursor(self._cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_cursor(self._cursor - 1)

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(len(self.row_ids) - 1)

    def _rows_per_page(self) -> int:
        return max(1, self.scrollable_content_region.height // 2)

    def action_page_down(self) -> None:
        self.move_cursor(self._cursor + self._rows_per_page())

    def action_page_up(self) -> None:
        self.move_cursor(self._cursor - self._rows_per_page())

    def action_select(self) -> None:
        if self.row_ids:
            self.post_message(self.WeekOpened(self.row_ids[self._cursor]))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or not self._starts:
            return
        y = int(self.scroll_y) + offset.y
        if y >= self.virtual_size.height:
            return
        event.stop()
        self.move_cursor(bisect_right(self._starts, y) - 1)
        self.action_select()

    # -- rendering -------------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        self._lines.clear()
        self.refresh()
        super().notify_style_update()

    def _on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, self.virtual_size.height)
        self.call_after_refresh(self._scroll_to_cursor)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self._style()
        line_no = int(self.scroll_y) + y
        if not self._starts or not 0 <= line_no < self.virtual_size.height:
            return Strip.blank(width, base)
        index = bisect_right(self._starts, line_no) - 1
        lines = self._row_lines(index)
        offset = line_no - self._starts[index]
        under: tuple[str, ...] = ("week-list--cursor",) if index == self._cursor else ()
        segments = [Segment(" ", self._style(*under))]
        if offset < len(lines):
            segments += [Segment(text, self._style(*under, *classes))
                         for text, classes in lines[offset]]
        strip = Strip(segments)
        return strip.extend_cell_length(width, self._style(*under)).crop(0, width)
