"""The line-breaking rule (cache/linebreak.py): the fast split into unbreakable units gives exactly
the units of the rule written plainly (units first, then the kinsoku glue in a second pass), and a
paragraph the wrap takes whole without measuring is one the greedy fill would not break — for the
sample page's text and for random mixes of CJK, Latin, punctuation, spaces and newlines."""

from __future__ import annotations

import random
import unicodedata

import pytest
from rich.cells import get_character_cell_size

from sz_digest.cache.linebreak import NO_END, NO_START, _atoms, char_width, wrap_with
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
def test_the_units_are_the_plain_rules_units(char_cells) -> None:
    for text in texts():
        for paragraph in text.split("\n"):
            assert _atoms(paragraph, char_cells) == plain_atoms(paragraph, char_cells), paragraph


@pytest.mark.parametrize("char_cells", [char_width, get_character_cell_size], ids=["unicodedata", "rich"])
def test_a_paragraph_taken_whole_unmeasured_is_one_the_greedy_fill_would_not_break(char_cells) -> None:
    """`wrap_with` takes a paragraph of n characters whole when 2n cells fit: the plain rule's
    units then add up to at most the width, so its greedy fill would not break the line either."""
    for text in texts():
        for paragraph in text.split("\n"):
            units = plain_atoms(paragraph, char_cells)
            assert "".join(unit for unit, _ in units) == paragraph
            for width in (1, 2, 5, 13, 40, 94, 200):
                if len(paragraph) * 2 <= width:
                    assert sum(cells for _, cells in units) <= width
                    assert wrap_with(paragraph, width, char_cells) == (paragraph.rstrip(),)


def test_a_paragraph_that_fits_is_one_line_and_a_long_one_breaks_before_no_closing_mark() -> None:
    assert wrap_with("深圳社工，服务站。", 18) == ("深圳社工，服务站。",)
    lines = wrap_with("深圳市社会工作者协会，今日发布。" * 3, 10)
    assert all(line and line[0] not in NO_START for line in lines)
    assert "".join(lines) == "深圳市社会工作者协会，今日发布。" * 3
