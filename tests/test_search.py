"""Archive search: short Chinese words, folded Latin, filters, ranking and the index it uses."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import make_digest
from sz_digest.cache.errors import UsageError


def titles(hits):
    return sorted(h.title for h in hits)


def test_one_and_two_character_queries_find_substrings(archive):
    # Trigram FTS cannot match these; the store must still answer them correctly.
    assert titles(archive.search("社工")) == ["南山区社工站揭牌", "福田召开社工机构座谈会"]
    assert titles(archive.search("鹏")) == []
    assert titles(archive.search("党")) == ["南山开展党建引领小区治理", "省委社会工作部赴吉星花园小区现场考察调研"]


def test_three_and_five_character_queries(archive):
    assert titles(archive.search("社工站")) == ["南山区社工站揭牌"]
    assert [h.district for h in archive.search("吉星花园小")] == ["longgang"]


def test_latin_queries_are_folded(archive):
    assert titles(archive.search("apec")) == ["罗湖区社区服务APEC专题"]
    assert titles(archive.search("ＡＰＥＣ")) == ["罗湖区社区服务APEC专题"]
    assert titles(archive.search("Ap")) == ["罗湖区社区服务APEC专题"]


def test_title_matches_rank_first_then_newer_weeks(archive):
    # 座谈会 is in an old week's title and a newer week's body: the title hit wins.
    archive.save_digest(make_digest("1600004", date(2026, 3, 16), [
        ("yantian", "盐田区开展社区活动", "活动后召开座谈会。"),
    ]), b"<html>week4</html>")
    assert [h.title for h in archive.search("座谈会")] == ["福田召开社工机构座谈会", "盐田区开展社区活动"]
    # Equal standing: the newer week first.
    assert [h.title for h in archive.search("物业")] == ["省委社会工作部赴吉星花园小区现场考察调研", "南山开展党建引领小区治理"]


def test_filters_by_district_and_date(archive):
    assert titles(archive.search("社工", districts=["nanshan"])) == ["南山区社工站揭牌"]
    assert titles(archive.search("社工", since=date(2026, 3, 1))) == ["南山区社工站揭牌"]
    assert titles(archive.search("社工", until=date(2026, 2, 28))) == ["福田召开社工机构座谈会"]
    assert archive.search("社工", since=date(2026, 3, 9)) == []


def test_snippet_centres_on_the_match_and_marks_it(archive):
    hit = archive.search("居民议事")[0]
    assert "居民议事" in hit.snippet
    start, end = hit.spans[0]
    assert hit.snippet[start:end] == "居民议事"
    assert "\n" not in hit.snippet


def test_empty_query_is_a_usage_error(archive):
    with pytest.raises(UsageError):
        archive.search("  ")


def test_quotes_and_fts_syntax_are_plain_text(archive):
    assert archive.search('"社工" OR *') == []
    assert archive.search("NEAR(") == []


def test_words_are_answered_by_the_grams_index(archive):
    archive.search("社")  # indexes the items written since the index was last brought up to date
    assert not archive.grams_pending()
    plan = archive._db.execute("EXPLAIN QUERY PLAN SELECT rowid FROM items_grams WHERE items_grams MATCH ?",
                               ('"社工站\ue1001\ue1102026"',)).fetchall()
    assert any("VIRTUAL TABLE INDEX" in row[-1] for row in plan)
    # And search() really goes through it: with the index emptied (and nothing pending), a word
    # finds nothing, whatever its length, and so do filtered searches (their candidates).
    archive._db.execute("INSERT INTO items_grams(items_grams) VALUES ('delete-all')")
    assert archive.search("社工站") == []
    assert archive.search("社工") == []
    assert archive.search("社") == []
    assert archive.search("吉星花园小") == []
    assert archive.search("社", districts=["nanshan"]) == []
    assert titles(archive.search("，")) != []  # no word character: a scan


def test_snippets_from_the_stored_folds_are_the_snippets_from_folding(tmp_path):
    """make_snippet given the stored folds (store.snippet_folds: fold(title) and fold(body) where
    they are stored, else `lowered`, folding nothing) says exactly what it says folding them
    itself, for text SQL's lower() derives and text it does not: lines joined, excerpts cut
    anywhere, combining marks and cased letters beside the newlines."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from conftest import make_digest
    from sz_digest.cache.text import fold
    from sz_digest.cache.store import _SNIPPET_FOLDS, Store, make_snippet, snippet_folds, stored_fold

    pieces = st.sampled_from(["社工", "站", "APEC", "Ａｂ", "ﬁ", "…", "，", "ß", "Σ", " ", "居民", "e\u0301", "Ⅻ",
                              "\u0301", "\n", " \n ", "\u3000", "İ", "\u212a", "ab" * 20, "社会工作服务" * 6, "\t"])
    text = st.lists(pieces, min_size=1, max_size=12).map("".join)
    store = Store.open(tmp_path / "s", seed_sample=False)
    serial = iter(range(1800000, 1900000))
    lowered = []

    @settings(max_examples=150, deadline=None)
    @given(text, st.lists(text, min_size=1, max_size=3), st.sampled_from(["社工", "ab", "fi", "...", "ss", "σ", "居",
                                                                       "a", "社会工作", "b社"]))
    def check(title, paragraphs, needle):
        digest_id = str(next(serial))
        store.save_digest(make_digest(digest_id, date(2026, 3, 2), [("futian", title, "\n\n".join(paragraphs))]),
                          b"", keep_file=False)
        title_, body, stored_title, stored = store._db.execute(
            f"SELECT i.title, i.body, {_SNIPPET_FOLDS} FROM items i WHERE i.digest_id = ?", (digest_id,)).fetchone()
        folds = snippet_folds(title_, stored_title, stored)
        if folds.get("lowered"):
            lowered.append(needle)
            assert stored_fold(f"{title_}\n{body}") == ""
        else:
            assert folds["folded_title"] == fold(title_)
            assert folds["folded_body"] == fold(body)
        assert make_snippet(title_, body, needle, **folds) == make_snippet(title_, body, needle)

    check()
    assert lowered  # both kinds were tried
    store.close()


def test_a_reader_holding_its_copy_asks_the_indexes_only_for_rare_words(archive):
    """With the copy of every item in memory, fetching candidates for a word most items hold costs
    more than counting it in every text: the query language's candidates say None (scan) for it."""
    total = archive._db.execute("SELECT count(*) FROM items").fetchone()[0]
    archive.search("社", since=date(2000, 1, 1))  # a filtered search builds the reader's copy
    assert archive._search_cache(build=False) is not None
    common, rare = "社会", "座谈"
    assert len(archive.index_candidates(common)) >= total / 3  # most items hold it
    assert archive.index_candidates(common, rare_only=True) is None
    assert archive.index_candidates(rare, rare_only=True) == archive.index_candidates(rare) != set()
