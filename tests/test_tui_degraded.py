"""Issue 12 in the reader: degraded weeks marked in the week list and the viewer, attachments listed
and opened with `o`, the status line counting full-text weeks and showing the layout alarm."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sz_digest.cache.model import Attachment
from tui_fixtures import digest, item, latest_week, make_store, running, screen_text, viewer

ATTACHMENTS = (Attachment("名单.pdf", "http://szshequ.org.cn/attachment/0/1/list.pdf"),
               Attachment("报名表.docx", "http://szshequ.org.cn/attachment/0/1/form.docx"))


def degraded_week(post_id: str, start: date, published: date):
    block = item(0, "other", latest_week().title, "本周各区开展了多项活动。", "详见各区网站。", label="全文")
    return digest(post_id, start, [block], published=published)._replace(
        degraded=True, degraded_reason="no item headings (区名：标题) found")


async def test_degraded_week_is_marked_in_the_list_viewer_and_status_line(tmp_path: Path) -> None:
    data = make_store(tmp_path / "data", [latest_week()._replace(attachments=ATTACHMENTS),
                                          degraded_week("1660001", date(2026, 3, 2), date(2026, 3, 13))])
    async with running(data) as (app, pilot):
        text = screen_text(app)
        assert "full text" in text  # the week list row of 1660001
        assert "1 week as full text" in text  # the status line
        assert "the site may have changed" not in text  # one degraded week is not a layout change
        assert "Attachments (2)" in text and "名单.pdf" in text  # the latest week's header
        await pilot.press("n")  # the next (older) week: the degraded one
        await pilot.pause()
        assert "Could not split this week into items" in screen_text(app)
        assert [e.item.district_name for e in viewer(app).entries] == ["全文"]


async def test_o_on_a_week_with_attachments_offers_them_and_opens_the_chosen_one(tmp_path: Path, monkeypatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr("sz_digest.tui.handoff.open_url", lambda url: opened.append(url) or True)  # issue 14
    data = make_store(tmp_path / "data", [latest_week()._replace(attachments=ATTACHMENTS)])
    async with running(data) as (app, pilot):
        await pilot.press("o")
        await pilot.pause()
        assert "The source page" in screen_text(app) and "报名表.docx" in screen_text(app)
        await pilot.press("down", "down", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert opened == ["http://szshequ.org.cn/attachment/0/1/form.docx"]
        await pilot.press("o")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert opened == ["http://szshequ.org.cn/attachment/0/1/form.docx"] and app.is_running


async def test_two_newest_weeks_degraded_show_the_layout_alarm_in_the_status_line(tmp_path: Path) -> None:
    data = make_store(tmp_path / "data", [latest_week(), degraded_week("1700001", date(2026, 3, 16), date(2026, 3, 27)),
                                          degraded_week("1700002", date(2026, 3, 23), date(2026, 4, 3))])
    async with running(data) as (app, pilot):
        text = screen_text(app)
        assert "the site may have changed" in text and "2 weeks as full text" in text


async def test_a_blocked_refresh_says_the_site_blocked_automated_access(tmp_path: Path) -> None:
    from sz_digest.cache.sync import SourceBlocked, SyncReport
    from tui_fixtures import notices

    async def blocked_list(store, **options):
        raise SourceBlocked("http://szshequ.org.cn/szshgzb/gzyw/",
                            "the site blocked automated access (HTTP 412 瑞数 JavaScript challenge ($_ts))")

    async def blocked_post(store, **options):
        return SyncReport(pages=1, listed=1, blocked="the site blocked automated access (HTTP 521 加速乐 challenge)")

    data = make_store(tmp_path / "data", [latest_week()])
    for fake in (blocked_list, blocked_post):
        async with running(data, offline=False, sync_service=fake) as (app, pilot):
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert notices(app).startswith("the site blocked automated access — showing stored digests"), fake
            assert "sz-digest import" in notices(app) and app.is_running
