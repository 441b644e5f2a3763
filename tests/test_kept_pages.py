"""Raw pages kept once, compressed, outside the database: the file format, the migration that moves
them out of an older store without losing anything, and rebuilding a damaged database from them."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from conftest import make_digest
from sz_digest.cache import store as store_module
from sz_digest.cache.errors import StoreError
from sz_digest.cache.pages import PageFileError, decode, encode, kept_pages, read_page
from sz_digest.cache.parser import parse_digest, sample_page
from sz_digest.cache.store import DB_NAME, MIGRATIONS, SCHEMA_VERSION, Store, _migrate_page_dictionary
from sz_digest.cache.text import fold

URL = "http://szshequ.org.cn/szshgzb/gzyw/content/post_{}.html"


def test_a_page_round_trips_and_shrinks():
    raw, url = sample_page()
    data = encode(url, raw)
    assert decode(data) == (url, raw)
    assert len(data) < len(raw) / 2  # compression pays on a real page
    assert decode(encode(url, b"")) == (url, b"")


@pytest.mark.parametrize("damage", [b"", b"<html>not ours</html>", b"sz-digest page 1\nhttp://x", None])
def test_a_damaged_page_file_is_an_error_not_garbage(damage):
    data = damage if damage is not None else encode("http://x/post_1.html", b"<html>x</html>")[:-4]
    with pytest.raises(PageFileError):
        decode(data)


def test_a_url_with_a_line_break_is_refused():
    with pytest.raises(ValueError):
        encode("http://x/\npost_1.html", b"x")


# -- the migration ---------------------------------------------------------------------------------

def make_v2_store(data_dir):
    """A store as schema 2 left it: raw pages in the database and as pages/<id>.html + .url."""
    data_dir.mkdir(parents=True)
    db = sqlite3.connect(data_dir / DB_NAME, isolation_level=None)
    db.execute("BEGIN")
    for migration in store_module.MIGRATIONS[:2]:
        migration(db)
    db.execute("PRAGMA user_version = 2")
    sample_raw, sample_url = sample_page()
    sample = parse_digest(sample_raw, sample_url)
    weeks = [
        (make_digest("1600001", date(2026, 2, 23), [("futian", "福田召开社工机构座谈会", "座谈会。")]), b"<html>one</html>", False),
        (make_digest("1600002", date(2026, 3, 2), [("nanshan", "南山区社工站揭牌", "新的社工站。")]), b"<html>two</html>", False),
        (sample, sample_raw, True),
    ]
    for digest, raw, is_sample in weeks:
        db.execute("INSERT INTO digests(id, url, title, week_start, week_end, published, sample, item_count, "
                   "districts, stored_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '2026-03-20T00:00:00+00:00')",
                   (digest.id, digest.url, digest.title, digest.week_start.isoformat(), digest.week_end.isoformat(),
                    digest.published.isoformat(), int(is_sample), len(digest.items),
                    " ".join(sorted({i.district for i in digest.items}))))
        for item in digest.items:
            db.execute("INSERT INTO items(digest_id, position, district, district_name, title, body, folded_title, "
                       "folded) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       (digest.id, item.position, item.district, item.district_name, item.title, item.body,
                        fold(item.title), fold(f"{item.title}\n{item.body}")))
        db.execute("INSERT INTO raw_pages(digest_id, url, raw) VALUES (?, ?, ?)", (digest.id, digest.url, raw))
        if not is_sample:
            pages = data_dir / "pages"
            pages.mkdir(exist_ok=True)
            (pages / f"{digest.id}.html").write_bytes(raw)
            (pages / f"{digest.id}.url").write_text(digest.url, "utf-8")
    db.execute("INSERT INTO item_read VALUES ('1600001', 0)")
    db.execute("UPDATE digests SET read = 1 WHERE id = '1600002'")
    db.execute("INSERT INTO stars VALUES ('1600002', 0, '2026-03-20T00:00:00+00:00')")
    db.execute("INSERT INTO fetch_meta VALUES (?, '\"e1\"', NULL, '2026-03-20T00:00:00+00:00')", (URL.format(1600001),))
    db.execute("COMMIT")
    db.close()
    return {digest.id: raw for digest, raw, _ in weeks}


def test_the_migration_moves_raw_pages_out_of_the_database_and_loses_nothing(tmp_path):
    data = tmp_path / "data"
    raws = make_v2_store(data)
    with Store.open(data, seed_sample=False) as store:
        db = store._db
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("SELECT count(*) FROM sqlite_schema WHERE name = 'raw_pages'").fetchone()[0] == 0
        pages = data / "pages"
        # Every fetched page is one compressed file with its URL; the legacy pairs are gone.
        assert sorted(p.name for p in pages.iterdir()) == ["1600001.page", "1600002.page"]
        assert read_page(pages, "1600001") == (URL.format(1600001), raws["1600001"])
        assert read_page(pages, "1600002") == (URL.format(1600002), raws["1600002"])
        # Items, read state, stars and validators are as they were.
        assert store.known_ids() == set(raws)
        assert [i.title for i in store.items_for("1600001")] == ["福田召开社工机构座谈会"]
        assert store.read_positions("1600001") == {0}
        assert store.week("1600002").read and store.starred_positions("1600002") == {0}
        assert store.fetch_meta(URL.format(1600001)).etag == '"e1"'
        assert store.search("社工站")[0].digest_id == "1600002"
        # An unchanged page is still recognised as unchanged; a changed one replaces the items.
        one = store.digest("1600001")
        assert store.save_digest(one, raws["1600001"]) is False
        assert store.save_digest(one, b"<html>one, revised</html>") is True
        # The search index still follows writes of items (the grams' triggers).
        assert [h.digest_id for h in store.search("机构座谈会")] == ["1600001"]
        db.execute("INSERT INTO items_grams(items_grams) VALUES ('integrity-check')")
        # Reparse still reads every page, the sample from the package.
        seen = []

        def parse(raw, url):
            seen.append(raw)
            return store.digest(store.resolve_week(url))

        done, failed = store.reparse(parse)
        assert (done, failed) == (3, [])
        assert sorted(seen) == sorted([b"<html>one, revised</html>", raws["1600002"], raws[sample_page_id()]])
        assert store.integrity_ok()


def sample_page_id() -> str:
    raw, url = sample_page()
    return parse_digest(raw, url).id


def test_a_migration_that_cannot_write_the_pages_changes_nothing(tmp_path):
    data = tmp_path / "data"
    raws = make_v2_store(data)
    for legacy in (data / "pages").iterdir():
        legacy.unlink()
    (data / "pages").rmdir()
    (data / "pages").write_text("a file where the pages folder should be")
    with pytest.raises(StoreError, match="raw pages"):
        Store.open(data, seed_sample=False)
    db = sqlite3.connect(data / DB_NAME)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 2
    assert dict(db.execute("SELECT digest_id, raw FROM raw_pages")) == raws
    db.close()


# -- rebuilding a damaged database ------------------------------------------------------------------

@pytest.mark.parametrize("layout", ["page", "legacy"])
def test_a_destroyed_database_is_rebuilt_from_kept_pages(tmp_path, layout):
    data = tmp_path / "data"
    raw, url = sample_page()
    digest = parse_digest(raw, url)
    with Store.open(data, seed_sample=False) as store:
        store.save_digest(digest, raw)
    if layout == "legacy":  # a store from before the migration: <id>.html + <id>.url
        (data / "pages" / f"{digest.id}.page").unlink()
        (data / "pages" / f"{digest.id}.html").write_bytes(raw)
        (data / "pages" / f"{digest.id}.url").write_text(url, "utf-8")
    (data / DB_NAME).write_bytes(b"not a database at all" * 200)
    for side in ("-wal", "-shm"):
        (data / (DB_NAME + side)).unlink(missing_ok=True)
    with Store.open(data, seed_sample=False) as store:
        assert store.recovered_from is not None
        assert store.known_ids() == {digest.id}
        assert store.digest(digest.id).items == digest.items
        assert [p[0] for p in kept_pages(data / "pages")] == [digest.id]


# -- format 2: the template as a preset dictionary -------------------------------------------------

def test_the_page_dictionary_never_changes():
    """Every format-2 file needs this exact dictionary to be read: a new one is a new format."""
    import hashlib

    from sz_digest.cache.pages import dictionary

    assert hashlib.sha256(dictionary()).hexdigest() == \
        "08c62ad844ffb803a7b418e1c1d952cbd412af2605519318297ab21d8c96ea63"


def test_format_2_is_smaller_and_format_1_still_reads():
    import zlib

    from sz_digest.cache.pages import MAGIC, MAGIC_1

    raw, url = sample_page()
    old = MAGIC_1 + url.encode() + b"\n" + zlib.compress(raw, 6)
    new = encode(url, raw)
    assert new.startswith(MAGIC) and decode(new) == decode(old) == (url, raw)
    assert len(new) <= 4096 < len(old)  # one block instead of two
    with pytest.raises(PageFileError):
        decode(new + b"trailing")
    with pytest.raises(PageFileError):  # format-2 data under the format-1 line: not silently misread
        decode(MAGIC_1 + new[len(MAGIC):])


def test_the_migration_rewrites_format_1_pages_and_loses_nothing(tmp_path):
    import zlib

    from sz_digest.cache.pages import MAGIC, MAGIC_1

    data = tmp_path / "data"
    with Store.open(data, seed_sample=False) as store:
        raws = {}
        for n in range(3):
            digest = make_digest(f"170000{n}", date(2026, 1, 5 + 7 * n), [("futian", f"福田第{n}周", "社工。")])
            raws[digest.id] = (digest.url, f"<html>week {n}</html>".encode())
            store.save_digest(digest, raws[digest.id][1])
        # as a store from before the page-dictionary migration (later ones run too: they must not mind)
        store._db.execute(f"PRAGMA user_version = {MIGRATIONS.index(_migrate_page_dictionary)}")
    pages = data / "pages"
    for digest_id, (url, raw) in raws.items():  # as format 1 wrote them
        (pages / f"{digest_id}.page").write_bytes(MAGIC_1 + url.encode() + b"\n" + zlib.compress(raw, 6))
    (pages / "1700002.page").write_bytes(b"sz-digest page 1\ndamaged")  # a damaged one stays as it is
    with Store.open(data, seed_sample=False) as store:
        assert store._db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        for digest_id in ("1700000", "1700001"):
            assert (pages / f"{digest_id}.page").read_bytes().startswith(MAGIC)
            assert read_page(pages, digest_id) == raws[digest_id]
        assert (pages / "1700002.page").read_bytes() == b"sz-digest page 1\ndamaged"
        seen = []

        def parse(raw, url):  # reparse reads the rewritten pages
            seen.append(raw)
            return store.digest(store.resolve_week(url))

        done, failed = store.reparse(parse)
        assert done == 2 and sorted(seen) == sorted(raws[i][1] for i in ("1700000", "1700001"))
        assert len(failed) == 1 and "unreadable" in failed[0][1]


def test_a_kept_page_is_never_written_through_a_link_planted_in_its_place(tmp_path):
    from sz_digest.cache.atomic import WriteError
    from sz_digest.cache.pages import write_page

    pages = tmp_path / "pages"
    raw, url = sample_page()
    write_page(pages, "1", URL.format(1), raw)  # the folder exists and this process has written there
    victim = tmp_path / "victim.txt"
    victim.write_text("mine")
    (pages / "2.page").symlink_to(victim)
    with pytest.raises(WriteError, match="symbolic link"):
        write_page(pages, "2", URL.format(2), raw)
    assert victim.read_text() == "mine" and (pages / "2.page").is_symlink()
    assert sorted(p.name for p in pages.iterdir()) == ["1.page", "2.page"]  # no temp file left behind


def test_kept_pages_replace_in_place_and_a_removed_folder_comes_back(tmp_path):
    from sz_digest.cache.pages import write_page

    pages = tmp_path / "pages"
    raw, url = sample_page()
    write_page(pages, "1", URL.format(1), b"<html>old</html>")
    (pages / "1.html").write_bytes(b"<html>legacy</html>")  # an older store's pair, met later
    (pages / "1.url").write_text(URL.format(1))
    write_page(pages, "1", URL.format(1), raw)
    assert read_page(pages, "1") == (URL.format(1), raw)
    for leftover in pages.iterdir():
        leftover.unlink()
    pages.rmdir()
    write_page(pages, "3", URL.format(3), raw)
    assert read_page(pages, "3") == (URL.format(3), raw)
