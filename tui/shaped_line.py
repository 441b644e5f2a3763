"""One-line texts drawn again from a line of the same shape: the header's title, the status line.

Both change with nearly every key (the week's title; the unread count) and Textual renders each new
text through `Static`: its `Content` wrapped, truncated with an ellipsis, aligned, styled, its
links styled — about half a millisecond a key for the title, a third for the status line. Yet the
next week's title is nearly always the last one with other digits ("（3月9日至3月13日）"), and the
next status the last with another count.

How Textual lays a text out on one line depends on each character's width, on where its spaces
and other non-printing characters are, and on its spans — not on which letters it holds. So two
texts of the same *shape* (per character: its cell width when it is a plain letter, number,
punctuation mark or symbol; the character itself otherwise) and the same spans are drawn with the
same segments, styles and padding, the letters put at the same places. `LineShapes` keeps the
line Textual drew for a text, finds where that text's characters landed in it (after the left
padding, up to an ellipsis or the end), and draws a text of the same shape by putting its letters
there. Texts with characters whose width depends on their neighbours (joiners, variation
selectors, combining marks) or with spans that could carry links are always drawn by Textual.
tests/test_tui_frame_cost.py compares both on many texts, widths and looks.
"""

from __future__ import annotations

import unicodedata
from os.path import commonprefix
from typing import Callable

from textual._cells import cell_len
from textual.content import Content
from textual.strip import Strip
from textual.widget import _RenderCache

from .pane_frame import LightStrip

_LETTERS = frozenset("LNPS")  # Unicode categories whose characters are drawn as themselves
_free: dict[str, int | None] = {}


def _width_if_free(character: str) -> int | None:
    """A character's cell width when it may stand for another of that width, else None."""
    width = _free.get(character, -1)
    if width == -1:
        free = (character.isprintable() and not character.isspace() and character != "…"
                and unicodedata.category(character)[0] in _LETTERS)
        width = _free[character] = cell_len(character) if free else None
        if len(_free) > 4096:
            _free.clear()
    return width


def shape(text: str) -> tuple | None:
    """The text's shape (see the module); None when it holds a character whose width can depend on
    its neighbours (a joiner, a variation selector, a combining mark) or a control character."""
    form: list[object] = []
    add = form.append
    for character in text:
        width = _width_if_free(character)
        if width is not None:
            add(width)
        elif character in " \t" or (character.isprintable() and unicodedata.category(character)[0] not in "MC"):
            add(character)  # a space, an ellipsis, a separator: the same character must be there
        else:
            return None
    return tuple(form)


class Template:
    """A line Textual drew for a text, and where the first `count` characters of it landed.
    (A plain class: a NamedTuple is built with `exec` as the module is imported, before the first frame.)"""

    __slots__ = ("strip", "start", "count")

    def __init__(self, strip: Strip, start: int, count: int) -> None:
        self.strip = strip
        self.start = start  # index in the line's joined text of the text's first character
        self.count = count  # characters of the text shown (the rest cut, an ellipsis after them)

    @classmethod
    def of(cls, strip: Strip, plain: str) -> Template | None:
        """How `plain` landed in `strip`, or None when it cannot be told (then no template)."""
        segments = strip._segments
        if any(control for _, _, control in segments):
            return None
        joined = "".join(text for text, _, _ in segments)
        start = (len(joined) - len(joined.lstrip(" "))) - (len(plain) - len(plain.lstrip(" ")))
        if start < 0:
            return None
        count = len(commonprefix([joined[start:start + len(plain)], plain]))
        rest = joined[start + count:].strip(" ")
        if count == 0 or rest not in ("", "…") or (count < len(plain) and rest != "…"):
            return None
        return cls(strip, start, count)

    def fill(self, plain: str) -> Strip:
        """The line for another text of the same shape: its characters where the template's were."""
        start, count = self.start, self.count
        segments = []
        add = segments.append
        position = 0
        end = start + count
        for segment in self.strip._segments:
            text = segment.text
            following = position + len(text)
            if following > start and position < end:  # (characters of the text are in this one)
                low, high = max(position, start), min(following, end)
                text = text[:low - position] + plain[low - start:high - start] + text[high - position:]
                segment = segment._replace(text=text)
            add(segment)
            position = following
        return LightStrip(segments, self.strip.cell_length)


class LineShapes:
    """A one-line widget's drawn lines: per text (a few), and per shape (see the module)."""

    def __init__(self, texts_kept: int = 4, shapes_kept: int = 16) -> None:
        self.texts_kept = texts_kept
        self.shapes_kept = shapes_kept
        self._texts: dict[tuple, list[Strip]] = {}
        self._shapes: dict[tuple, Template] = {}
        self.filled = 0  # lines drawn from a template (tests count them)
        self.rendered = 0  # lines drawn by Textual

    def clear(self) -> None:
        self._texts.clear()
        self._shapes.clear()

    def lines(self, content: Content, look: tuple, render: Callable[[], list[Strip]]) -> list[Strip]:
        """The lines for `content` in this `look` (size, visual style, ...): kept, filled from a
        template of the same shape, or `render()`ed by Textual (and kept)."""
        plain = content.plain
        try:
            spans = tuple(content.spans)
            key = (plain, spans, look)
            lines = self._texts.get(key)
        except TypeError:  # an unhashable style in a span
            return render()
        if lines is not None:
            return lines
        form = shape(plain) if self._plain_spans(spans) else None
        shape_key = (form, spans, look)
        template = self._shapes.get(shape_key) if form is not None else None
        if template is not None:
            self.filled += 1
            lines = [template.fill(plain)]
        else:
            self.rendered += 1
            lines = render()
            if form is not None and len(lines) == 1 and (made := Template.of(lines[0], plain)) is not None:
                if len(self._shapes) >= self.shapes_kept:
                    self._shapes.clear()
                self._shapes[shape_key] = made
        if len(self._texts) >= self.texts_kept:
            self._texts.clear()
        self._texts[key] = lines
        return lines

    @staticmethod
    def _plain_spans(spans: tuple) -> bool:
        """Spans of named styles only (no links, no actions: those are styled by hover state)."""
        return all(type(span.style) is str and "@" not in span.style and "link" not in span.style
                   for span in spans)


def render_content(widget, shapes: LineShapes, render_textual: Callable[[], None]) -> None:
    """`Widget._render_content` for a one-line `Static` (its `_render_cache` set), through `shapes`
    when it shows `Content` on one line with no text selected; `render_textual` otherwise."""
    content = widget.content
    size = widget.size
    if not isinstance(content, Content) or size.height != 1 or widget.text_selection is not None:
        render_textual()
        return

    def render() -> list[Strip]:
        render_textual()
        return widget._render_cache.lines

    lines = shapes.lines(content, (size, widget.visual_style), render)
    widget._render_cache = _RenderCache(size, lines)
    widget._dirty_regions.clear()
