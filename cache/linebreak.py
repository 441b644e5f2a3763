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


def _atoms(text: str, width_of: Callable[[str], int]) -> list[str]:
    """Split `text` into unbreakable pieces; a line may break between any two."""
    units: list[str] = []
    word = ""
    for ch in text:
        if ch == " ":
            if word:
                units.append(word)
                word = ""
            units.append(" ")
        elif (width_of(ch) == 2 or unicodedata.east_asian_width(ch) in ("W", "F")
              or (not ch.isascii() and (ch in NO_START or ch in NO_END))):
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
        elif unit[0] in NO_START and len(atoms) >= 2 and atoms[-1] == " ":
            atoms.pop()  # "word ·": the space and the mark stay with the word before them
            atoms[-1] += " " + unit
        else:
            atoms.append(unit)
        glue_next = unit[-1] in NO_END and unit != " "
    return atoms


def wrap_with(text: str, width: int, char_cells: Callable[[str], int] = char_width) -> tuple[str, ...]:
    """Lines of at most `width` cells (a single too-wide character excepted); newlines are kept.

    `char_cells` measures one character (the reader passes Rich's measure).
    """
    def cells(s: str) -> int:
        return sum(char_cells(ch) for ch in s)

    width = max(1, width)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0
        for atom in _atoms(paragraph, char_cells):
            size = cells(atom)
            if used + size <= width:
                line += atom
                used += size
                continue
            if atom == " ":
                continue  # a break at a space eats the space
            if line.strip():
                lines.append(line.rstrip())
            line, used = "", 0
            while cells(atom) > width:  # fold an atom wider than a whole line
                head, head_used = "", 0
                for ch in atom:
                    w = char_cells(ch)
                    if head and head_used + w > width:
                        break
                    head += ch
                    head_used += w
                # Even a forced fold does not start the next line with closing punctuation.
                while len(head) > 1 and atom[len(head):len(head) + 1] in NO_START and atom[len(head)] != "":
                    head = head[:-1]
                lines.append(head)
                atom = atom[len(head):]
            line, used = atom, cells(atom)
        lines.append(line.rstrip())
    return tuple(lines)


@lru_cache(maxsize=4096)
def wrap(text: str, width: int) -> tuple[str, ...]:
    """`wrap_with` measured by `char_width` (the CLI's terminal output), cached."""
    return wrap_with(text, width)
