"""Deterministic stores for the TUI tests: hand-made digests saved into a real Store in a tmp dir.

No clock-dependent text reaches the screen: nothing here syncs, so the status line says "never
synced", and every date is fixed.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import date, timedelta
from pathlib import Path

import pytest

from sz_digest.cache.config import Config
from sz_digest.cache.districts import BY_CODE
from sz_digest.cache.model import Digest, Item
from sz_digest.cache.store import Store
from sz_digest.tui.app import DigestApp
from sz_digest.tui.article_viewer import ArticleViewer
from sz_digest.tui.main_screen import MainScreen

BASE_URL = "http://szshequ.org.cn/szshgzb/gzyw/content/post_{}.html"

LATEST_ID = "1663876"


def item(position: int, district: str, title: str, *paragraphs: str, label: str | None = None) -> Item:
    return Item(district=district, district_name=label or BY_CODE[district].name, title=title,
                paragraphs=tuple(paragraphs) or (f"{title}。正文第一段。",), position=position)


def digest(post_id: str, start: date, items: list[Item], *, title: str | None = None, sample: bool = False,
           published: date | None = None) -> Digest:
    end = start + timedelta(days=4)
    return Digest(
        id=post_id,
        url=BASE_URL.format(post_id),
        title=title or f"深圳社会工作一周速览（{start.month}月{start.day}日至{end.month}月{end.day}日）",
        week_start=start,
        week_end=end,
        published=published or end + timedelta(days=7),
        items=tuple(items),
        sample=sample,
    )


def latest_week() -> Digest:
    """Modelled on the real 2026-03-09 digest: eight items, one per district, 南山 among them."""
    return digest(LATEST_ID, date(2026, 3, 9), [
        item(0, "futian", "召开社会工作高质量发展推进会",
             "3月8日，福田区委社会工作部召开推进会，部署年度重点任务。",
             "会议强调，要坚持党建引领，推动社工服务提质增效。"),
        item(1, "luohu", "开展“社工进社区”志愿服务活动", "罗湖区组织社工深入社区开展志愿服务。"),
        item(2, "nanshan", "召开树立和践行正确政绩观学习教育动员部署会",
             "南山区委社会工作部召开动员部署会。", "会议对学习教育作出具体安排。"),
        item(3, "baoan", "举办社区工作者能力提升培训班", "宝安区举办培训班，提升社区工作者专业能力。"),
        item(4, "longgang", "吉星花园小区物业纠纷调解取得成效", "龙岗区调解吉星花园物业纠纷，居民满意度提升。"),
        item(5, "longhua", "推进“一社区一社工站”建设", "龙华区持续推进社工站建设。"),
        item(6, "pingshan", "开展新就业群体关爱行动", "坪山区为快递员、外卖骑手送上关爱。"),
        item(7, "guangming", "党建引领基层治理创新案例发布", "光明区发布基层治理创新案例。"),
    ], published=date(2026, 3, 20))


def older_weeks() -> list[Digest]:
    return [
        digest("1660001", date(2026, 3, 2), [
            item(0, "futian", "福田区社工站开展春季关爱活动"),
            item(1, "yantian", "盐田区开展海滨社区议事会"),
            item(2, "city", "市委社会工作部召开全市社会工作会议", label="市委社会工作部"),
        ]),
        digest("1657002", date(2026, 2, 23), [
            item(0, "dapeng", "大鹏新区推进社区治理"),
            item(1, "shenshan", "深汕特别合作区开展社工培训"),
            item(2, "other", "某协会举办交流会", label="市社会组织总会"),
        ]),
        digest("1654003", date(2026, 2, 16), [
            item(0, "futian", "福田区召开社工督导会议"),
        ]),
    ]


def make_store(data_dir: Path, digests: list[Digest] | None = None) -> Path:
    """Fill a store in `data_dir` with `digests` (default: the four fixture weeks); return the dir."""
    store = Store.open(data_dir, seed_sample=False)
    try:
        for d in digests if digests is not None else [latest_week(), *older_weeks()]:
            store.save_digest(d, raw=b"")
    finally:
        store.close()
    return data_dir


def many_weeks(count: int) -> list[Digest]:
    """`count` consecutive weeks going back from 2026-03-09, three items each (for volume tests)."""
    start = date(2026, 3, 9)
    out = []
    for n in range(count):
        week_start = start - timedelta(weeks=n)
        out.append(digest(str(1663876 - n), week_start, [
            item(0, "futian", f"第{n}周福田条目"),
            item(1, "nanshan", f"第{n}周南山条目"),
            item(2, "longgang", f"第{n}周龙岗条目"),
        ]))
    return out


HOSTILE_TITLE = "[bold red]紧急[/bold red] [@click=app.quit]点我[/] [/ \x1b[2J清屏"
HOSTILE_BODY = "正文 [link=http://evil.example]链接[/link] \x1b]52;c;aGVsbG8=\x07 [$accent]变量 [/"


def hostile_week() -> Digest:
    """A digest whose title and bodies carry markup and escape sequences (issue 7)."""
    return digest("1670000", date(2026, 3, 16), [
        item(0, "nanshan", HOSTILE_TITLE, HOSTILE_BODY, "\u202e反转\u202c 零宽\u200b字符 \x9b31m"),
        item(1, "other", "[@click=app.quit]", "[/", label="[bold]标签[/bold]"),
    ], title="[bold red]紧急[/bold red] 深圳社会工作一周速览 [@click=app.quit]")


def config(**overrides) -> Config:
    return Config(**overrides)


def screen_text(app) -> str:
    """What the terminal shows now, as plain text (the same render `export_screenshot` records)."""
    import io

    from rich.console import Console

    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", record=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text()


# -- running the app under Pilot -------------------------------------------------------------------

SIZE = (120, 40)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return make_store(tmp_path / "data")


@asynccontextmanager
async def running(data_dir: Path, *, size=SIZE, config: Config | None = None, **options):
    """Run the app on `data_dir` (offline and English unless told otherwise); close the store after."""
    options.setdefault("offline", True)
    options.setdefault("lang", "en")
    store = Store.open(data_dir, seed_sample=False)
    app = DigestApp(store, config=config or Config(), **options)
    try:
        async with app.run_test(size=size, notifications=True) as pilot:
            await pilot.pause()
            yield app, pilot
    finally:
        store.close()


def main(app: DigestApp) -> MainScreen:
    return app.main


async def wait_for_search(pilot) -> None:
    """The search screen's debounce, then its search (on a worker thread), then a frame."""
    from sz_digest.tui.search_screen import DEBOUNCE

    await pilot.pause(DEBOUNCE + 0.15)
    workers = [w for w in pilot.app.workers if w.group == "search"]
    if workers:  # (an empty list would wait for every worker)
        await pilot.app.workers.wait_for_complete(workers)
    await pilot.pause()


async def settle(app: DigestApp, pilot) -> None:
    """Let every queued store write land and the screen catch up with it."""
    await pilot.pause()
    saving = [w for w in app.workers if w.group == "save-watch"]  # the search screen's ctrl+s
    if saving:  # (an empty list would wait for every worker)
        await app.workers.wait_for_complete(saving)
        await pilot.pause()
    app.main.writer.join()
    app.main.poll_store()
    await pilot.pause()
    app.main.writer.join()  # what the poll queued (the watches' badges are counted there)
    await pilot.pause()


def notices(app: DigestApp) -> str:
    """The text of every toast on screen (as rendered, before wrapping), one per line."""
    from textual.widgets._toast import Toast

    return "\n".join(toast.render().plain for toast in app.screen.query(Toast))


def viewer(app: DigestApp) -> ArticleViewer:
    return app.screen.query_one(ArticleViewer)


def shown_titles(app: DigestApp) -> list[str]:
    """The titles of the items the viewer lays out (and draws) now, in order."""
    return [entry.item.title for entry in viewer(app).entries]
