"""Shared fixtures: hand-made digests and stores in temporary data dirs (never the user's)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from sz_digest.cache.districts import BY_CODE
from sz_digest.cache.model import Digest, Item
from sz_digest.cache.store import Store


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    """No test reads or writes the real user's data dir or config file."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("SZ_DIGEST_HOME", str(home / "data"))
    monkeypatch.setenv("SZ_DIGEST_CONFIG", str(home / "config.toml"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "xdg-config"))


def make_item(district: str, title: str, *paragraphs: str, position: int = 0) -> Item:
    return Item(district, BY_CODE[district].name, title, paragraphs or (f"{title}的正文。",), position)


def make_digest(post_id: str, week_start: date, items: list[tuple[str, str, str]], *, sample: bool = False) -> Digest:
    """A digest for the week starting `week_start` (a Monday), items as (district, title, body)."""
    return Digest(
        id=post_id,
        url=f"http://szshequ.org.cn/szshgzb/gzyw/content/post_{post_id}.html",
        title=f"深圳社会工作一周速览（{week_start.month}月{week_start.day}日至"
              f"{(week_start + timedelta(days=4)).month}月{(week_start + timedelta(days=4)).day}日）",
        week_start=week_start,
        week_end=week_start + timedelta(days=4),
        published=week_start + timedelta(days=11),
        items=tuple(
            Item(code, BY_CODE[code].name, title, tuple(p for p in body.split("\n\n") if p), n)
            for n, (code, title, body) in enumerate(items)
        ),
        sample=sample,
    )


@pytest.fixture
def archive(tmp_path) -> Store:
    """A store of three hand-made weeks, no sample."""
    store = Store.open(tmp_path / "archive", seed_sample=False)
    store.save_digest(make_digest("1600001", date(2026, 2, 23), [
        ("futian", "福田召开社工机构座谈会", "座谈会上，社工代表交流了经验。"),
        ("nanshan", "南山开展党建引领小区治理", "南山区推进物业管理。\n\n第二段：居民议事。"),
    ]), b"<html>week1</html>")
    store.save_digest(make_digest("1600002", date(2026, 3, 2), [
        ("luohu", "罗湖区社区服务APEC专题", "活动聚焦APEC会议筹备。"),
        ("nanshan", "南山区社工站揭牌", "新的社工站为居民提供服务。"),
        ("city", "全市社会工作会议召开", "市委社会工作部部署全年任务。"),
    ]), b"<html>week2</html>")
    store.save_digest(make_digest("1600003", date(2026, 3, 9), [
        ("longgang", "省委社会工作部赴吉星花园小区现场考察调研", "以党建引领破解6毛钱物业费治理难题。"),
    ]), b"<html>week3</html>")
    yield store
    store.close()


def drop_counted_grams(db) -> None:
    """Take a store's schema back to before `_migrate_counted_grams`: its triggers and tables go
    (upgrade tests then put back the indexes an older schema had)."""
    for trigger in ("items_grams_ai", "items_grams_ad", "items_grams_au", "digests_grams_year"):
        db.execute(f"DROP TRIGGER {trigger}")
    for table in ("items_grams_terms", "items_grams", "items_grams_pending", "items_grams_stale"):
        db.execute(f"DROP TABLE {table}")
