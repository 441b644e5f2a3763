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


_WORD, _ALONE, _SPACE = 0, 1, 2


def _classify(ch: str, char_cells: Callable[[str], int]) -> tuple[int, int, bool, bool]:
    """A character's cells; whether it joins a word, stands alone (a line may break before and
    after it) or is a space; whether it may not start a line; whether it may not end one."""
    if ch == " ":
        return 1, _SPACE, False, False
    cells = char_cells(ch)
    alone = not ch.isascii() and (cells == 2 or unicodedata.east_asian_width(ch) in _WIDE
                                  or ch in NO_START or ch in NO_END)
    return cells, _ALONE if alone else _WORD, ch in NO_START, ch in NO_END


_CLASSIFIED: dict[Callable[[str], int], dict[str, tuple[int, int, bool, bool]]] = {}
"""Per measure, each character classified once: a dict lookup per character (the wrap of a week
not shown before is a tenth of a key's work in the reader)."""


def _push(atoms: list[tuple[str, int]], unit: str, cells: int, glue_next: bool) -> bool:
    """Add an unbreakable unit, glued to its neighbours by the kinsoku rules; whether the next
    unit is glued to it (it ends with an opening bracket)."""
    if atoms and (glue_next or (unit[0] in NO_START and atoms[-1][0] != " ")):
        last, last_cells = atoms[-1]
        atoms[-1] = (last + unit, last_cells + cells)
    elif unit[0] in NO_START and len(atoms) >= 2 and atoms[-1][0] == " ":
        atoms.pop()  # "word ·": the space and the mark stay with the word before them
        last, last_cells = atoms[-1]
        atoms[-1] = (last + " " + unit, last_cells + 1 + cells)
    else:
        atoms.append((unit, cells))
    return unit[-1] in NO_END and unit != " "


def _atoms(text: str, char_cells: Callable[[str], int]) -> list[tuple[str, int]]:
    """Split `text` into unbreakable pieces with their widths; a line may break between any two.

    Words (runs of characters that do not stand alone), single wide or punctuation characters and
    spaces are units; kinsoku characters are glued to their neighbours as each unit is added. The
    common unit, one CJK character, is added inline (`_push` says the same for any unit)."""
    table = _CLASSIFIED.get(char_cells)
    if table is None:
        table = _CLASSIFIED[char_cells] = {}
    known = table.get
    atoms: list[tuple[str, int]] = []
    glue_next = False
    word, word_cells = "", 0
    for ch in text:
        classified = known(ch)
        if classified is None:
            classified = table[ch] = _classify(ch, char_cells)
        cells, kind, no_start, no_end = classified
        if kind == _WORD:
            word += ch
            word_cells += cells
            continue
        if word:
            glue_next = _push(atoms, word, word_cells, glue_next)
            word, word_cells = "", 0
        if atoms and (glue_next or (no_start and atoms[-1][0] != " ")):
            last, last_cells = atoms[-1]
            atoms[-1] = (last + ch, last_cells + cells)
        elif no_start and len(atoms) >= 2 and atoms[-1][0] == " ":
            atoms.pop()
            last, last_cells = atoms[-1]
            atoms[-1] = (last + " " + ch, last_cells + 1 + cells)
        else:
            atoms.append((ch, cells))
        glue_next = no_end  # a space is never in NO_END
    if word:
        _push(atoms, word, word_cells, glue_next)
    return atoms


def wrap_with(text: str, width: int, char_cells: Callable[[str], int] = char_width) -> tuple[str, ...]:
    """Lines of at most `width` cells (a single too-wide character excepted); newlines are kept.

    `char_cells` measures one character in terminal cells, 0, 1 or 2 (the reader passes Rich's
    measure): a paragraph of n characters fits in 2n cells without being measured.
    """
    width = max(1, width)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        if len(paragraph) * 2 <= width:  # fits whatever its characters (none is wider than 2 cells)
            lines.append(paragraph.rstrip())
            continue
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
