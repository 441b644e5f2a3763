"""CJK-aware wrapping for reading text, and the widget that renders it.

Textual wraps at spaces only and folds an unbroken run character by character: Chinese text then
breaks anywhere, punctuation such as `。` or `，` can start a line, and a long title after `● `
jumps to the next line whole. Here a line may break between any two CJK characters or at a space,
never inside a Latin word, and closing punctuation stays with the character before it (kinsoku).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from rich.cells import cell_len, get_character_cell_size
from textual.content import Content
from textual.geometry import Size
from textual.widget import Widget

# May not start a line (closing punctuation, small kana, prolonged sound mark).
NO_START = set("，。、；：！？）］｝〕〉》」』】〙〗〟’”｠»…‥·・ー々〻,.;:!?)]}%" "ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ")
# May not end a line (opening brackets and quotes).
NO_END = set("（［｛〔〈《「『【〘〖〝‘“｟«([{$#")


def _is_wide(ch: str) -> bool:
    return get_character_cell_size(ch) == 2 or unicodedata.east_asian_width(ch) in ("W", "F")


def _atoms(text: str) -> list[str]:
    """Split `text` into unbreakable pieces; a line may break between any two."""
    units: list[str] = []
    word = ""
    for ch in text:
        if ch == " ":
            if word:
                units.append(word)
                word = ""
            units.append(" ")
        elif _is_wide(ch) or (not ch.isascii() and (ch in NO_START or ch in NO_END)):
            if word:
                units.append(word)
                word = ""
            units.append(ch)
        else:
            word += ch
    if word:
        units.append(word)
    # Glue kinsoku characters to their neighbours.
    atoms: list[str] = []
    glue_next = False
    for unit in units:
        if atoms and (glue_next or (unit[0] in NO_START and atoms[-1] != " ")):
            atoms[-1] += unit
        else:
            atoms.append(unit)
        glue_next = unit[-1] in NO_END and unit != " "
    return atoms


@lru_cache(maxsize=4096)
def wrap(text: str, width: int) -> tuple[str, ...]:
    """Lines of at most `width` cells (a single too-wide character excepted); newlines are kept."""
    width = max(1, width)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0
        for atom in _atoms(paragraph):
            size = cell_len(atom)
            if used + size <= width:
                line += atom
                used += size
                continue
            if atom == " ":
                continue  # a break at a space eats the space
            if line.strip():
                lines.append(line.rstrip())
            line, used = "", 0
            while cell_len(atom) > width:  # fold an atom wider than a whole line
                head, head_used = "", 0
                for ch in atom:
                    w = get_character_cell_size(ch)
                    if head and head_used + w > width:
                        break
                    head += ch
                    head_used += w
                lines.append(head)
                atom = atom[len(head):]
            line, used = atom, cell_len(atom)
        lines.append(line.rstrip())
    return tuple(lines)


@dataclass(frozen=True, slots=True)
class Block:
    """A run of text wrapped as one paragraph; `lead` (e.g. `● `) hangs before its first line."""

    text: str
    style: str = ""
    lead: Content = Content("")
    gap_before: bool = False  # a blank line before this block


def render_blocks(blocks: Sequence[Block], width: int) -> Content:
    lines: list[Content] = []
    for block in blocks:
        if block.gap_before and lines:
            lines.append(Content(""))
        indent = block.lead.cell_length
        wrapped = wrap(block.text, max(1, width - indent))
        for index, text in enumerate(wrapped):
            prefix = block.lead if index == 0 else Content(" " * indent)
            lines.append(Content.assemble(prefix, Content.styled(text, block.style)))
    return Content("\n").join(lines)


class Prose(Widget):
    """Text blocks wrapped CJK-correctly to the widget's width (the text is never parsed as markup)."""

    DEFAULT_CSS = "Prose { height: auto; }"

    def __init__(self, blocks: Sequence[Block] = (), *, classes: str | None = None, id: str | None = None) -> None:
        super().__init__(classes=classes, id=id)
        self.blocks = tuple(blocks)

    def set_blocks(self, blocks: Sequence[Block]) -> None:
        self.blocks = tuple(blocks)
        self.refresh(layout=True)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(render_blocks(self.blocks, width).plain.split("\n")) if self.blocks else 0

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return container.width

    def render(self) -> Content:
        return render_blocks(self.blocks, self.content_region.width)
