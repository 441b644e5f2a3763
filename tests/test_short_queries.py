"""Short queries answered from the indexes (the trigram and tail indexes of _migrate_short_queries, now
the counted grams of _migrate_counted_grams): the same hits and totals as counting in every item's
text, on every write path and after an upgrade."""

from __future__ import annotations

import random
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest

import sz_digest.cache.store as store_module
from conftest import drop_counted_grams, make_digest
from sz_digest.cache.importer import import_paths
from sz_digest.cache.parser import parse_digest
from sz_digest.cache.store import DB_NAME, SCHEMA_VERSION, Store
from sz_digest.cache.text import clean_line, fold

LAYOUTS = Path(__file__).parent / "fixtures" / "layouts"
ALPHABET = "社工站会议南山AbＣc，。 "
CODES = ["futian", "nanshan", "luohu", "city"]


def reference(store: Store, needle: str) -> dict[tuple[str, int], tuple]:
    """(digest id, position) -> ranking key of every item holding `needle`, by counting in Python."""
    needle = fold(clean_line(needle)).strip()  # as the store reads a query
    found = {}
    for digest_id, week_start, position, title, body in store._db.execute(
            "SELECT i.digest_id, d.week_start, i.position, i.title, i.body FROM items i "
            "JOIN digests d ON d.id = i.digest_id"):
        count = fold(f"{title}\n{body}").count(needle)
        if count:
            found[(digest_id, position)] = (needle in fold(title), count, week_start, -position)
    return found


def assert_like_reference(store: Store, needles) -> None:
    for needle in needles:
        expected = reference(store, needle)
        for keep in (True, False):
            store.keep_search_index = keep
            hits, total = store.search_counted(needle, limit=10**6)
            assert total == len(expected), (needle, keep)
            assert {(h.digest_id, h.position) for h in hits} == set(expected), (needle, keep)
            best, total = store.search_counted(needle, limit=3)
            assert [expected[(h.digest_id, h.position)] for h in best] == sorted(expected.values(), reverse=True)[:3]
    store.keep_search_index = True


@pytest.fixture
def always_indexed(monkeypatch):
    """The reader takes the index's candidates however many items hold the pair (not only when
    that is cheaper than counting), so both of its ways are exercised."""
    monkeypatch.setattr(store_module, "CANDIDATE_SHARE", 1.0)


def random_archive(path: Path, seed: int, weeks: int = 30) -> Store:
    rng = random.Random(seed)
    store = Store.open(path, seed_sample=False)
    for week in range(weeks):
        items = []
        for _ in range(rng.randint(1, 5)):
            body = "".join(rng.choices(ALPHABET, k=rng.randint(1, 30)))
            if rng.random() < 0.3:  # a text that ends with a pair: no trigram starts with it there
                body += rng.choice(["社工", "会议", "ab", "，。"])
            items.append((rng.choice(CODES), "".join(rng.choices(ALPHABET, k=rng.randint(1, 6))), body))
        store.save_digest(make_digest(str(1500000 + week), date(2025, 1, 6) + timedelta(weeks=week), items),
                          f"<html>{week}</html>".encode(), keep_file=False)
    return store


def pairs() -> list[str]:
    letters = sorted(set(fold(ALPHABET)) - {" "})
    return [a + b for a in letters for b in letters]


@pytest.mark.parametrize("seed", [1, 2])
def test_every_pair_finds_what_counting_finds(tmp_path, always_indexed, seed):
    with random_archive(tmp_path / "a", seed) as store:
        assert_like_reference(store, pairs())


def test_the_reader_counts_in_every_text_when_most_items_hold_the_pair(tmp_path):
    with random_archive(tmp_path / "a", 3) as store:
        assert_like_reference(store, ["社工", "，。", "zz"])


def test_a_pair_at_the_very_end_of_an_item_is_found(tmp_path, always_indexed):
    with Store.open(tmp_path / "a", seed_sample=False) as store:
        store.save_digest(make_digest("1600001", date(2026, 3, 2), [
            ("futian", "福田", "活动由社工"),  # 社工 only as the last two characters
            ("nanshan", "南山", "社"),  # a text too short for any trigram
        ]), b"<html>1</html>", keep_file=False)
        assert [h.title for h in store.search("社工")] == ["福田"]
        assert_like_reference(store, ["社工", "由社", "活动", "南山", "山社"])


def test_every_write_path_keeps_the_index(tmp_path, always_indexed):
    """Sync (save_digest), a changed page replacing its items, import of saved pages, reparse."""
    data = tmp_path / "data"
    with Store.open(data, seed_sample=True) as store:  # the sample: a real page
        needles = ["社工", "党建", "服务", "社区", "ap", "工站"]
        assert_like_reference(store, needles)
        store.save_digest(make_digest("1600001", date(2026, 3, 2), [
            ("futian", "福田社工站", "新的社工站开放，由社工"),
        ]), b"<html>1</html>")
        assert_like_reference(store, needles)
        store.save_digest(make_digest("1600001", date(2026, 3, 2), [
            ("futian", "福田党建", "党建活动。"),
        ]), b"<html>1, changed</html>")
        assert_like_reference(store, needles)
        page = tmp_path / "saved.html"
        url = "http://szshequ.org.cn/szshgzb/gzyw/content/post_1700401.html"
        page.write_bytes((LAYOUTS / "bracketed.html").read_bytes().replace(
            b"<head>", f'<head><link rel="canonical" href="{url}">'.encode(), 1))
        assert [result.digest_id for result in import_paths(store, [page]) if result.changed] == ["1700401"]
        assert_like_reference(store, needles)
        done, failed = store.reparse(parse_digest)
        assert done == 2 and [url for url, _ in failed] == [make_digest("1600001", date(2026, 3, 2), []).url]  # a made-up page
        assert_like_reference(store, needles)


def test_a_store_from_before_gets_the_index(tmp_path, always_indexed):
    """A store at the schema before _migrate_short_queries: opening it runs that migration and the
    ones after it (the grams replace its indexes) and answers as before."""
    data = tmp_path / "old"
    with random_archive(data, 4) as store:
        expected = {needle: reference(store, needle) for needle in pairs()}
    db = sqlite3.connect(data / DB_NAME)
    drop_counted_grams(db)
    store_module._migrate_fold_on_read(db)  # the trigram index, as that schema had it
    db.execute(f"PRAGMA user_version = {store_module.MIGRATIONS.index(store_module._migrate_short_queries)}")
    db.commit()
    db.close()
    with Store.open(data, seed_sample=False) as store:
        assert store._db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert store._db.execute("SELECT count(*) FROM sqlite_master WHERE name IN "
                                 "('items_fts', 'items_fts_terms', 'items_search_tail')").fetchone()[0] == 0
        assert {needle: reference(store, needle) for needle in pairs()} == expected
        assert_like_reference(store, pairs())


def test_two_characters_do_not_read_every_item(tmp_path, always_indexed):
    """The one-shot (CLI) search of a pair reads the grams' vocabulary and the items it names, not
    every item; with a filter, the items the index names."""
    with random_archive(tmp_path / "a", 5, weeks=60) as store:
        store.keep_search_index = False
        store.index_grams()
        statements: list[str] = []
        store._db.set_trace_callback(statements.append)
        store.search_counted("ab", limit=5)
        assert any("items_grams_terms" in s for s in statements)
        store.search_counted("ab", limit=5, districts=["nanshan"])
        store._db.set_trace_callback(None)
        assert any("FROM items_grams WHERE items_grams MATCH" in s for s in statements)  # the candidates
        scans = [s for s in statements if "CAST(" in s]
        assert scans and all("json_each" in s and "instr(CASE i.folded WHEN" not in s for s in scans)  # only the candidates


def test_a_sync_keeps_the_index(tmp_path, always_indexed):
    """A real sync (batched writes, Store.save_digests) from the loopback column."""
    import asyncio

    from sz_digest.cache.fetch import FetchOptions
    from sz_digest.cache.sync import sync

    try:
        from tests.loopback import LoopbackServer, make_column
    except ImportError:
        from loopback import LoopbackServer, make_column

    fast = FetchOptions(connect_timeout=1.0, read_timeout=0.5, total_timeout=2.0, backoff_base=0.02,
                        backoff_max=0.05, retry_after_max=0.2)
    with LoopbackServer(make_column(digests=12, non_digests=2, per_page=10)) as server, \
            Store.open(tmp_path / "data", seed_sample=True) as store:
        asyncio.run(sync(store, source=server.source, options=fast))
        assert len(store.known_ids()) >= 12
        needles = ["社工", "社区", "服务", "党建", "工作", "居民"]
        assert sum(len(reference(store, needle)) for needle in needles) > 12  # the synced pages do hold them
        assert_like_reference(store, needles)
