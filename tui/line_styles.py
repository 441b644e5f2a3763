"""Component styles for Line-API widgets, looked up once per style change instead of per segment.

`Widget.get_visual_style` recomputes the pseudo-class key on every call; a full repaint of a pane
asks it a few hundred times. The answers change only when the CSS, the theme or the focus does.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import ClassVar

from rich.style import Style
from textual import events
from textual.color import Color
from textual.css.styles import StylesBase
from textual.dom import DOMNode
from textual.strip import Strip
from textual.style import Style as VisualStyle
from textual.widget import Widget

Fold = tuple[Color, Color, Style, float]  # background, colour, text style, opacity so far


def _fold(state: Fold, styles: StylesBase) -> Fold:
    """One step of `Widget.get_visual_style` (not partial): `styles` laid over what is above it."""
    background, color, style, opacity = state
    has_rule = styles.has_rule
    opacity *= styles.opacity
    if has_rule("background"):
        tinted = styles.background.tint(styles.background_tint)
        text_background = background + tinted
        background += tinted.multiply_alpha(opacity)
    else:
        text_background = background
    if has_rule("color"):
        color = styles.color.multiply_alpha(styles.text_opacity)
    style += styles.text_style
    if has_rule("auto_color") and styles.auto_color:
        color = text_background.get_contrast_text(color.a)
    return background, color, style, opacity


class CachedStyles(Widget):
    """Mixin: `self._style(*component_classes)` with a cache dropped on style and focus changes.

    A style not in the cache is `get_visual_style(*classes).rich_style`, computed as Textual does
    (`_fold`) but from the widget's own and its ancestors' styles folded once per cache: Textual
    walks every ancestor again for each combination of classes (a third of a pane's first paint).

    Also finished lines kept by what they show (`_kept_line`), dropped with the styles."""

    LINES_KEPT: ClassVar[int] = 96
    """Finished lines kept (a few screens of the pane: memory stays flat)."""

    _style_base: Fold | None = None

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._style_cache: dict[tuple[str, ...], Style] = {}
        self._lines_kept: dict[Hashable, Strip] = {}

    _components_deferred = True
    """Until the first frame (`style_in_full`), component classes are styled when first asked."""

    def _get_component_classes(self) -> frozenset[str]:
        """(Shadows Textual's classmethod, for this widget only.) Textual styles every component
        class of a widget as it mounts, a virtual node each (~210 calls); the reader's panes declare
        41 and their first frame asks for 20. Until `style_in_full`, none is declared here and
        `get_component_styles` styles those asked, as Textual does; from then on Textual's every
        restyle (theme, focus, CSS) styles them all and repaints the pane if one changed."""
        if self._components_deferred:
            return frozenset()
        return super()._get_component_classes()

    def get_component_styles(self, *names: str):
        missing = [name for name in names if name not in self._component_styles]
        if missing:
            declared = super()._get_component_classes()
            for name in missing:
                if name in declared:  # (else Textual's KeyError, below)
                    node = DOMNode(classes=name)
                    node._attach(self)
                    self.app.stylesheet.apply(node, animate=False)
                    self._component_styles[name] = node.styles
        return super().get_component_styles(*names)

    def style_in_full(self) -> None:
        """The first frame is out: Textual's restyles style every component class from now on."""
        self._components_deferred = False

    def _style(self, *classes: str) -> Style:
        style = self._style_cache.get(classes)
        if style is None:
            style = self._style_cache[classes] = self._compute_style(classes)
        return style

    def _compute_style(self, classes: tuple[str, ...]) -> Style:
        state = self._style_base
        if state is None:
            state = (Color(0, 0, 0, 0), Color(255, 255, 255, 0), Style(), 1.0)
            for node in reversed(self.ancestors_with_self):
                state = _fold(state, node.styles)
            self._style_base = state
        for name in classes:
            state = _fold(state, self.get_component_styles(name))
        background, color, style, _opacity = state
        return VisualStyle(background, color, bold=style.bold, dim=style.dim, italic=style.italic,
                           underline=style.underline, strike=style.strike).rich_style

    def _kept_line(self, key: Hashable, draw: Callable[[], Strip]) -> Strip:
        """The line `key` (what it shows, its look, the width) drawn before, else `draw()` kept: a
        page turn or a filter toggled back shows lines drawn before, at other places."""
        lines = self._lines_kept
        strip = lines.get(key)
        if strip is None:
            if len(lines) >= self.LINES_KEPT:
                lines.clear()
            strip = lines[key] = draw()
        return strip

    def _forget_styles(self) -> None:
        if self._components_deferred:  # (styled when asked, so no restyle of Textual's updated them)
            self._component_styles.clear()
        self._style_cache = {}
        self._style_base = None
        self._lines_kept = {}  # drawn with the old styles (focus, theme, CSS)

    def notify_style_update(self) -> None:
        self._forget_styles()
        super().notify_style_update()

    def _on_focus(self, event: events.Focus) -> None:
        self._forget_styles()
        super()._on_focus(event)

    def _on_blur(self, event: events.Blur) -> None:
        self._forget_styles()
        super()._on_blur(event)
