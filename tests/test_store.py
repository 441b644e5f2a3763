"""The local store: migrations, one-transaction writes, kept state, search and recovery."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from conftest import make_digest
from sz_digest.cache import store as store_module
from sz_digest.cache.errors import StoreError, UsageError
from sz_digest.cache.store import DB_NAME, SCHEMA_VERSION, Store


def test_weeks_are_newest_first_with_contract_fields(archive):
    weeks = archive.weeks()
    assert [w.id for w in weeks] == ["1600003", "1600002", "1600001"]
    assert weeks[1].to_json() == {
        "id": "1600002",
        "url": "http://szshequ.org.cn/szshgzb/gzyw/content/post_1600002.html",
        "title": "深圳社会工作一周速览（3月2日至3月6日）",
        "week_start": "2026-03-02",
        "week_end": "2026-03-06",
        "published": "2026-03-13",
        "item_count": 3,
        "districts": ["luohu", "nanshan", "city"],
        "read": False,
        "sample": False,
        "degraded": False,
        "week_inferred": False,
    }


def test_items_keep_page_order_and_filter_by_district(archive):
    assert [i.district for i in archive.items_for("1600002")] == ["luohu", "nanshan", "city"]
    only = archive.items_for("1600002", ["nanshan", "city"])
    assert [(i.district, i.position) for i in only] == [("nanshan", 1), ("city", 2)]
    assert archive.items_for("1600001", ["nanshan"])[0].paragraphs == ("南山区推进物业管理。", "第二段：居民议事。")


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("latest", "1600003"),
        ("1600002", "1600002"),
        ("http://szshequ.org.cn/szshgzb/gzyw/content/post_1600001.html", "1600001"),
        ("http://szshequ.org.cn/szshgzb/gzyw/content/mpost_1600001.html", "1600001"),
        ("2026-03-04", "1600002"),
        ("2026-03-08", "1600002"),  # the Sunday after belongs to that week
        ("2026-03-09", "1600003"),
        ("2025-01-01", None),
        ("1999999", None),
    ],
)
def test_resolve_week(archive, spec, expected):
    assert archive.resolve_week(spec) == expected


@pytest.mark.parametrize("spec", ["2026-02-30", "yesterday", "2026/03/09", "post_abc.html"])
def test_resolve_week_rejects_malformed_specs(archive, spec):
    with pytest.raises(UsageError):
        archive.resolve_week(spec)


def test_replacing_a_digest_keeps_read_state_and_stars(archive):
    archive.set_read("1600002")
    archive.set_item_read("1600002", 1)
    archive.set_starred("1600002", 2)
    changed = make_digest("1600002", date(2026, 3, 2), [
        ("luohu", "罗湖区社区服务APEC专题（更新）", "更正后的正文。"),
        ("nanshan", "南山区社工站揭牌", "新的社工站为居民提供服务。"),
        ("city", "全市社会工作会议召开", "市委社会工作部部署全年任务。"),
    ])
    assert archive.save_digest(changed, b"<html>week2 v2</html>") is True
    assert archive.week("1600002").read is True
    assert archive.read_positions("1600002") == {0, 1, 2}  # a week read is all its items read
    assert [e.item.title for e in archive.starred()] == ["全市社会工作会议召开"]
    assert archive.items_for("1600002")[0].title.endswith("（更新）")
    assert archive.search("更正后")[0].digest_id == "1600002"
    assert archive.search("活动聚焦") == []  # the old text left the index


def test_saving_the_same_bytes_again_changes_nothing(archive):
    digest = archive.digest("1600001")
    assert archive.save_digest(digest, b"<html>week1</html>") is False


def test_a_real_page_replaces_the_sample(archive):
    sample = make_digest("1600004", date(2026, 3, 16), [("futian", "样例", "样例正文。")], sample=True)
    archive.save_digest(sample, b"sample bytes", keep_file=False)
    assert archive.sample_ids() == {"1600004"}
    archive.save_digest(sample._replace(sample=False), b"real bytes")
    assert archive.sample_ids() == set()
    assert archive.week("1600004").sample is False


def test_a_failed_write_is_rolled_back_whole(archive, monkeypatch):
    """One digest is one transaction: an error half-way leaves the old copy intact."""
    before = archive.digest("1600001")
    broken = make_digest("1600001", date(2026, 2, 23), [("futian", "新标题", "新正文。")])
    real_fold = store_module.fold
    calls = {"n": 0}

    def failing_fold(text):
        calls["n"] += 1
        if calls["n"] > 1:
            raise sqlite3.OperationalError("database or disk is full")
        return real_fold(text)

    monkeypatch.setattr(store_module, "fold", failing_fold)
    with pytest.raises(StoreError, match="disk is full"):
        archive.save_digest(broken, b"<html>new</html>")
    monkeypatch.undo()
    assert archive.digest("1600001") == before
    assert archive.integrity_ok()


def test_migrates_a_version_1_store_and_indexes_old_items(tmp_path):
    path = tmp_path / DB_NAME
    db = sqlite3.connect(path, isolation_level=None)
    store_module._migrate_v1(db)
    db.execute("PRAGMA user_version = 1")
    db.execute("""INSERT INTO digests VALUES ('1500000', 'http://h/content/post_1500000.html',
                  '深圳社会工作一周速览（1月5日至1月9日）', '2026-01-05', '2026-01-09', '2026-01-16',
                  0, 1, 1, 'pingshan', '2026-01-16T00:00:00+00:00')""")
    db.execute("""INSERT INTO items VALUES ('1500000', 0, 'pingshan', '坪山区', '组织货运司机党员观影',
                  '以沉浸式观影形式开展ＡＰＥＣ党员教育')""")
    db.close()
    store = Store.open(tmp_path, seed_sample=False)
    assert store._db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert store.week("1500000").read is True
    assert [h.district for h in store.search("apec")] == ["pingshan"]
    assert [h.title for h in store.search("观影")] == ["组织货运司机党员观影"]
    # Issue 12's columns arrive with their defaults: an old week is neither degraded nor inferred.
    week = store.week("1500000")
    assert (week.degraded, week.week_inferred, week.degraded_reason) == (False, False, "")
    assert store.attachments("1500000") == [] and store.digest("1500000").parse_info == {}
    store.close()


def test_a_store_from_a_newer_version_is_refused(tmp_path):
    db = sqlite3.connect(tmp_path / DB_NAME)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(StoreError, match="newer sz-digest"):
        Store.open(tmp_path)


def test_reparse_rederives_digests_from_raw_bytes(archive):
    seen = []

    def parse(raw: bytes, url: str):
        seen.append(raw)
        digest = archive.digest(url.rsplit("_", 1)[1].split(".")[0])
        return digest._replace(items=digest.items[:1])

    week1 = archive.digest("1600001")
    archive.save_digest(week1, b"<html>week1</html>", etag='"v1"', last_modified="Fri, 20 Mar 2026 08:00:00 GMT")
    done, failed = archive.reparse(parse)
    assert (done, failed) == (3, [])
    meta = archive.fetch_meta(week1.url)  # the validators survive, so the next sync can still send them
    assert (meta.etag, meta.last_modified) == ('"v1"', "Fri, 20 Mar 2026 08:00:00 GMT")
    assert sorted(seen) == [b"<html>week1</html>", b"<html>week2</html>", b"<html>week3</html>"]
    assert archive.week("1600002").item_count == 1


def test_a_garbage_database_is_moved_aside_and_rebuilt_from_kept_pages(tmp_path, monkeypatch):
    from sz_digest.cache import parser as parser_module

    data = tmp_path / "data"
    store = Store.open(data, seed_sample=False)
    digest = make_digest("1600001", date(2026, 2, 23), [("futian", "标题", "正文。")])
    store.save_digest(digest, b"<html>kept</html>")
    store.close()
    (data / DB_NAME).write_bytes(b"this is not a database" * 100)
    for side in ("-wal", "-shm"):
        (data / (DB_NAME + side)).unlink(missing_ok=True)
    monkeypatch.setattr(parser_module, "parse_digest", lambda raw, url: digest if raw == b"<html>kept</html>" else None)
    reopened = Store.open(data, seed_sample=False)
    assert reopened.recovered_from is not None and reopened.recovered_from.exists()
    assert reopened.recovered_from.read_bytes().startswith(b"this is not a database")
    assert reopened.known_ids() == {"1600001"}
    assert reopened.integrity_ok()


def test_timeline_and_stats(archive):
    assert [(e.week_start.isoformat(), e.item.title) for e in archive.timeline("nanshan")] == [
        ("2026-03-02", "南山区社工站揭牌"),
        ("2026-02-23", "南山开展党建引领小区治理"),
    ]
    stats = archive.stats(recent_weeks=2)
    assert stats["weeks"] == 3 and stats["items"] == 6
    nanshan = next(d for d in stats["districts"] if d["district"] == "nanshan")
    assert nanshan == {"district": "nanshan", "district_name": "南山区", "items": 2, "items_recent": 1,
                       "weeks_without": 1, "weeks_without_recent": 1, "recent_series": [1, 0]}
    assert any(d["district"] == "city" for d in stats["districts"])
    assert not any(d["district"] == "other" for d in stats["districts"])


def test_failures_are_recorded_and_cleared_by_a_good_save(archive):
    url = "http://szshequ.org.cn/szshgzb/gzyw/content/post_1600009.html"
    archive.record_failure(url, "HTTP 500", post_id="1600009")
    assert [(f.url, f.error) for f in archive.failures()] == [(url, "HTTP 500")]
    archive.save_digest(make_digest("1600009", date(2026, 3, 16), [("futian", "t", "b")]), b"x")
    assert archive.failures() == []


def test_settings_round_trip(archive):
    assert archive.get_setting("filter", "all") == "all"
    archive.set_setting("filter", "nanshan,futian")
    assert archive.get_setting("filter") == "nanshan,futian"


def test_nothing_from_a_page_becomes_a_path(archive, tmp_path):
    """Raw pages are kept as pages/<digits>.page; an id that is not digits is refused outright."""
    evil = make_digest("1600001", date(2026, 3, 2), [("futian", "t", "b")])._replace(id="../../escape")
    with pytest.raises(StoreError, match="malformed id"):
        archive.save_digest(evil, b"<html>evil</html>")
    assert not (archive.data_dir.parent / "escape.html").exists()
    assert sorted(p.name for p in (archive.data_dir / "pages").iterdir()) == [
        "1600001.page", "1600002.page", "1600003.page"]
