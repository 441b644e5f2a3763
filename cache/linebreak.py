"""The one line-breaking rule for reading text, shared by the reader (tui/article_viewer.py) and the
CLI's terminal output (`show`, `search`).

Textual wraps at spaces only and folds an unbroken run character by character: Chinese text then
breaks anywhere, punctuation such as `。` or `，` can start a line, and a long title after `● `
jumps to the next line whole. Here a line may break between any two CJK characters or at a space,
never inside a Latin word, and closing punctuation stays with the character before it (kinsoku).

No Rich here (cache/ is UI-free): cell widths come from `unicodedata` unless the caller passes its
own measure — the reader passes Rich's, so its rows fit exactly what Textual draws.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from functools import lru_cache

# May not start a line (closing punctuation, small kana, prolonged sound mark).
NO_START = frozenset("，。、；：！？）］｝〕〉》」』】〙〗〟’”｠»…‥·・ー々〻,.;:!?)]}%" "ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ")
# May not end a line (opening brackets and quotes).
NO_END = frozenset("（［｛〔〈《「『【〘〖〝‘“｟«([{$#")


def char_width(ch: str) -> int:
    """Terminal cells of one character: 2 for East Asian wide/full-width, 0 for combining marks."""
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def text_width(text: str) -> int:
    return sum(char_width(ch) for ch in text)


_WIDE = ("W", "F")


@lru_cache(maxsize=None)
def _measure(ch: str, char_cells: Callable[[str], int]) -> tuple[int, bool]:
    """A character's cells, and whether it stands alone (a line may break before and after it)."""
    cells = char_cells(ch)
    alone = not ch.isascii() and (cells == 2 or unicodedata.east_asian_width(ch) in _WIDE
                                  or ch in NO_START or ch in NO_END)
    return cells, alone


def _atoms(text: str, char_cells: Callable[[str], int]) -> list[tuple[str, int]]:
    """Split `text` into unbreakable pieces with their widths; a line may break between any two."""
    units: list[tuple[str, int]] = []
    word, word_cells = "", 0
    for ch in text:
        if ch == " ":
            if word:
                units.append((word, word_cells))
                word, word_cells = "", 0
            units.append((" ", 1))
            continue
        cells, alone = _measure(ch, char_cells)
        if alone:
            if word:
                units.append((word, word_cells))
                word, word_cells = "", 0
            units.append((ch, cells))
        else:
            word += ch
            word_cells += cells
    if word:
        units.append((word, word_cells))
    # Glue kinsoku characters to their neighbours.
    atoms: list[tuple[str, int]] = []
    glue_next = False
    for unit, cells in units:
        if atoms and (glue_next or (unit[0] in NO_START and atoms[-1][0] != " ")):
            atoms[-1] = (atoms[-1][0] + unit, atoms[-1][1] + cells)
        elif unit[0] in NO_START and len(atoms) >= 2 and atoms[-1][0] == " ":
            atoms.pop()  # "word ·": the space and the mark stay with the word before them
            atoms[-1] = (atoms[-1][0] + " " + unit, atoms[-1][1] + 1 + cells)
        else:
            atoms.append((unit, cells))
        glue_next = unit[-1] in NO_END and unit != " "
    return atoms


def wrap_with(text: str, width: int, char_cells: Callable[[str], int] = char_width) -> tuple[str, ...]:
    """Lines of at most `width` cells (a single too-wide character excepted); newlines are kept.

    `char_cells` measures one character (the reader passes Rich's measure).
    """
    width = max(1, width)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0
        for atom, size in _atoms(paragraph, char_cells):
            if used + size <= width:
                line += atom
                used += size
                continue
            if atom == " ":
                continue  # a break at a space eats the space
            if line.strip():
                lines.append(line.rstrip())
            while size > width:  # fold an atom wider than a whole line
                head, head_used = "", 0
                for ch in atom:
                    w = char_cells(ch)
                    if head and head_used + w > width:
                        break
                    head += ch
                    head_used += w
                # Even a forced fold does not start the next line with closing punctuation.
                while 1 < len(head) < len(atom) and atom[len(head)] in NO_START:
                    head_used -= char_cells(head[-1])
                    head = head[:-1]
                lines.append(head)
                atom, size = atom[len(head):], size - head_used
            line, used = atom, size
        lines.append(line.rstrip())
    return tuple(lines)


@lru_cache(maxsize=4096)
def wrap(text: str, width: int) -> tuple[str, ...]:
    """`wrap_with` measured by `char_width` (the CLI's terminal output), cached."""
    return wrap_with(text, width)
