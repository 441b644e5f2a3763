"""The reader's search cache: kept across read-state writes, dropped when stored items change (by
this connection or another), and the CLI's one-shot path (no cache) answers the same.

A word without filters is answered by the grams index and never copies every item; the copy serves
filtered searches (and queries the grams do not answer), so the tests of the copy filter (EVER)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from conftest import make_digest
from sz_digest.cache.store import Store

QUERIES = ("社工", "党", "ap", "社工站", "吉星花园小", "座谈会", "物业")
EVER = date(2000, 1, 1)  # a filter every week passes: the search goes through the reader's copy


@pytest.fixture
def full_scans(archive, monkeypatch):
    """How many times the store copied every item for the search cache (which the filtered searches
    below always use: the index is never asked, however rare the word)."""
    monkeypatch.setattr("sz_digest.cache.store.CANDIDATE_SHARE", 0)
    seen: list[str] = []

    def trace(sql: str) -> None:
        if "FROM items i JOIN digests d ON d.id = i.digest_id" in sql and "WHERE" not in sql:
            seen.append(sql)

    archive._db.set_trace_callback(trace)
    yield seen
    archive._db.set_trace_callback(None)


def test_read_state_stars_and_settings_keep_the_cache(archive, full_scans):
    archive.search("社工", since=EVER)
    assert len(full_scans) == 1
    week = archive.weeks()[0].id
    archive.set_read(week, True)
    archive.set_item_read(week, 0, True)
    archive.set_starred(week, 0, True)
    archive.set_setting("ui.week", week)
    assert [h.title for h in archive.search("社工", since=EVER)]
    assert archive.search("党", since=EVER)
    assert archive.search("党")  # the grams: no copy
    assert len(full_scans) == 1


def test_new_items_from_this_connection_are_found(archive, full_scans):
    assert archive.search("鹏", since=EVER) == [] == archive.search("鹏")
    archive.save_digest(make_digest("1600004", date(2026, 3, 16), [
        ("dapeng", "大鹏新区社工服务", "鹏城故事。"),
    ]), b"<html>week4</html>")
    assert [h.title for h in archive.search("鹏", since=EVER)] == ["大鹏新区社工服务"]
    assert [h.title for h in archive.search("鹏")] == ["大鹏新区社工服务"]
    assert len(full_scans) == 2


def test_new_items_from_another_connection_are_found(archive):
    assert archive.search("鹏") == []
    with Store.open(archive.data_dir, seed_sample=False) as other:
        other.set_read(other.weeks()[0].id, True)
        other.save_digest(make_digest("1600004", date(2026, 3, 16), [
            ("dapeng", "大鹏新区社工服务", "鹏城故事。"),
        ]), b"<html>week4</html>")
    assert [h.title for h in archive.search("鹏")] == ["大鹏新区社工服务"]


def test_a_replaced_page_replaces_its_hits(archive):
    assert archive.search("居民议事")
    archive.save_digest(make_digest("1600001", date(2026, 2, 23), [
        ("futian", "福田区召开会议", "会议交流了经验。"),
    ]), b"<html>week1, revised</html>")
    assert archive.search("居民") == [h for h in archive.search("居民") if h.digest_id != "1600001"]
    assert [h.title for h in archive.search("福田区召")] == ["福田区召开会议"]


def test_the_one_shot_path_ranks_like_the_cached_one(archive):
    cached = {q: archive.search(q, limit=10) for q in QUERIES}
    archive.keep_search_index = False
    for query, hits in cached.items():
        assert archive.search(query, limit=10) == hits, query
    filtered = archive.search("社工", districts=["nanshan"], since=date(2026, 3, 1))
    assert [h.title for h in filtered] == ["南山区社工站揭牌"]


def test_an_item_with_every_trigram_but_not_the_query_is_not_a_hit(archive):
    # The index keeps no positions: 社会工 and 会工作 both occur here, 社会工作 does not.
    archive.save_digest(make_digest("1600004", date(2026, 3, 16), [
        ("yantian", "盐田区社会工。", "会工作站开放。"),
        ("futian", "福田区社会工作会议", "会议召开。"),
    ]), b"<html>week4</html>")
    for keep in (True, False):
        archive.keep_search_index = keep
        titles = [h.title for h in archive.search("社会工作")]
        assert "福田区社会工作会议" in titles and "盐田区社会工。" not in titles


def test_the_cached_ranking_matches_the_one_shot_ranking_on_many_ties(tmp_path):
    """The reader ranks with packed integers (store._SearchCache.best); the CLI with tuples. Over an
    archive of few distinct characters (many equal counts, title hits, weeks), with filters, both
    give the same hits in the same order and the same totals."""
    import random

    rng = random.Random(15)
    alphabet = "社工站会议南山福田AbＣ，"
    codes = ["futian", "nanshan", "luohu", "city"]
    with Store.open(tmp_path / "many", seed_sample=False) as store:
        for week in range(40):
            items = [(rng.choice(codes), "".join(rng.choices(alphabet, k=rng.randint(2, 6))),
                      "".join(rng.choices(alphabet, k=rng.randint(5, 40)))) for _ in range(rng.randint(1, 6))]
            store.save_digest(make_digest(str(1500000 + week), date(2025, 1, 6) + timedelta(weeks=week), items),
                              f"<html>{week}</html>".encode(), keep_file=False)
        queries = ["社", "工站", "abc", "ab", "c", "，", "社工站", "会议南", "zz"]
        filters = [{}, {"districts": ["nanshan", "city"]}, {"since": date(2025, 3, 1), "until": date(2025, 6, 30)}]
        cached = {(q, n, limit): store.search_counted(q, limit=limit, **f)
                  for q in queries for n, f in enumerate(filters) for limit in (3, 100)}
        store.keep_search_index = False
        for (q, n, limit), found in cached.items():
            assert store.search_counted(q, limit=limit, **filters[n]) == found, (q, n, limit)
        assert cached[("社", 0, 100)][1] > 20  # the archive does exercise ties
        assert len(cached[("社", 0, 3)][0]) == 3


def test_a_rare_word_first_reads_only_its_rows_and_ranks_as_the_copy_does(tmp_path):
    """Before the reader has its copy of every item, a word the indexes say is rare reads only the
    rows they name; the first common word builds the copy, and the rare word then answers the same."""
    with Store.open(tmp_path / "many", seed_sample=False) as store:
        for week in range(30):
            store.save_digest(make_digest(str(1500000 + week), date(2025, 1, 6) + timedelta(weeks=week), [
                ("futian", f"福田社区活动{week}", "社区居民参加活动。"),
                ("nanshan", "南山社区" + ("吉星花园" if week % 10 == 0 else "服务"), "社区服务站开放。"),
            ]), f"<html>{week}</html>".encode(), keep_file=False)
        copies: list[str] = []
        store._db.set_trace_callback(
            lambda sql: copies.append(sql) if "FROM items i JOIN digests d ON d.id = i.digest_id" in sql
            and "WHERE" not in sql else None)
        rare = {q: store.search_counted(q, limit=2, since=EVER) for q in ("吉星花园", "吉星", "花园")}
        assert copies == [] and rare["吉星"][1] == 3
        common = store.search_counted("社区", limit=5, since=EVER)
        assert len(copies) == 1 and common[1] == 60
        assert {q: store.search_counted(q, limit=2, since=EVER) for q in rare} == rare
        assert {q: store.search_counted(q, limit=2) for q in rare} == rare  # the grams agree
        assert len(copies) == 1
        store._db.set_trace_callback(None)
