"""CJK-aware wrapping for reading text (the article viewer lays its rows out with `wrap`).

Textual wraps at spaces only and folds an unbroken run character by character: Chinese text then
breaks anywhere, punctuation such as `。` or `，` can start a line, and a long title after `● `
jumps to the next line whole. Here a line may break between any two CJK characters or at a space,
never inside a Latin word, and closing punctuation stays with the character before it (kinsoku).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from rich.cells import cell_len, get_character_cell_size

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
