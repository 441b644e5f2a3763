"""`sz-digest import`, `sz-digest doctor`, the layout-change alarm and reparse upgrading degraded
weeks in place (issue 12)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sz_digest.cache import health
from sz_digest.cache.pages import read_page
from sz_digest.cache.parser import parse_digest, sample_page
from sz_digest.cache.store import Store
from sz_digest.tui.cli import main

LAYOUTS = Path(__file__).parent / "fixtures" / "layouts"
PAGES = Path(__file__).parent / "fixtures" / "pages"
SOURCE = "http://szshequ.org.cn/szshgzb/gzyw/"


def run(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def saved(name: str, url: str | None = None, *, how: str = "canonical") -> bytes:
    """A fixture page as a browser would save it, carrying its URL the way `how` says."""
    data = (LAYOUTS / name).read_bytes()
    if url is None:
        return data
    if how == "canonical":
        return data.replace(b"<head>", f'<head><link rel="canonical" href="{url}">'.encode(), 1)
    if how == "saved-from":  # Chrome's "Web page, complete"
        return f"<!-- saved from url=({len(url):04d}){url} -->\n".encode() + data
    if how == "meta":
        return data.replace(b"<head>", f'<head><meta name="Url" content="{url}">'.encode(), 1)
    raise ValueError(how)


def test_single_saved_file_is_stored_exactly_as_a_sync_would_and_reparse_works(tmp_path, capsys):
    page = tmp_path / "速览.html"
    url = SOURCE + "content/post_1700401.html"
    page.write_bytes(saved("bracketed.html", url))
    data = tmp_path / "data"
    code, out, err = run(capsys, "--data-dir", data, "import", page)
    assert code == 0 and err == ""
    assert "post 1700401" in out
    with Store.open(data) as store:
        digest = store.digest("1700401")
        assert digest.url == url and len(digest.items) == 4 and not digest.sample
        assert digest == parse_digest(page.read_bytes(), url)._replace(parse_info=digest.parse_info)
        assert read_page(data / "pages", "1700401") == (url, page.read_bytes())  # raw kept, as a sync keeps it
        done, failed = store.reparse(parse_digest)
        assert failed == [] and done == 2  # the sample and the import


def test_complete_save_with_its_files_folder_and_a_folder_of_pages(tmp_path, capsys):
    folder = tmp_path / "saved"
    (folder / "a_files").mkdir(parents=True)
    (folder / "a.html").write_bytes(saved("numbered.html", SOURCE + "content/post_1700402.html", how="saved-from"))
    (folder / "a_files" / "frame.html").write_text("<html><body>iframe</body></html>", "utf-8")  # never a digest
    (folder / "a_files" / "style.css").write_text("body{}", "utf-8")
    (folder / "sub").mkdir()
    (folder / "sub" / "b.htm").write_bytes(saved("runin.html", SOURCE + "content/post_1700403.html", how="meta"))
    (folder / "post_1700404.html").write_bytes(saved("district_lines.html"))  # id from the file name
    data = tmp_path / "data"
    code, out, err = run(capsys, "--data-dir", data, "import", folder, "--json")
    assert code == 0, err
    results = json.loads(out)
    assert sorted(r["id"] for r in results) == ["1700402", "1700403", "1700404"]
    assert all(r["error"] is None and r["changed"] for r in results)
    with Store.open(data) as store:
        assert {"1700402", "1700403", "1700404"} <= store.known_ids()
        assert store.digest("1700404").url == SOURCE + "content/post_1700404.html"


def test_files_that_are_not_digests_get_one_line_each_and_change_nothing(tmp_path, capsys):
    other = tmp_path / "post_1654482.html"
    other.write_bytes((PAGES / "not_digest_annual_review.html").read_bytes())
    notes = tmp_path / "notes.html"
    notes.write_text("<html><body><p>购物清单</p></body></html>", "utf-8")
    nameless = tmp_path / "digest.html"
    nameless.write_bytes(saved("runin.html"))
    binary = tmp_path / "photo.html"
    binary.write_bytes(bytes(range(256)) * 10)
    good = tmp_path / "good.html"
    good.write_bytes(saved("bracketed.html", SOURCE + "content/post_1700405.html"))
    data = tmp_path / "data"
    code, out, err = run(capsys, "--data-dir", data, "import", other, notes, nameless, binary, tmp_path / "missing.html", good)
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 5 and all(line.startswith("sz-digest: ") for line in lines)
    assert "post_1654482.html: not a digest" in lines[0]
    assert "notes.html: not a digest" in lines[1]
    assert "digest.html: a digest, but" in lines[2]
    assert "photo.html: not an HTML page" in lines[3]
    assert "missing.html: no such file or folder" in lines[4]
    assert "Traceback" not in err
    with Store.open(data) as store:
        assert store.known_ids() == {"1663876", "1700405"}


def test_gb18030_saved_page_is_imported(tmp_path, capsys):
    url = SOURCE + "content/post_1700406.html"
    text = saved("numbered.html", url).decode("utf-8").replace('<meta charset="utf-8">', '<meta charset="gbk">')
    page = tmp_path / "gb.html"
    page.write_bytes(text.encode("gb18030"))
    data = tmp_path / "data"
    code, out, err = run(capsys, "--data-dir", data, "import", page)
    assert code == 0, err
    with Store.open(data) as store:
        digest = store.digest("1700406")
        assert digest.items[1].title == "开展“海滨邻里节”系列活动"


# ------------------------------------------------------------------------------------------------
# Degraded weeks: stored, shown, counted, upgraded in place by reparse; the alarm; doctor
# ------------------------------------------------------------------------------------------------


def _degraded_copy(data: bytes, url: str):
    """What an older parser that did not know the layout stored: one unsplit block."""
    digest = parse_digest(data, url)
    block = digest.items[0]._replace(district="other", district_name="全文", title=digest.title,
                                     paragraphs=tuple(p for i in digest.items for p in (i.title, *i.paragraphs)))
    return digest._replace(items=(block,), degraded=True, degraded_reason="no item headings (区名：标题) found")


def test_reparse_upgrades_a_degraded_week_in_place_keeping_read_state(tmp_path, capsys):
    url = SOURCE + "content/post_1700407.html"
    raw = saved("district_lines.html", url)
    data = tmp_path / "data"
    with Store.open(data) as store:
        store.save_digest(_degraded_copy(raw, url), raw)
        store.set_read("1700407")
        assert store.degraded_count() == 1
        assert store.week("1700407").to_json()["degraded"] is True
    code, out, err = run(capsys, "--data-dir", data, "show", "1700407", "--json")
    shown = json.loads(out)
    assert shown["degraded"] is True and "no item headings" in shown["degraded_reason"]
    assert len(shown["items"]) == 1
    code, out, err = run(capsys, "--data-dir", data, "reparse")
    assert code == 0 and "0 stored as full text (1 fewer than before)" in out
    with Store.open(data) as store:
        week = store.week("1700407")
        assert not week.degraded and week.item_count == 4 and week.read
    code, out, _ = run(capsys, "--data-dir", data, "show", "1700407", "--json")
    shown = json.loads(out)
    assert shown["degraded"] is False and len(shown["items"]) == 4
    assert [a["name"] for a in shown["attachments"]] == ["光明区公益创投入围项目名单.docx", "服务机构名单.pdf"]


def test_two_newest_digests_degraded_raise_the_layout_alarm_and_doctor_reports_it(tmp_path, capsys):
    data = tmp_path / "data"
    raw = (LAYOUTS / "degraded.html").read_bytes()
    with Store.open(data) as store:
        ok = (LAYOUTS / "bracketed.html").read_bytes()
        store.save_digest(parse_digest(ok, SOURCE + "content/post_1700500.html"), ok)
        store.save_digest(parse_digest(raw, SOURCE + "content/post_1700501.html"), raw)
        assert health.layout_warning(store) is None  # one degraded week is not a layout change
        later = raw.replace("2026-05-22".encode(), "2026-05-29".encode())
        store.save_digest(parse_digest(later, SOURCE + "content/post_1700502.html"), later)
        warning = health.layout_warning(store)
        assert warning and "layout may have changed" in warning
    code, out, err = run(capsys, "--data-dir", data, "doctor")
    assert code == 0
    assert "layout may have changed" in out
    assert "1700502 · 2026-05-29 · div.news_cont_d_wrap" in out and "DEGRADED: no item headings" in out
    code, out, err = run(capsys, "--data-dir", data, "doctor", "--json")
    report = json.loads(out)
    assert report["degraded"] == ["1700502", "1700501"]
    assert report["recent"][0]["parse_info"]["via"] == "div.news_cont_d_wrap"
    assert report["integrity_ok"] is True


class _Report:
    def __init__(self, pages, fallback):
        self.pages, self.list_fallback_pages = pages, fallback


def test_list_pages_read_only_by_the_fallback_after_the_list_box_raise_the_alarm(tmp_path):
    with Store.open(tmp_path / "data") as store:
        assert health.after_sync(store, _Report(3, 3)) is None  # never seen the list box: nothing to compare
        assert health.after_sync(store, _Report(3, 0)) is None
        warning = health.after_sync(store, _Report(2, 2))
        assert warning and "list pages" in warning
        assert health.after_sync(store, _Report(2, 0)) is None  # the list box is back


def test_sample_page_is_not_degraded():
    data, url = sample_page()
    digest = parse_digest(data, url)
    assert not digest.degraded and not digest.week_inferred and digest.attachments == ()


def test_sync_lists_degraded_digests_and_warns_once_when_the_two_newest_are_degraded(tmp_path, capsys):
    try:
        from tests.loopback import LoopbackServer, make_column
    except ImportError:
        from loopback import LoopbackServer, make_column

    column = make_column(digests=4, non_digests=0, per_page=10)
    newest = column.digests()[:2]
    raw = (LAYOUTS / "degraded.html").read_bytes()
    newest[0].raw = raw.replace("2026-05-22".encode(), "2026-05-29".encode())
    newest[1].raw = raw
    with LoopbackServer(column) as server:
        code = main(["--data-dir", str(tmp_path / "data"), "--source", server.source, "sync", "--json"])
    out, err = capsys.readouterr()
    assert code == 0
    report = json.loads(out)
    assert sorted(report["degraded"]) == sorted(str(p.id) for p in newest)
    assert "layout may have changed" in report["layout_warning"]
    assert err.count("sz-digest: warning: the site's layout may have changed") == 1
    with Store.open(tmp_path / "data") as store:
        assert store.degraded_count() == 2 and len([w for w in store.weeks() if not w.sample]) == 4  # every week kept


def test_exports_carry_degraded_inferred_and_attachments(tmp_path, capsys):
    data = tmp_path / "data"
    with Store.open(data) as store:
        raw = (LAYOUTS / "district_lines.html").read_bytes()
        store.save_digest(parse_digest(raw, SOURCE + "content/post_1700601.html"), raw)
        bad = (LAYOUTS / "degraded.html").read_bytes()
        store.save_digest(parse_digest(bad, SOURCE + "content/post_1700602.html"), bad)
    code, out, _ = run(capsys, "--data-dir", data, "export", "--format", "json", "--since", "2026-04-01")
    weeks = {w["id"]: w for w in json.loads(out)}
    assert weeks["1700601"]["attachments"][1] == {"name": "服务机构名单.pdf",
                                                  "url": "http://szshequ.org.cn/attachment/0/12/12346/list.pdf"}
    assert weeks["1700602"]["degraded"] is True and "no item headings" in weeks["1700602"]["degraded_reason"]
    assert weeks["1700601"]["week_inferred"] is False
    code, out, _ = run(capsys, "--data-dir", data, "export", "--format", "md", "--since", "2026-04-01")
    assert "- degraded: no item headings" in out
    assert "- attachment: 服务机构名单.pdf <http://szshequ.org.cn/attachment/0/12/12346/list.pdf>" in out


def test_a_malformed_url_in_a_saved_page_is_skipped_for_the_next_clue(tmp_path, capsys):
    page = tmp_path / "post_1700701.html"
    data = saved("bracketed.html", "http://[::1/content/post_9.html")  # a canonical link no one can follow
    page.write_bytes(data)
    code, out, err = run(capsys, "--data-dir", tmp_path / "data", "import", page)
    assert code == 0 and "Traceback" not in err
    with Store.open(tmp_path / "data") as store:
        assert "1700701" in store.known_ids()  # from the file name
