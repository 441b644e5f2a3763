"""The line-breaking rule (cache/linebreak.py): the fast wrap gives exactly the lines of the rule
written plainly — split into units, glue the kinsoku characters, fill lines greedily — for the
sample page's text and for random mixes of CJK, Latin, punctuation, spaces and newlines."""

from __future__ import annotations

import random
import unicodedata

import pytest
from rich.cells import get_character_cell_size

from sz_digest.cache.linebreak import NO_END, NO_START, char_width, wrap_with
from sz_digest.cache.parser import parse_digest, sample_page


def plain_atoms(text: str, char_cells) -> list[tuple[str, int]]:
    """The rule as first written: units (words, single wide or punctuation characters, spaces),
    then a second pass gluing what may not start or end a line to its neighbours."""
    units: list[tuple[str, int]] = []
    word, word_cells = "", 0
    for ch in text:
        if ch == " ":
            if word:
                units.append((word, word_cells))
                word, word_cells = "", 0
            units.append((" ", 1))
            continue
        cells = char_cells(ch)
        alone = not ch.isascii() and (cells == 2 or unicodedata.east_asian_width(ch) in ("W", "F")
                                      or ch in NO_START or ch in NO_END)
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
    atoms: list[tuple[str, int]] = []
    glue_next = False
    for unit, cells in units:
        if atoms and (glue_next or (unit[0] in NO_START and atoms[-1][0] != " ")):
            atoms[-1] = (atoms[-1][0] + unit, atoms[-1][1] + cells)
        elif unit[0] in NO_START and len(atoms) >= 2 and atoms[-1][0] == " ":
            atoms.pop()
            atoms[-1] = (atoms[-1][0] + " " + unit, atoms[-1][1] + 1 + cells)
        else:
            atoms.append((unit, cells))
        glue_next = unit[-1] in NO_END and unit != " "
    return atoms


def plain_wrap(text: str, width: int, char_cells) -> tuple[str, ...]:
    width = max(1, width)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0
        for atom, size in plain_atoms(paragraph, char_cells):
            if used + size <= width:
                line += atom
                used += size
                continue
            if atom == " ":
                continue
            if line.strip():
                lines.append(line.rstrip())
            while size > width:
                head, head_used = "", 0
                for ch in atom:
                    w = char_cells(ch)
                    if head and head_used + w > width:
                        break
                    head += ch
                    head_used += w
                while 1 < len(head) < len(atom) and atom[len(head)] in NO_START:
                    head_used -= char_cells(head[-1])
                    head = head[:-1]
                lines.append(head)
                atom, size = atom[len(head):], size - head_used
            line, used = atom, size
        lines.append(line.rstrip())
    return tuple(lines)


def texts() -> list[str]:
    raw, url = sample_page()
    digest = parse_digest(raw, url)
    found = [digest.title, *(text for item in digest.items for text in (item.title, *item.paragraphs))]
    rng = random.Random(15)
    alphabet = [*"深圳社会工作一周速览，。、；：！？）（《》「」“”‘’ abcdefghij,.;:!?()[]$#%…·ー々ぁァé\u0301\u200b\t",
                "  ", "\n", "word ", "ｱ", "😀"]
    found += ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 90))) for _ in range(600)]
    return found


@pytest.mark.parametrize("char_cells", [char_width, get_character_cell_size], ids=["unicodedata", "rich"])
def test_wrap_gives_the_plain_rules_lines(char_cells) -> None:
    for text in texts():
        for width in (1, 2, 3, 5, 8, 13, 21, 40, 47, 94, 96, 200):
            assert wrap_with(text, width, char_cells) == plain_wrap(text, width, char_cells), (text, width)


def test_a_paragraph_that_fits_is_one_line_and_a_long_one_breaks_before_no_closing_mark() -> None:
    assert wrap_with("深圳社工，服务站。", 18) == ("深圳社工，服务站。",)
    lines = wrap_with("深圳市社会工作者协会，今日发布。" * 3, 10)
    assert all(line and line[0] not in NO_START for line in lines)
    assert "".join(lines) == "深圳市社会工作者协会，今日发布。" * 3
