"""The counted word grams (cache/grams.py, store._migrate_counted_grams): the tokens say what counting
in the text says, and the index stays exactly what indexing every item afresh would give through
every write (new, changed and re-parsed pages, a week moved to another year, a rowid used again, an
item deleted with its week), a read-only store and an upgrade from the trigram schema."""

from __future__ import annotations

import random
import re
import sqlite3
from datetime import date, timedelta

import pytest

import sz_digest.cache.store as store_module
from conftest import drop_counted_grams, make_digest
from sz_digest.cache.grams import BODY, TITLE, YEAR, answers, item_tokens
from sz_digest.cache.store import DB_NAME, SCHEMA_VERSION, Store, search_text_sql, search_title_sql
from sz_digest.cache.text import fold

ALPHABET = "社工站会议南山aAbＣ1_，。 ааé"
CODES = ["futian", "nanshan", "luohu", "city"]


def text(rng: random.Random, low: int, high: int) -> str:
    return "".join(rng.choices(ALPHABET, k=rng.randint(low, high)))


def test_tokens_say_what_counting_in_the_text_says():
    rng = random.Random(3)
    for _ in range(300):
        title = fold(text(rng, 1, 8))
        folded = fold(title + "\n" + text(rng, 0, 40))
        tokens = item_tokens(title, folded, "2025").split(" ")
        grams = {m for n in range(1, 5) for at in range(len(folded)) for m in [folded[at:at + n]]
                 if len(m) == n and re.fullmatch(r"\w+", m)}
        parsed = {}
        for token in tokens:
            gram, rest = re.split(f"[{BODY}{TITLE}]", token)[0], token[len(token.split(YEAR)[0]):]
            assert rest == YEAR + "2025"
            flag = token[len(gram)]
            parsed[gram] = (flag == TITLE, int(token[len(gram) + 1:].split(YEAR)[0]))
        assert parsed == {g: (g in title, folded.count(g)) for g in grams}, folded


def vocabulary(db: sqlite3.Connection) -> list[tuple[str, int]]:
    return sorted(db.execute("SELECT term, doc FROM items_grams_terms"))


def fresh_vocabulary(store: Store) -> list[tuple[str, int]]:
    """The vocabulary of an index made afresh from every stored item."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE items_grams USING fts5(grams, content='', tokenize=\"ascii tokenchars _\", "
               "detail=none, columnsize=0)")
    db.execute("CREATE VIRTUAL TABLE items_grams_terms USING fts5vocab(items_grams, 'row')")
    rows = store._db.execute(f"""SELECT i.rowid, {search_title_sql('i.')}, {search_text_sql('i.')}, d.week_start
                                 FROM items i JOIN digests d ON d.id = i.digest_id""").fetchall()
    db.executemany("INSERT INTO items_grams(rowid, grams) VALUES (?, ?)",
                   [(rowid, item_tokens(title, folded, week[:4])) for rowid, title, folded, week in rows])
    return vocabulary(db)


def reference(store: Store, needle: str) -> tuple[list[tuple[str, int]], int]:
    """The best ten (digest id, position) for `needle` and the total, counting in Python."""
    keys = []
    for n, (digest_id, week_start, position, title, body) in enumerate(store._db.execute(
            "SELECT i.digest_id, d.week_start, i.position, i.title, i.body FROM items i "
            "JOIN digests d ON d.id = i.digest_id ORDER BY i.rowid")):
        count = fold(f"{title}\n{body}").count(needle)
        if count:
            keys.append(((needle in fold(title), count, week_start, -position, -n), (digest_id, position)))
    keys.sort(reverse=True)
    return [key[1] for key in keys[:10]], len(keys)


NEEDLES = ["社", "社工", "会议南", "aab", "_", "1", "ab", "社工站会", "南山", "é", "аа"]


def assert_exact(store: Store) -> None:
    assert store.index_grams() and not store.grams_pending()
    assert vocabulary(store._db) == fresh_vocabulary(store)
    for needle in NEEDLES:
        assert answers(needle)
        hits, total = store.search_counted(needle, limit=10)
        assert ([(h.digest_id, h.position) for h in hits], total) == reference(store, needle), needle


def week(rng: random.Random, n: int, start: date = date(2024, 12, 2)):
    items = [(rng.choice(CODES), text(rng, 2, 6), text(rng, 5, 30)) for _ in range(rng.randint(1, 5))]
    return make_digest(str(1500000 + n), start + timedelta(weeks=n), items)


def filled(data, seed: int, weeks: int) -> tuple[Store, random.Random]:
    """A store of `weeks` random weeks (`week`), nothing indexed yet, and the generator for more."""
    rng = random.Random(seed)
    store = Store.open(data, seed_sample=False)
    for n in range(weeks):
        store.save_digest(week(rng, n), f"<html>{n}</html>".encode(), keep_file=False)
    return store, rng


def test_every_write_keeps_the_index_exact(tmp_path):
    store, rng = filled(tmp_path / "s", 7, 12)
    with store:
        assert store.grams_pending()  # the sync writes items; the index follows on the next search
        assert_exact(store)
        # A changed page: its old items leave the index, the new ones enter it.
        store.save_digest(week(rng, 3), b"<html>3, changed</html>", keep_file=False)
        assert_exact(store)
        # The newest week replaced: its rowids are used again by the new items.
        last = store._db.execute("SELECT max(rowid) FROM items").fetchone()[0]
        store.save_digest(week(rng, 11), b"<html>11, changed</html>", keep_file=False)
        assert store._db.execute("SELECT max(rowid) FROM items").fetchone()[0] >= last - 5
        assert_exact(store)
        # A re-parse (same bytes, items rewritten), and a week that moves to another year with
        # its items unchanged (the year is in the tokens).
        digest = store.digest("1500004")
        store.save_digest(digest, b"<html>4</html>", keep_file=False, rewrite=True)
        assert_exact(store)
        moved = digest._replace(week_start=date(2019, 5, 6), week_end=date(2019, 5, 10))
        store.save_digest(moved, b"<html>4</html>", keep_file=False)
        assert store.grams_pending()
        assert_exact(store)
        # Writes that happen while items are still pending, and an item changed twice before the
        # index catches up.
        store.save_digest(week(rng, 20), b"<html>20</html>", keep_file=False)
        store.save_digest(week(rng, 20), b"<html>20 b</html>", keep_file=False)
        store.save_digest(week(rng, 5), b"<html>5 b</html>", keep_file=False)
        store.save_digest(week(rng, 5), b"<html>5 c</html>", keep_file=False)
        assert_exact(store)
        # A week deleted with its items (sz-digest never does; another tool might): the old
        # tokens cannot be made again, so the index starts over.
        store._db.execute("DELETE FROM digests WHERE id = '1500002'")
        assert_exact(store)


def test_a_word_search_never_copies_every_item(tmp_path):
    store, rng = filled(tmp_path / "s", 8, 6)
    with store:
        for needle in NEEDLES:
            store.search_counted(needle, limit=100)
        assert store._search_rows is None


def test_a_one_character_word_with_an_exclusion_reads_its_candidates_not_every_item(tmp_path):
    """The query language asks the grams for a one-character word too (the CLI's `search 鹏 -福田`
    must not copy every item, 61 MiB at 5,200 weeks)."""
    from sz_digest.cache.query import search

    store, rng = filled(tmp_path / "s", 9, 6)
    with store:
        store.keep_search_index = False
        word = next(ch for ch in "社工会议站区" if store.index_candidates(ch))
        hits = search(store, f"{word} -zzzz", limit=100)
        assert store._search_rows is None
        store.keep_search_index = True  # the reader's path, over its copy of every item
        assert hits and hits == search(store, f"{word} -zzzz", limit=100)


def test_a_read_only_store_searches_without_the_index(tmp_path):
    data = tmp_path / "s"
    store, rng = filled(data, 9, 6)
    with store:
        expected = {needle: store.search_counted(needle, limit=10) for needle in NEEDLES}
        store.save_digest(week(rng, 7), b"<html>7</html>", keep_file=False)  # pending again
        expected_after = {needle: store.search_counted(needle, limit=10) for needle in NEEDLES}
        store.save_digest(week(rng, 7), b"<html>7 b</html>", keep_file=False)
        stale = {needle: reference(store, needle) for needle in NEEDLES}
    assert expected != expected_after
    db = sqlite3.connect(f"{(data / DB_NAME).absolute().as_uri()}?immutable=1", uri=True, isolation_level=None,
                         check_same_thread=False)
    store = Store(data, db, read_only=True)
    assert store.grams_pending() and not store.index_grams()
    for needle in NEEDLES:
        for keep in (True, False):
            store.keep_search_index = keep
            hits, total = store.search_counted(needle, limit=10)
            assert ([(h.digest_id, h.position) for h in hits], total) == stale[needle], needle
    db.close()


def test_a_store_with_the_trigram_index_is_upgraded(tmp_path):
    data = tmp_path / "s"
    store, rng = filled(data, 10, 8)
    with store:
        expected = {needle: reference(store, needle) for needle in NEEDLES}
        items = store._db.execute("SELECT count(*) FROM items").fetchone()[0]
    db = sqlite3.connect(data / DB_NAME)
    drop_counted_grams(db)
    store_module._migrate_fold_on_read(db)
    store_module._migrate_short_queries(db)
    db.execute(f"PRAGMA user_version = {store_module.MIGRATIONS.index(store_module._migrate_counted_grams)}")
    db.commit()
    db.close()
    with Store.open(data, seed_sample=False) as store:
        assert store._db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        names = {row[0] for row in store._db.execute("SELECT name FROM sqlite_master")}
        assert not names & {"items_fts", "items_fts_terms", "items_search_tail", "items_search", "items_ai"}
        assert store._db.execute("SELECT count(*) FROM items_grams_pending").fetchone()[0] == items
        assert_exact(store)
        assert {needle: reference(store, needle) for needle in NEEDLES} == expected
        with store._write() as db:  # runs again safely
            store_module._migrate_counted_grams(db)
        assert_exact(store)


@pytest.mark.parametrize("keep", [True, False])
def test_filters_and_long_words_take_their_candidates_from_the_grams(tmp_path, keep):
    store, rng = filled(tmp_path / "s", 11, 10)
    with store:
        store.keep_search_index = keep
        for needle in ("社工站会议", "社 工", "ab，", "会议"):
            candidates = store.index_candidates(needle)
            holding = {r for (r, t) in store._db.execute(f"SELECT rowid, {search_text_sql()} FROM items")
                       if fold(needle) in t}
            assert candidates is not None and candidates >= holding
            for flags in ({"districts": ["nanshan"]}, {"since": date(2025, 1, 20)}):
                hits, total = store.search_counted(needle, limit=100, **flags)
                store.keep_search_index = not keep
                assert store.search_counted(needle, limit=100, **flags) == (hits, total)
                store.keep_search_index = keep
        assert store.index_candidates("，。") is None  # no word character: the caller scans


def test_indexing_inside_a_write_transaction_gives_way(tmp_path):
    """A search run inside this thread's own write transaction (a watch counted while writing)
    finds the index busy and searches without it, rather than wait for itself."""
    store, rng = filled(tmp_path / "s", 12, 4)
    with store:
        expected = {needle: reference(store, needle) for needle in NEEDLES}
        with store._write():
            assert store.grams_pending() and not store.index_grams()
            for needle in NEEDLES:
                hits, total = store.search_counted(needle, limit=10)
                assert ([(h.digest_id, h.position) for h in hits], total) == expected[needle]
        assert_exact(store)


def test_a_new_store_gives_back_the_pages_indexing_frees(tmp_path):
    """The index's merged segments and the pending rows leave free pages: a store created by this
    version (auto_vacuum incremental) gives them back after indexing; an older file keeps working."""
    store, rng = filled(tmp_path / "s", 13, 30)
    with store:
        assert store._db.execute("PRAGMA auto_vacuum").fetchone()[0] == 2
        store.index_grams()
        assert store._db.execute("PRAGMA freelist_count").fetchone()[0] == 0
        assert_exact(store)
    old = tmp_path / "old"
    old.mkdir()
    sqlite3.connect(old / DB_NAME).execute("CREATE TABLE made_before(x)").connection.close()
    with Store.open(old, seed_sample=False) as store:
        assert store._db.execute("PRAGMA auto_vacuum").fetchone()[0] == 0
        for n in range(5):
            store.save_digest(week(rng, n), f"<html>{n}</html>".encode(), keep_file=False)
        assert_exact(store)


def test_two_indexers_at_once_index_each_item_once(tmp_path, monkeypatch):
    """Each batch reads what is pending inside its own write transaction: threads (the search
    screen's indexer and a search) indexing at the same time leave the index exact."""
    import threading

    monkeypatch.setattr(Store, "_GRAMS_BATCH", 7)  # many batches, so that they interleave
    store, rng = filled(tmp_path / "s", 14, 20)
    with store:
        results: list[bool] = []
        threads = [threading.Thread(target=lambda: results.append(store.index_grams())) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert results == [True] * 3
        assert_exact(store)


def test_closing_the_store_stops_indexing_after_its_batch(tmp_path, monkeypatch):
    """Quitting the reader while its search screen indexes (seconds after a first sync) must not
    wait for the whole index: close() waits for the batch under way, and the indexer stops."""
    import threading
    import time

    monkeypatch.setattr(Store, "_GRAMS_BATCH", 2)
    real = store_module._index_grams_batch
    batches: list[int] = []

    def slow(db, limit):
        batches.append(limit)
        time.sleep(0.05)
        return real(db, limit)

    monkeypatch.setattr(store_module, "_index_grams_batch", slow)
    store, rng = filled(tmp_path / "s", 15, 20)
    done: list[object] = []

    def index() -> None:
        try:
            done.append(store.index_grams())
        except sqlite3.Error as exc:  # closed under it between the check and the next batch
            done.append(exc)

    thread = threading.Thread(target=index)
    thread.start()
    while not batches:
        time.sleep(0.01)
    store.close()
    thread.join(2)
    assert not thread.is_alive() and done and done[0] is not True
    assert len(batches) < 10  # far from the ~40 batches the whole index takes
    with Store.open(tmp_path / "s", seed_sample=False) as again:  # the rest waits for the next search
        assert again.grams_pending()
        assert_exact(again)
