"""The query language (docs/query.md): parsing, errors that point at the token, and evaluation."""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sz_digest.cache.districts import BY_CODE
from sz_digest.cache.errors import UsageError
from sz_digest.cache.query import QueryError, Term, parse, search, search_counted
from sz_digest.tui.cli import main


def titles(hits):
    return sorted(h.title for h in hits)


# -- parsing --------------------------------------------------------------------------------------

def test_words_phrases_exclusions_and_or_bind_as_documented():
    query = parse('养老 OR 助老 "社工 站" -党建')
    assert query.clauses == (
        (Term("text", "养老"), Term("text", "助老")),
        (Term("text", "社工 站"),),
        (Term("text", "党建", negated=True),),
    )


def test_fields_read_every_date_precision():
    query = parse("since:2025 until:2025-02 week:2026-03-09 is:starred -is:unread")
    assert query.clauses == (
        (Term("since", date(2025, 1, 1)),),
        (Term("until", date(2025, 2, 28)),),
        (Term("week", date(2026, 3, 9)),),
        (Term("is", "starred"),),
        (Term("is", "unread", negated=True),),
    )
    assert parse("until:2024").clauses[0][0].value == date(2024, 12, 31)
    assert parse("since:2025-06-30").clauses[0][0].value == date(2025, 6, 30)


@pytest.mark.parametrize("label", BY_CODE["nanshan"].labels + ("NANSHAN", "南山区", '"南山"'))
def test_district_takes_every_alias(label):
    assert parse(f"district:{label}").clauses == ((Term("district", frozenset({"nanshan"})),),)


def test_district_aliases_of_other_districts_and_lists():
    assert parse("district:Bao'an").clauses[0][0].value == frozenset({"baoan"})
    assert parse("district:全市,大鹏区").clauses[0][0].value == frozenset({"city", "dapeng"})


@pytest.mark.parametrize(("query", "token", "reason"), [
    ("社工 distrct:南山", "distrct:南山", "unknown field"),
    ("district:火星 社工", "district:火星", "unknown district"),
    ("社工 since:2025-13", "since:2025-13", "no such date"),
    ("since:March", "since:March", "use a year"),
    ("is:read", "is:read", "is: takes"),
    ("OR 社工", "OR", "OR needs a term"),
    ("社工 OR", "OR", "OR needs a term"),
    ("社工 OR OR 养老", "OR", "OR needs a term"),
    ('社工 "open', '"open', "never closed"),
    ("社工 - 养老", "-", "'-' must stand"),
    ("week:2026-03", "week:2026-03", "week: takes a day"),
    ("district:", "district:", "needs a value"),
])
def test_errors_name_the_bad_token_and_where_it_starts(query, token, reason):
    with pytest.raises(QueryError) as caught:
        parse(query)
    error = caught.value
    assert isinstance(error, UsageError)  # so the CLI exits 2
    assert query[error.start:error.end] == token
    assert f"{token!r}" in str(error) and f"character {error.start + 1}" in str(error)
    assert reason in str(error)
    assert "\n" not in str(error)


def test_empty_and_invisible_queries_are_errors():
    for query in ("", "   ", "\x1b[31m", "\u200b"):
        with pytest.raises(QueryError, match="empty"):
            parse(query)


_pieces = st.sampled_from(["社工", "OR", "-", '"', "“", "”", ":", "：", "district:", "since:", "until:", "week:",
                           "is:", "南山", "2025", "-13", "-02-30", ",", " ", "is:starred", "\x1b", "\u200b"])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.text(max_size=40), st.lists(st.one_of(_pieces, st.text(max_size=4)), max_size=12).map("".join)))
def test_no_input_raises_anything_but_query_error(archive, text):
    try:
        query = parse(text)
    except QueryError as exc:
        assert 0 <= exc.start <= len(text) and "\n" not in str(exc)
        return
    search(archive, query, limit=5)  # evaluation never raises either


# -- evaluation -----------------------------------------------------------------------------------

def test_short_chinese_terms_still_match_substrings(archive):
    assert titles(search(archive, "社工")) == ["南山区社工站揭牌", "福田召开社工机构座谈会"]
    assert titles(search(archive, "党")) == ["南山开展党建引领小区治理", "省委社会工作部赴吉星花园小区现场考察调研"]
    assert titles(search(archive, "鹏")) == []


def test_words_are_anded_phrases_kept_together_and_minus_excludes(archive):
    assert titles(search(archive, "党建 物业")) == ["南山开展党建引领小区治理", "省委社会工作部赴吉星花园小区现场考察调研"]
    assert titles(search(archive, "党建 -吉星")) == ["南山开展党建引领小区治理"]
    assert titles(search(archive, '"社工站"')) == ["南山区社工站揭牌"]
    assert titles(search(archive, "社工 站")) == ["南山区社工站揭牌"]


def test_or_between_terms(archive):
    assert titles(search(archive, "APEC OR 吉星花园")) == ["省委社会工作部赴吉星花园小区现场考察调研", "罗湖区社区服务APEC专题"]
    assert titles(search(archive, "apec OR 座谈 -福田")) == ["罗湖区社区服务APEC专题"]


def test_fields_filter_and_combine_with_the_cli_flags(archive):
    assert titles(search(archive, "社工 district:南山")) == ["南山区社工站揭牌"]
    assert titles(search(archive, "社工", districts=["nanshan"])) == ["南山区社工站揭牌"]
    assert titles(search(archive, "社工 since:2026-03")) == ["南山区社工站揭牌"]
    assert titles(search(archive, "社工 until:2026-02")) == ["福田召开社工机构座谈会"]
    assert titles(search(archive, "week:2026-03-04")) == ["全市社会工作会议召开", "南山区社工站揭牌", "罗湖区社区服务APEC专题"]
    assert titles(search(archive, "week:2026-03-08")) == titles(search(archive, "week:2026-03-02"))
    assert search(archive, "district:南山 district:福田") == []
    assert titles(search(archive, "district:南山 OR district:福田", since=date(2026, 3, 1))) == ["南山区社工站揭牌"]


def test_field_only_queries_list_newest_first_in_page_order(archive):
    hits = search(archive, "since:2026-03")
    assert [(h.digest_id, h.position) for h in hits] == [("1600003", 0), ("1600002", 0), ("1600002", 1), ("1600002", 2)]
    assert all(h.snippet and h.spans == () for h in hits)


def test_is_starred_and_is_unread_follow_the_reader_state(archive):
    archive.set_starred("1600002", 1)
    assert titles(search(archive, "is:starred")) == ["南山区社工站揭牌"]
    assert titles(search(archive, "社工 -is:starred")) == ["福田召开社工机构座谈会"]
    archive.set_read("1600001")
    archive.set_item_read("1600002", 0)
    assert titles(search(archive, "is:unread")) == ["全市社会工作会议召开", "南山区社工站揭牌", "省委社会工作部赴吉星花园小区现场考察调研"]


def test_ranking_and_highlights_cover_every_word(archive):
    hits = search(archive, "社工 站")
    assert hits[0].title == "南山区社工站揭牌"
    marked = {hits[0].snippet[a:b] for a, b in hits[0].spans}
    assert marked == {"社工", "站"}


def test_words_use_the_grams_index(archive):
    search(archive, "社")  # brings the index up to date
    archive._db.execute("INSERT INTO items_grams(items_grams) VALUES ('delete-all')")
    assert search(archive, "社工站") == []  # the index decided
    assert search(archive, "社工") == []
    assert search(archive, "社") == []
    assert search(archive, "社工 南山") == [] and search(archive, "社工 OR 党建") == []
    assert titles(search(archive, "，")) != []  # no word character: a scan


def test_cli_search_speaks_the_query_language_and_exits_2_on_a_bad_query(capsys, archive):
    code = main(["--data-dir", str(archive.data_dir), "search", "社工 -福田 district:nanshan", "--json"])
    out, _ = capsys.readouterr()
    assert code == 0 and [hit["title"] for hit in json.loads(out)] == ["南山区社工站揭牌"]
    code = main(["--data-dir", str(archive.data_dir), "search", "社工 since:2025-13"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "'since:2025-13' (character 4)" in err


QUERY_MIX = ["社工 南山", "社工 OR 党建", "社工 -福田", "社工 district:nanshan", "会议 since:2026-03-01", "党 社区",
             '"社工站" OR 物业', "社会工作 OR 社工 -部", "ap 会议", "is:unread 社工", "社工 OR 党 南山", "zz 社工"]


def test_one_query_reads_only_what_the_indexes_name_and_finds_the_same(archive):
    """The CLI's one-shot path (no cached copy of every item) gives what the reader's gives, and a
    query with a word of two characters or more reads only the items the indexes name."""
    archive.set_read(archive.weeks()[0].id, True)
    cached = {q: search_counted(archive, q, limit=100) for q in QUERY_MIX}
    archive.keep_search_index = False
    archive._search_rows = None  # forget the reader's copy
    copies: list[str] = []
    archive._db.set_trace_callback(
        lambda sql: copies.append(sql) if "FROM items i JOIN digests d ON d.id = i.digest_id" in sql
        and "WHERE" not in sql else None)
    for query, found in cached.items():
        assert search_counted(archive, query, limit=100) == found, query
    archive._db.set_trace_callback(None)
    assert copies == []


def test_a_watch_of_rare_words_is_counted_without_the_readers_copy(archive):
    """Before the reader has its copy of every item, a query whose words the indexes say are rare
    reads only their rows (a watch's unread badge at start-up), and counts what the copy would."""
    from sz_digest.cache.query import matching_rows

    archive.index_grams()  # as after a search: matching_rows itself indexes nothing
    copies: list[str] = []
    archive._db.set_trace_callback(
        lambda sql: copies.append(sql) if "FROM items i JOIN digests d ON d.id = i.digest_id" in sql
        and "WHERE" not in sql else None)
    query = parse("吉星花园 is:unread")
    first = sorted(matching_rows(archive, query))
    assert copies == [] and len(first) == 1
    archive._search_cache()  # the reader's copy (a filtered search of a common word builds it)
    assert sorted(matching_rows(archive, query)) == first and len(copies) == 1
    archive._db.set_trace_callback(None)
