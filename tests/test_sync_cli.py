"""`sz-digest sync`: the issue-3 done-when, exit codes, stdout/stderr discipline."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from sz_digest.cache.config import Config
from sz_digest.cache.fetch import FetchOptions
from sz_digest.cache.store import Store
from sz_digest.tui.cli import main
from sz_digest.tui.cli_sync import run_sync_command

try:
    from tests.loopback import Fault, LoopbackServer, closed_port, make_column
except ImportError:
    from loopback import Fault, LoopbackServer, closed_port, make_column

FAST = FetchOptions(connect_timeout=1.0, read_timeout=0.5, total_timeout=2.0, backoff_base=0.02, backoff_max=0.05)


@pytest.fixture
def server():
    with LoopbackServer(make_column(digests=20, non_digests=6, per_page=10)) as srv:
        yield srv


def cli(server_or_source, data_dir, *args) -> int:
    source = server_or_source if isinstance(server_or_source, str) else server_or_source.source
    return main(["--data-dir", str(data_dir), "--source", source, "sync", *args])


def test_done_when_first_sync_stores_every_digest_and_reports_the_404_and_the_off_site_redirect(
        server, tmp_path, capsys):
    """Issue 3: three list pages, 26 posts; 404 and off-site redirect fail with exit 1; re-sync fetches 0."""
    gone = server.column.by_id(1699966)
    moved = server.column.by_id(1699886)  # on page 2
    server.fault(gone.path, Fault("status", status=404))
    server.fault(moved.path, Fault("redirect", location="http://evil.example/phish.html"))
    data = tmp_path / "data"

    assert cli(server, data, "--json") == 1
    out, err = capsys.readouterr()
    report = json.loads(out)  # stdout holds exactly one JSON object
    assert report == {
        "pages": 3, "listed": 26, "fetched": 18, "not_modified": 0, "skipped_non_digest": 6,
        "failed": [{"url": server.url(gone.path), "error": "HTTP 404"},
                   {"url": server.url(moved.path), "error": "off-site redirect to http://evil.example/phish.html"}],
        "walk_capped": False, "gone": [], "deferred": [],
        "degraded": [], "blocked": None, "layout_warning": None,
    }
    assert err == ""
    non_digests = {p.path for p in server.column.posts if not p.digest}
    assert not non_digests & set(server.fetched_paths()), "no non-digest post was requested"
    with Store.open(data) as store:
        stored = store.known_ids() - store.sample_ids()
        assert stored == {str(p.id) for p in server.column.digests()} - {"1699966", "1699886"}
        assert {f.post_id for f in store.failures()} == {"1699966", "1699886"}

    server.clear_log()
    assert cli(server, data, "--json") == 1  # the two still fail, and say so again
    report = json.loads(capsys.readouterr().out)
    assert report["fetched"] == 0 and report["not_modified"] == 0
    assert [f["error"] for f in report["failed"]] == ["HTTP 404", "off-site redirect to http://evil.example/phish.html"]
    assert server.bodies_served() == [], "no digest body downloaded again"


def test_clean_sync_exits_0_with_a_human_summary(server, tmp_path, capsys):
    assert cli(server, tmp_path / "d") == 0
    out, err = capsys.readouterr()
    assert "3 list page(s), 26 post(s) listed" in out and "20 digest(s) downloaded (20 new)" in out
    assert err == ""
    assert cli(server, tmp_path / "d") == 0
    assert "Up to date" in capsys.readouterr().out


def test_full_and_pages_flags(server, tmp_path, capsys):
    assert cli(server, tmp_path / "d", "--pages", "1", "--json") == 0
    assert json.loads(capsys.readouterr().out)["pages"] == 1
    assert cli(server, tmp_path / "d", "--full", "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["pages"] == 3 and report["fetched"] == 12 and report["not_modified"] == 8


def test_failures_are_listed_in_the_human_summary(server, tmp_path, capsys):
    server.fault(server.column.by_id(1699966).path, Fault("status", status=404))
    assert cli(server, tmp_path / "d") == 1
    out = capsys.readouterr().out
    assert "1 failed" in out and f"{server.url(server.column.by_id(1699966).path)}  HTTP 404" in out


def test_offline_refuses_with_exit_3_and_touches_nothing(tmp_path, capsys):
    data = tmp_path / "never"
    code = run_sync_command(data_dir=data, config=Config(source="http://127.0.0.1:9/"), full=False, pages=None,
                            as_json=True, offline=True)
    out, err = capsys.readouterr()
    assert code == 3 and out == "" and len(err.strip().splitlines()) == 1 and "--offline" in err
    assert not data.exists()


def test_unreachable_source_exits_3_with_one_line(tmp_path, capsys):
    source = f"http://127.0.0.1:{closed_port()}/szshgzb/gzyw/"
    code = run_sync_command(data_dir=tmp_path / "d", config=Config(source=source), full=False, pages=None,
                            as_json=True, offline=False, options=FAST)
    out, err = capsys.readouterr()
    assert code == 3 and out == ""
    assert err.strip().splitlines() == [f"sz-digest: cannot reach the source {source}: connection refused "
                                        "(the store is unchanged)"]
    with Store.open(tmp_path / "d") as store:
        assert store.get_setting("last_sync") is None and store.failures() == []


def test_store_that_cannot_be_opened_exits_4(server, tmp_path, capsys):
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    code = run_sync_command(data_dir=not_a_dir, config=Config(source=server.source), full=False, pages=None,
                            as_json=True, offline=False)
    out, err = capsys.readouterr()
    assert code == 4 and out == "" and len(err.strip().splitlines()) == 1
    assert str(not_a_dir) in err and "Traceback" not in err


def test_progress_display_on_a_terminal_does_not_touch_stdout(server, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    assert cli(server, tmp_path / "d") == 0
    out, _ = capsys.readouterr()
    assert out.startswith("Synced ") and "\x1b" not in out


def test_module_entry_point_prints_clean_json(server, tmp_path):
    env = dict(os.environ, NO_COLOR="1")
    result = subprocess.run(
        [sys.executable, "-m", "sz_digest.tui.cli_sync", "--data-dir", str(tmp_path / "d"), "--source",
         server.source, "--json", "--fast-retries"],
        capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["fetched"] == 20 and result.stderr == ""
