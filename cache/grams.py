"""Counted word grams: the search index's tokens (issue 15; store.py keeps the index, `items_grams`).

For every item, one token per distinct gram of one to four characters of its folded search text
made only of word characters (`\\w`, so never across a space or punctuation), spelled

    gram + (TITLE if the gram is in the item's title else BODY) + str.count(text, gram) + YEAR + year

where year is the item's week's year. An FTS5 table with the `ascii` tokenizer (every non-ASCII
character is part of a token, ASCII letters, digits and `_` too) and detail=none keeps one posting
per token and item, so that for a word of 1-4 word characters the vocabulary alone gives how many
items hold it (the sum of its tokens' `doc`), and its tokens taken in (title, count, year) order
name the items in the ranking's order: a search reads the postings of the few tokens that reach the
100th hit, not every item that matches (tens of thousands at 5,200 weeks).

Why tokens are made in Python and on the side of searches, not by the sync: their cost (see
`Store.index_grams`) would have doubled a first sync's CPU in its child (bench/README.md, sixth pass).
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import chain, compress
from operator import add

BODY, TITLE, YEAR = "\ue100", "\ue101", "\ue110"  # never in a gram: not word characters
LONGEST = 4
_RUNS = re.compile(r"\w+")
_WORD = re.compile(r"\w{1,%d}" % LONGEST)


def _grams(run: str):
    """Every gram of 1-4 characters of one run of word characters, one per occurrence (C loops)."""
    pairs = list(map(add, run, run[1:]))
    triples = list(map(add, pairs, run[2:]))
    return chain(run, pairs, triples, map(add, triples, run[3:]))


def item_tokens(folded_title: str, folded: str, year: str) -> str:
    """One item's tokens, space-separated; `folded` is its search text, which starts with its title."""
    counts = Counter(chain.from_iterable(map(_grams, _RUNS.findall(folded))))
    # A gram that overlaps itself (aa, aba, abab) counted by occurrence is more than str.count's
    # count, which does not overlap: count those few again (the grams seen twice picked in C). No
    # match crosses a non-word character, so the whole text's count is the sum over its runs.
    for gram in list(compress(counts.keys(), map((1).__lt__, counts.values()))):
        if len(gram) > 1 and (gram[0] == gram[-1] or (len(gram) == 4 and gram[:2] == gram[2:])):
            counts[gram] = folded.count(gram)
    titled = {g: counts.pop(g) for g in set(chain.from_iterable(map(_grams, _RUNS.findall(folded_title))))}
    # gram + suffix, the suffixes made once per count (str + str in C: %-formatting each token
    # was a third of the time)
    most = max(chain(counts.values(), titled.values()), default=0)
    body = [f"{BODY}{n}{YEAR}{year}" for n in range(most + 1)]
    title = [f"{TITLE}{n}{YEAR}{year}" for n in range(most + 1)]
    return " ".join(chain(map(add, counts.keys(), map(body.__getitem__, counts.values())),
                          map(add, titled.keys(), map(title.__getitem__, titled.values()))))


def answers(needle: str) -> bool:
    """Whether the index alone ranks and counts `needle` (folded): 1-4 word characters."""
    return _WORD.fullmatch(needle) is not None


def term_range(gram: str) -> tuple[str, str]:
    """Every token of `gram` sorts strictly between these two (vocabulary look-ups)."""
    return gram + BODY, gram + chr(ord(TITLE) + 1)


def parse_term(term: str, gram: str) -> tuple[bool, int, str]:
    """(in the title, count, year) of one of `gram`'s tokens."""
    count, year = term[len(gram) + 1:].split(YEAR)
    return term[len(gram)] == TITLE, int(count), year


def holding(needle: str) -> list[str] | None:
    """Grams every item holding `needle` holds (each of its word runs up to four characters, else
    that run's first, middle and last four); None when it has no word character."""
    found: dict[str, None] = {}
    for run in _RUNS.findall(needle):
        if len(run) <= LONGEST:
            found[run] = None
        else:
            last = len(run) - LONGEST
            for at in (0, last // 2, last):
                found[run[at:at + LONGEST]] = None
    return list(found) or None


def holding_match(grams: list[str]) -> str:
    """An FTS5 MATCH for the items that hold every one of `grams` (prefix queries on its tokens)."""
    return " AND ".join(f'("{g}{BODY}" * OR "{g}{TITLE}" *)' for g in grams)
