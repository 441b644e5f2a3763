"""An OptionList that repaints only the rows that changed.

Textual's OptionList repaints every visible row when the highlight moves and drops every cached row
render when one prompt is replaced; on a 2-core machine that is most of a frame for a 20-row list.
Here moving the highlight repaints the two rows involved, and replacing a prompt re-renders that
row alone (the whole list only if its height changed).
"""

from __future__ import annotations

from textual.reactive import reactive
from textual.visual import VisualType
from textual.widgets import OptionList


class RowList(OptionList):
    highlighted: reactive[int | None] = reactive(None, repaint=False)

    _updating_lines = False
    _overflowed_before = False

    def _update_lines(self) -> None:
        self._updating_lines = True
        self._overflowed_before = self.virtual_size.height > self.scrollable_content_region.height
        try:
            super()._update_lines()
        finally:
            self._updating_lines = False

    def refresh(self, *regions, repaint: bool = True, layout: bool = False, recompose: bool = False):
        """A new row count needs no screen layout when the pane's size is fixed by the CSS and its
        scrollbar neither appears nor goes away (the scroll range is updated either way)."""
        if layout and self._updating_lines and not self.styles.auto_dimensions:
            overflowed = self.virtual_size.height > self.scrollable_content_region.height
            if overflowed == self._overflowed_before:
                layout = False
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def watch_highlighted(self, old: int | None, new: int | None) -> None:  # type: ignore[override]
        self._refresh_option(old)
        self._refresh_option(new)
        super().watch_highlighted(new)

    def _refresh_option(self, index: int | None) -> None:
        if index is None or not self.is_mounted:
            return
        try:
            y = self._index_to_line[index]
            height = self._heights[index]
        except KeyError:  # not laid out yet: the next render draws it anyway
            self.refresh()
            return
        self.refresh_lines(y, height)

    def _replace_option_prompt(self, index: int, prompt: VisualType) -> None:
        option = self.get_option_at_index(index)
        option._set_prompt(prompt)
        cache = self._option_render_cache
        for key in [key for key in cache.keys() if key[0] is option]:
            cache.discard(key)
        height = self._heights.get(index) if self.scrollable_content_region else None
        if height is None:
            self._clear_caches()
            return
        padding = self.get_component_styles("option-list--option").padding
        width = self.scrollable_content_region.width - self._get_left_gutter_width()
        if self._get_visual(option).get_height(self.styles, width - padding.width) != height:
            self._clear_caches()  # rows below it move
        else:
            self._refresh_option(index)
