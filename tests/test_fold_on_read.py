"""The folded search text kept only where SQL cannot derive it (store.stored_fold), and the migration
that converts a store which kept a full folded copy of every item: search finds the same items before
and after, the trigram index follows writes, nothing is lost."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from conftest import make_digest
from sz_digest.cache import store as store_module
from sz_digest.cache.query import search as query_search
from sz_digest.cache.store import DB_NAME, SCHEMA_VERSION, Store, search_text_sql, search_title_sql, stored_fold
from sz_digest.cache.text import fold

ITEMS = [
    # (district, title, body): text NFKC leaves alone, ASCII capitals, full-width forms, a ligature
    ("futian", "福田召开社工机构座谈会", "座谈会,社工站。"),
    ("nanshan", "南山APEC社工交流", "APEC女企业家链动活动,社工参与。"),
    ("luohu", "罗湖区（社工）：ＡＢＣ１２３", "全角文字，ＡＰＥＣ与\u3000社工。"),
    ("yantian", "ﬁle 社工", "Straße 与 ĲSSEL 社工"),
]


@pytest.mark.parametrize("text", ["社工站", "APEC 社工", "", "\n", "（社工）", "ＡＢＣ", "Straße", "ﬁle", "É", "\u13a0"])
def test_stored_fold_is_empty_only_when_sql_lower_derives_the_fold(text):
    db = sqlite3.connect(":memory:")
    kept = stored_fold(text)
    derived = db.execute("SELECT lower(?)", (text,)).fetchone()[0] if kept == "" else kept
    assert derived == fold(text)
    if text in ("社工站", "APEC 社工"):
        assert kept == ""  # the common case keeps nothing


def make_full_fold_store(data_dir):
    """A store as the migrations before this one leave it: a full folded copy of every item."""
    data_dir.mkdir(parents=True)
    db = sqlite3.connect(data_dir / DB_NAME, isolation_level=None)
    db.execute("BEGIN")
    before = store_module.MIGRATIONS.index(store_module._migrate_fold_on_read)
    for migration in store_module.MIGRATIONS[:before]:
        migration(db)
    db.execute(f"PRAGMA user_version = {before}")
    for n, (district, title, body) in enumerate(ITEMS):
        digest = make_digest(f"160000{n}", date(2026, 2, 2 + 7 * n), [(district, title, body)])
        db.execute("INSERT INTO digests(id, url, title, week_start, week_end, published, sample, item_count, "
                   "districts, stored_at) VALUES (?, ?, ?, ?, ?, ?, 0, 1, ?, '2026-03-20T00:00:00+00:00')",
                   (digest.id, digest.url, digest.title, digest.week_start.isoformat(), digest.week_end.isoformat(),
                    digest.published.isoformat(), district))
        item = digest.items[0]
        db.execute("INSERT INTO items(digest_id, position, district, district_name, title, body, folded_title, "
                   "folded) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   (digest.id, 0, item.district, item.district_name, item.title, item.body,
                    fold(item.title), fold(f"{item.title}\n{item.body}")))
        db.execute("INSERT INTO kept_pages VALUES (?, ?, ?, 1)", (digest.id, digest.url, "0" * 64))
    db.execute("INSERT INTO stars VALUES ('1600001', 0, '2026-03-20T00:00:00+00:00')")
    db.execute("COMMIT")
    db.close()


QUERIES = ["社工", "工", "apec", "APEC", "ＡＰＥＣ", "abc123", "(社工)", "座谈会", "strasse", "file", "社工站", "ĳssel"]


def search_results(store):
    return {q: [(h.digest_id, h.position, h.snippet, h.spans) for h in store.search(q, limit=10)] for q in QUERIES}


def trigram_match(needle: str) -> str:
    """An FTS5 MATCH for rows holding every trigram of `needle`, in the trigram index the stores
    before the counted grams had (a superset of the rows holding it: detail=none)."""
    return " AND ".join('"' + gram.replace('"', '""') + '"' for gram in dict.fromkeys(needle[n:n + 3] for n in range(len(needle) - 2)))


def test_the_migration_keeps_every_search_result_and_drops_derivable_copies(tmp_path):
    data = tmp_path / "data"
    make_full_fold_store(data)
    # What the full copies found, read straight from the old columns (no code of this change involved).
    db = sqlite3.connect(data / DB_NAME)
    old_text = dict(db.execute("SELECT rowid, folded FROM items"))
    old_titles = dict(db.execute("SELECT rowid, folded_title FROM items"))
    old_fts = {q: sorted(r for (r,) in db.execute("SELECT rowid FROM items_fts WHERE items_fts MATCH ?",
                                                   (trigram_match(q),))) for q in ("社工站", "apec", "abc")}
    db.close()
    with Store.open(data, seed_sample=False) as store:
        assert store._db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert dict(store._db.execute(f"SELECT rowid, {search_text_sql()} FROM items")) == old_text
        assert dict(store._db.execute(f"SELECT rowid, {search_title_sql()} FROM items")) == old_titles
        kept = dict(store._db.execute("SELECT title, folded FROM items"))
        assert kept["福田召开社工机构座谈会"] == "" and kept["南山APEC社工交流"] == ""  # derived on read
        assert kept["罗湖区（社工）：ＡＢＣ１２３"] == fold("罗湖区（社工）：ＡＢＣ１２３\n全角文字，ＡＰＥＣ与\u3000社工。")
        for q, rowids in old_fts.items():  # the index that replaced the trigrams names them all
            assert store.index_candidates(q) >= set(rowids)
        found = search_results(store)
        assert [h[0] for h in found["apec"]] == ["1600001", "1600002"]  # a title hit first; ＡＰＥＣ folds to apec too
        assert found["abc123"][0][0] == "1600002" and found["strasse"][0][0] == "1600003"
        assert found["file"][0][0] == "1600003" and [h[0] for h in found["座谈会"]] == ["1600000"]
        assert store.starred_positions("1600001") == {0}
        assert [h.digest_id for h in query_search(store, "apec -南山")] == ["1600002"]
        # The rebuilt index follows writes through the new triggers: a changed item, a new one.
        digest = make_digest("1600001", date(2026, 2, 9), [("nanshan", "南山养老驿站", "长者饭堂。")])
        store.save_digest(digest, b"<html>changed</html>", keep_file=False)
        assert [h.digest_id for h in store.search("apec")] == ["1600002"]
        assert [h.digest_id for h in store.search("养老驿站")] == ["1600001"]
        store._db.execute("INSERT INTO items_grams(items_grams) VALUES ('integrity-check')")
        assert store.integrity_ok()
    # A store that never had the full copies gives the same hits as the migrated one.
    fresh = tmp_path / "fresh"
    with Store.open(fresh, seed_sample=False) as store:
        for n, (district, title, body) in enumerate(ITEMS):
            store.save_digest(make_digest(f"160000{n}", date(2026, 2, 2 + 7 * n), [(district, title, body)]),
                              f"<html>{n}</html>".encode(), keep_file=False)
        assert search_results(store) == found
        store.keep_search_index = False  # the CLI's SQL scan reads the derived text too
        assert search_results(store) == found


def test_a_new_store_keeps_no_folded_copy_of_plain_text(tmp_path):
    with Store.open(tmp_path / "data") as store:  # the bundled sample: APEC and plain Chinese
        kept = [row for row in store._db.execute("SELECT folded, folded_title FROM items")]
        assert kept and all(row == ("", "") for row in kept)
        assert store.search("apec") and store.search("社工")


def test_the_migration_runs_again_safely(tmp_path):
    """A development build may have numbered it differently: running it twice changes nothing."""
    with Store.open(tmp_path / "data") as store:
        before = search_results(store)
        with store._write() as db:
            store_module._migrate_fold_on_read(db)
        assert search_results(store) == before and store.search("apec")
        store._db.execute("INSERT INTO items_fts(items_fts) VALUES ('integrity-check')")
