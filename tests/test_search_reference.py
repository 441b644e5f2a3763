"""Search answers as a plain reference would (issue 14: the true total and the ranking as before;
issue 15: the fast paths must not change a hit). The reference folds every item itself, counts with
str.count, ranks title hits, then mentions, then newer weeks, then page order, and builds each
snippet with make_snippet folding the text itself. The reader's path (its copy of every item, the
indexes when a word is rare) and the CLI's (SQL, no copy) must give the same hits, in the same
order, with the same snippets and marks, and the same totals: over random archives whose text
mixes plain CJK, ASCII capitals, full-width forms, ligatures, combining marks and line breaks (so
both stored and derived folds occur), for random queries of one to five characters."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from conftest import make_digest
from sz_digest.cache.store import Store, make_snippet
from sz_digest.cache.text import clean_line, fold

PIECES = ["社", "工", "站", "社工", "会议", "社会工作", "南山", "服务", "A", "b", "AB", "Ａ", "，", "ﬁ", "ß",
          "e\u0301", "\u0301", "İ", " ", "\n", " \n ", "…", "Σ"]


def reference(items: list[tuple], needle: str, limit: int, districts=None, since: date | None = None
              ) -> tuple[list[tuple], int]:
    """items: (digest id, week start, position, title, body, district); `since` a Monday (weeks run
    Monday to Friday, so a week overlaps it when it starts on it or later). Hits as (digest id,
    position, snippet, spans)."""
    scored = []
    for digest_id, week, position, title, body, district in items:
        if (districts is not None and district not in districts) or (since is not None and week < since.isoformat()):
            continue
        count = fold(f"{title}\n{body}").count(needle)
        if count:
            scored.append(((needle in fold(title), count, week, -position), digest_id, position, title, body))
    scored.sort(key=lambda entry: entry[0], reverse=True)
    return [(digest_id, position, *make_snippet(title, body, needle))
            for _key, digest_id, position, title, body in scored[:limit]], len(scored)


@pytest.mark.parametrize("seed", range(4))
def test_both_search_paths_answer_as_the_reference(tmp_path, seed) -> None:
    rng = random.Random(seed)
    stored: list[tuple] = []
    with Store.open(tmp_path / "s", seed_sample=False) as store:
        for week in range(30):  # one digest a week: no two items tie on (week, position)
            digest_id, start = str(1700000 + week), date(2024, 1, 1) + timedelta(weeks=week)
            items = [(rng.choice(["futian", "nanshan", "city"]),
                      "".join(rng.choices(PIECES, k=rng.randint(1, 5))).strip() or "社",
                      "".join(rng.choices(PIECES, k=rng.randint(3, 30)))) for _ in range(rng.randint(1, 6))]
            store.save_digest(make_digest(digest_id, start, items), f"<html>{week}</html>".encode(), keep_file=False)
            stored += [(digest_id, start.isoformat(), item.position, item.title, item.body, item.district)
                       for item in store.items_for(digest_id)]
        texts = [fold(f"{title}\n{body}") for *_rest, title, body, _district in stored]
        queries = ["社", "工", "社工", "会议", "社会工作", "ab", "a", "fi", "ss", "e\u0301", "社会", "zz"]
        while len(queries) < 60:  # and pieces of the stored text itself
            text = rng.choice(texts)
            at = rng.randrange(len(text))
            query = " ".join(text[at:at + rng.randint(1, 5)].split())
            if query:
                queries.append(query)
        # No filter (the grams answer a word alone), and filters (candidates from the grams, counted in the texts).
        filters = [{}, {"districts": ["nanshan"]}, {"since": date(2024, 1, 1) + timedelta(weeks=12)},
                   {"districts": ["futian", "city"], "since": date(2024, 1, 1) + timedelta(weeks=20)}]
        compared = 0
        for query in queries:
            needle = fold(clean_line(query)).strip()
            for limit, flags in ((1, filters[0]), (7, filters[0]), (100, filters[0]), (7, rng.choice(filters[1:])),
                                 (100, rng.choice(filters[1:]))):
                want = reference(stored, needle, limit, **flags)
                for keep in (True, False):
                    store.keep_search_index = keep
                    hits, total = store.search_counted(query, limit=limit, **flags)
                    got = ([(h.digest_id, h.position, h.snippet, h.spans) for h in hits], total)
                    assert got == want, (query, limit, flags, keep)
                    compared += 1
        assert compared == len(queries) * 10
        assert reference(stored, "社", 100)[1] > 20  # many matches, many ties on count
