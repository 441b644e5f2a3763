"""Watches, alerts across syncs, the on_new hook, notifications and Atom feeds (issue 17)."""

from __future__ import annotations

import io
import json
import os
import sys
import time
from datetime import date
from pathlib import Path

import feedparser
import pytest

from conftest import make_digest
from sz_digest.cache.alerts import Notice, notice_for, notify, terminal_escape
from sz_digest.cache.feeds import build_feed, feed_items, feed_query
from sz_digest.cache.model import SearchHit
from sz_digest.cache.store import Store
from sz_digest.cache.watches import Alert, Watch, add_watch, collect_alerts, unread_counts
from sz_digest.tui.cli import main

try:
    from tests.loopback import LoopbackServer, Post, make_column
except ImportError:
    from loopback import LoopbackServer, Post, make_column


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def write_config(text: str) -> None:
    Path(os.environ["SZ_DIGEST_CONFIG"]).write_text(text, "utf-8")


@pytest.fixture
def server():
    with LoopbackServer(make_column(digests=4, non_digests=1, per_page=10)) as srv:
        yield srv


def add_post(server, post_id: int, week_start: date, items) -> None:
    """A new digest at the top of the column: items as (label, title)."""
    from datetime import timedelta

    end = week_start + timedelta(days=4)
    title = f"深圳社会工作一周速览（{week_start.month}月{week_start.day}日至{end.month}月{end.day}日）"
    server.column.add_newest(Post(post_id, title, end + timedelta(days=7), True, week_start, end,
                                  [(label, heading, [f"{heading}。正文。"]) for label, heading in items]))


def sync(capsys, server, data, *args):
    code, out, err = run(capsys, "--data-dir", data, "--source", server.source, "sync", "--json", *args)
    return code, json.loads(out), err


# -- watch CRUD -----------------------------------------------------------------------------------

def test_watch_add_list_rm_with_json_and_clear_errors(capsys, archive):
    data = archive.data_dir
    code, out, _ = run(capsys, "--data-dir", data, "watch", "add", "南山社工", "社工 district:南山", "--json")
    assert code == 0
    added = json.loads(out)
    assert added["name"] == "南山社工" and added["query"] == "社工 district:南山" and added["unread"] == 1
    code, out, _ = run(capsys, "--data-dir", data, "watch", "add", "apec", "APEC", "--json")
    code, out, _ = run(capsys, "--data-dir", data, "watch", "list", "--json")
    assert [(w["name"], w["query"], w["unread"]) for w in json.loads(out)] == [
        ("apec", "APEC", 1), ("南山社工", "社工 district:南山", 1)]
    # Errors: exit 2, one line, nothing on stdout.
    for argv, words in ((["add", "apec", "x"], "exists"), (["add", "../x", "社工"], "not a watch name"),
                        (["add", "ok", "since:2025-13"], "'since:2025-13'")):
        code, out, err = run(capsys, "--data-dir", data, "watch", *argv)
        assert (code, out) == (2, "") and words in err and err.count("\n") == 1
    code, out, _ = run(capsys, "--data-dir", data, "watch", "rm", "apec", "--json")
    assert code == 0 and json.loads(out) == {"name": "apec", "removed": True}
    code, _, err = run(capsys, "--data-dir", data, "watch", "rm", "apec")
    assert code == 1 and "no watch named 'apec'" in err
    code, out, _ = run(capsys, "--data-dir", data, "watch", "list")
    assert code == 0 and out.startswith("南山社工\t1 unread\t")


def test_badge_counts_unread_matches_only(archive):
    add_watch(archive, "社工", "社工")
    assert unread_counts(archive) == {"社工": 2}
    archive.set_read("1600001")
    assert unread_counts(archive) == {"社工": 1}
    archive.set_item_read("1600002", 1)
    assert unread_counts(archive) == {"社工": 0}


def test_adding_a_watch_does_not_alert_on_the_archive(archive):
    add_watch(archive, "社工", "社工")
    assert collect_alerts(archive) == []
    archive.save_digest(make_digest("1600009", date(2026, 3, 23), [
        ("futian", "福田社工服务月", "社工服务。"), ("luohu", "罗湖其他新闻", "无关。")]), b"<html>9</html>")
    alerts = collect_alerts(archive)
    assert [(a.watch.name, [h.title for h in a.hits]) for a in alerts] == [("社工", ["福田社工服务月"])]
    assert collect_alerts(archive) == []


# -- alerts across syncs on the loopback server ---------------------------------------------------

def test_only_new_matches_alert_and_a_resync_alerts_nothing(capsys, server, tmp_path):
    data = tmp_path / "data"
    code, report, _ = sync(capsys, server, data)
    assert code == 0 and "alerts" not in report  # no watches yet: the sync shape is unchanged
    run(capsys, "--data-dir", data, "watch", "add", "社工", "社工")  # matches every stored item
    run(capsys, "--data-dir", data, "watch", "add", "养老", "养老 OR 助老")  # matches nothing yet

    add_post(server, 1700100, date(2026, 4, 6), [("南山区", "开展养老服务社工培训"), ("福田区", "举办运动会")])
    code, report, _ = sync(capsys, server, data)
    assert code == 0
    alerts = {a["watch"]: a for a in report["alerts"]}
    assert set(alerts) == {"社工", "养老"}
    assert [i["title"] for i in alerts["养老"]["items"]] == ["开展养老服务社工培训"]
    assert alerts["社工"]["new"] == 1  # not the archive it matched when it was added
    assert set(alerts["社工"]["items"][0]) >= {"digest_id", "week_start", "district", "title", "snippet"}

    code, report, _ = sync(capsys, server, data)
    assert code == 0 and report["alerts"] == []


# -- the on_new hook ------------------------------------------------------------------------------

HOOK = """
import json, os, sys
data = json.load(sys.stdin)
with open(sys.argv[1], "a", encoding="utf-8") as out:
    out.write(json.dumps({"watch": os.environ["SZ_DIGEST_WATCH"], "items": data}, ensure_ascii=False) + "\\n")
"""


def test_on_new_gets_the_new_matches_as_search_json(capsys, server, tmp_path):
    data, received = tmp_path / "data", tmp_path / "received.jsonl"
    script = tmp_path / "hook.py"
    script.write_text(HOOK, "utf-8")
    write_config(f"on_new = {json.dumps([sys.executable, str(script), str(received)])}\n")
    sync(capsys, server, data)
    run(capsys, "--data-dir", data, "watch", "add", "养老", "养老")
    add_post(server, 1700100, date(2026, 4, 6), [("南山区", "开展养老服务"), ("福田区", "举办运动会")])
    code, report, err = sync(capsys, server, data)
    assert code == 0 and err == ""
    (line,) = received.read_text("utf-8").splitlines()
    got = json.loads(line)
    assert got["watch"] == "养老"
    code, out, _ = run(capsys, "--data-dir", data, "search", "养老", "--json")
    assert got["items"] == json.loads(out)  # exactly the `search --json` shape


@pytest.mark.parametrize(("hook", "expect"), [
    ("import sys; sys.stderr.write('boom\\n'); sys.exit(3)", "failed (exit status 3): boom"),
    ("import time; time.sleep(60)", "timed out after 0.5 s"),
])
def test_a_failing_or_hanging_hook_is_reported_and_the_sync_goes_on(capsys, server, tmp_path, hook, expect):
    data = tmp_path / "data"
    write_config(f"on_new = {json.dumps([sys.executable, '-c', hook])}\non_new_timeout = 0.5\n")
    sync(capsys, server, data)
    run(capsys, "--data-dir", data, "watch", "add", "养老", "养老")
    add_post(server, 1700100, date(2026, 4, 6), [("南山区", "开展养老服务")])
    started = time.monotonic()
    code, report, err = sync(capsys, server, data)
    assert time.monotonic() - started < 10
    assert code == 0 and report["fetched"] == 1 and report["alerts"][0]["new"] == 1
    assert f"on_new for watch '养老': {expect}" in err and err.count("\n") == 1
    with Store.open(data) as store:
        assert "1700100" in store.known_ids()


def test_config_rejects_a_malformed_hook(capsys, archive):
    write_config("on_new = 3\n")
    code, _, err = run(capsys, "--data-dir", archive.data_dir, "watch", "list")
    assert code == 2 and "'on_new'" in err


# -- notifications --------------------------------------------------------------------------------

HOSTILE = "[b]紧急[/b] <b>粗</b>\x1b]52;c;aGk=\x07;注入\x1b[2J"


def hostile_alert(n: int = 1) -> Alert:
    hits = [SearchHit("1", date(2026, 3, 9), "nanshan", "南山区", f"{HOSTILE}{i}", "", i, ()) for i in range(n)]
    return Alert(Watch("养老", "养老", None), hits)


def test_a_notice_names_the_titles_cleaned_and_bounded():
    notice = notice_for(hostile_alert(7))
    assert notice.title == "sz-digest · 养老: 7 new"
    lines = notice.body.splitlines()
    assert len(lines) == 6 and lines[-1] == "… and 2 more"
    assert all("\x1b" not in line and "\x07" not in line for line in lines)
    assert lines[0].startswith("南山区：[b]紧急[/b] <b>粗</b>")


def test_notify_falls_back_from_a_failing_notifier_to_the_next_then_the_terminal():
    sent = []

    def broken(notice):
        raise RuntimeError("no bus")

    assert notify(Notice("t", "b"), backends=[("a", broken), ("b", sent.append)]) == "b"
    assert sent == [Notice("t", "b")]

    class Tty(io.StringIO):
        def isatty(self):
            return True

    tty = Tty()
    assert notify(notice_for(hostile_alert()), terminal=tty, backends=[("a", broken)]) == "terminal"
    written = tty.getvalue()
    assert written.startswith("\x1b]9;") and written.endswith("\x07")
    assert written.count("\x1b") == 1 and written.count("\x07") == 1  # only our own escape
    assert notify(Notice("t", "b"), terminal=io.StringIO(), backends=[]) == ""  # not a terminal: nothing


def test_osc_777_on_vte_terminals_keeps_fields_apart():
    escape = terminal_escape(notice_for(hostile_alert()), env={"VTE_VERSION": "7600"})
    assert escape.startswith("\x1b]777;notify;sz-digest · 养老: 1 new;")
    assert escape.count(";") == 3  # the title's own ';' became ','


def test_sync_notify_without_a_desktop_or_terminal_says_so_and_succeeds(capsys, server, tmp_path, monkeypatch):
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    data = tmp_path / "data"
    sync(capsys, server, data)
    run(capsys, "--data-dir", data, "watch", "add", "养老", "养老")
    add_post(server, 1700100, date(2026, 4, 6), [("南山区", "开展养老服务")])
    code, report, err = sync(capsys, server, data, "--notify")
    assert code == 0 and report["alerts"][0]["new"] == 1
    assert "no desktop session or terminal to notify about watch '养老'" in err


# -- Atom feeds -----------------------------------------------------------------------------------

def parse_feed(path: Path):
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def test_sync_feeds_writes_valid_stable_feeds(capsys, server, tmp_path):
    data, feeds = tmp_path / "data", tmp_path / "feeds"
    sync(capsys, server, data)
    run(capsys, "--data-dir", data, "watch", "add", "社工", "社工")
    code, report, _ = sync(capsys, server, data, "--feeds", feeds)
    assert code == 0
    names = sorted(p.name for p in feeds.iterdir())
    assert "watch-社工.atom" in names and "district-nanshan.atom" in names
    assert not [n for n in names if n.startswith(".")]  # no temp files left behind
    first = {name: parse_feed(feeds / name) for name in names}
    watch_feed = first["watch-社工.atom"]
    assert watch_feed.version == "atom10"
    entries = watch_feed.entries
    assert entries and len(entries) <= 50
    assert entries[0].id.startswith("urn:sz-digest:item:") and entries[0].link.startswith(server.source)
    weeks = [e.published_parsed for e in entries]
    assert weeks == sorted(weeks, reverse=True)  # newest first
    assert "组织社工开展邻里互助服务" in entries[0].content[0].value  # full text

    # A second sync with nothing new: the same ids and `updated`, the files not even rewritten.
    before = {name: (feeds / name).read_bytes() for name in names}
    code, report, _ = sync(capsys, server, data, "--feeds", feeds)
    assert all(not f["written"] for f in report["feeds"])
    assert {name: (feeds / name).read_bytes() for name in names} == before

    # One item's text changes upstream: only its entry's `updated` moves; ids stay.
    post = server.column.digests()[0]
    label, heading, paragraphs = post.items[0]
    post.items[0] = (label, heading, ["改写后的正文，社工参与。"])
    post.revision += 1
    sync(capsys, server, data, "--full", "--feeds", feeds)
    after = parse_feed(feeds / "watch-社工.atom").entries
    assert [e.id for e in after] == [e.id for e in entries]
    changed = [e.id for e, old in zip(after, entries) if e.updated != old.updated]
    assert changed == [f"urn:sz-digest:item:{post.id}:0"]


def test_feed_command_writes_a_file_or_stdout(capsys, archive, tmp_path):
    target = tmp_path / "nanshan.atom"
    code, _, err = run(capsys, "--data-dir", archive.data_dir, "feed", "社工", "--district", "南山", "-o", target)
    assert code == 0 and "wrote" in err
    entries = parse_feed(target).entries
    assert [e.title for e in entries] == ["南山区：南山区社工站揭牌"]
    code, out, _ = run(capsys, "--data-dir", archive.data_dir, "feed", "--limit", "2")
    parsed = feedparser.parse(out.encode())
    assert not parsed.bozo and len(parsed.entries) == 2
    assert [e.id for e in parsed.entries] == ["urn:sz-digest:item:1600003:0", "urn:sz-digest:item:1600002:0"]
    code, _, err = run(capsys, "--data-dir", archive.data_dir, "feed", "--watch", "nope")
    assert code == 2 and "no watch named 'nope'" in err


def test_hostile_page_text_stays_inert_in_the_feed(tmp_path):
    from tui_fixtures import hostile_week

    store = Store.open(tmp_path / "h", seed_sample=False)
    week = hostile_week()
    week = week._replace(items=week.items + (week.items[0]._replace(
        position=2, title="<script>alert(1)</script>]]>", paragraphs=("&amp; <![CDATA[ x ]]> \ufffe\x0b",)),))
    store.save_digest(week, b"<html>h</html>")
    data = build_feed(store, feed_items(store, feed_query()), feed_id="urn:t", title="<t>\x1b[2J")
    text = data.decode("utf-8")
    assert "\x1b" not in text and "\x07" not in text and "\x0b" not in text
    assert "<script>" not in text and "&lt;script&gt;" in text
    parsed = feedparser.parse(data)
    assert not parsed.bozo
    titles = [e.title for e in parsed.entries]
    assert "南山区：<script>alert(1)</script>]]>" in titles
    body = next(e for e in parsed.entries if e.id.endswith(":2")).content[0].value
    assert "&amp; <![CDATA[ x ]]>" in body
    store.close()


def test_human_sync_summary_names_new_matches(capsys, server, tmp_path):
    data = tmp_path / "data"
    sync(capsys, server, data)
    run(capsys, "--data-dir", data, "watch", "add", "养老", "养老")
    add_post(server, 1700100, date(2026, 4, 6), [("南山区", "开展养老服务")])
    code, out, err = run(capsys, "--data-dir", data, "--source", server.source, "sync")
    assert code == 0 and err == ""
    assert out.splitlines()[-1] == "New for 养老: 开展养老服务"


def test_feed_to_an_unwritable_place_is_exit_5_and_leaves_nothing(capsys, archive, tmp_path):
    target = tmp_path / "missing-dir" / "f.atom"
    code, out, err = run(capsys, "--data-dir", archive.data_dir, "feed", "社工", "-o", target)
    assert code == 5 and out == "" and err.startswith("sz-digest: cannot write") and err.count("\n") == 1
    assert not target.parent.exists()


def test_sync_feeds_into_a_file_is_one_line_and_the_sync_stands(capsys, server, tmp_path):
    data, blocker = tmp_path / "data", tmp_path / "not-a-dir"
    blocker.write_text("mine", "utf-8")
    code, report, err = sync(capsys, server, data, "--feeds", blocker)
    assert code == 0 and report["fetched"] == 4
    assert err.startswith(f"sz-digest: cannot write feeds to {blocker}") and err.count("\n") == 1
    assert blocker.read_text("utf-8") == "mine"  # the file the user named by mistake is untouched


def test_desktop_notifier_failing_quietly_counts_as_a_failure(monkeypatch):
    from sz_digest.cache import alerts

    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
    monkeypatch.setattr(alerts.shutil, "which", lambda name: None)  # no notify-send either
    # desktop-notifier cannot reach the bus: it logs instead of raising; we must fall through.
    assert alerts.notify(Notice("t", "b"), terminal=io.StringIO()) == ""


def test_global_options_work_after_the_watch_action(capsys, archive):
    code, out, _ = run(capsys, "watch", "list", "--json", "--data-dir", archive.data_dir)
    assert code == 0 and json.loads(out) == []
