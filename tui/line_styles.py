"""Component styles for Line-API widgets, looked up once per style change instead of per segment.

`Widget.get_visual_style` recomputes the pseudo-class key on every call; a full repaint of a pane
asks it a few hundred times. The answers change only when the CSS, the theme or the focus does.
"""

from __future__ import annotations

from rich.style import Style
from textual import events
from textual.widget import Widget


class CachedStyles(Widget):
    """Mixin: `self._style(*component_classes)` with a cache dropped on style and focus changes."""

    _style_cache: dict[tuple[str, ...], Style]

    def _style(self, *classes: str) -> Style:
        try:
            cache = self._style_cache
        except AttributeError:
            cache = self._style_cache = {}
        style = cache.get(classes)
        if style is None:
            style = cache[classes] = self.get_visual_style(*classes).rich_style
        return style

    def _forget_styles(self) -> None:
        self._style_cache = {}

    def notify_style_update(self) -> None:
        self._forget_styles()
        super().notify_style_update()

    def _on_focus(self, event: events.Focus) -> None:
        self._forget_styles()
        super()._on_focus(event)

    def _on_blur(self, event: events.Blur) -> None:
        self._forget_styles()
        super()._on_blur(event)
