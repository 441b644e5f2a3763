"""Issue 13's smaller items: a data dir that is a file or a symlink loop, a 10 KB query, a 4 MB page
saved off the screen's thread, the reader's export on a thread, a config error before the terminal."""

from __future__ import annotations

import asyncio
import os
import pty
import sys
import threading
from pathlib import Path

import pytest

from sz_digest.cache.exit_codes import ExitCode
from sz_digest.cache.store import Store
from sz_digest.cache.sync import sync
from sz_digest.tui.cli import main
from test_signals import _finish
from tui_fixtures import data_dir, running  # noqa: F401 (data_dir is a fixture)

try:
    from tests.loopback import LoopbackServer, make_column, render_post
except ImportError:
    from loopback import LoopbackServer, make_column, render_post


def _odd_data_dirs(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    (tmp_path / "a-file").write_text("not a directory")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    (tmp_path / "dangling").symlink_to(tmp_path / "missing" / "dir")
    return {
        "file": (tmp_path / "a-file", "exists and is not a directory"),
        "loop": (tmp_path / "loop", "symbolic link loop"),
        "dangling": (tmp_path / "dangling", "symbolic link to a missing directory"),
        "under a file": (tmp_path / "a-file" / "sub", "a part of the path is a file"),
    }


@pytest.mark.parametrize("command", [["list", "--json"], ["sync", "--offline"], ["search", "社工"], []])
def test_a_data_dir_that_is_a_file_or_a_symlink_loop_is_said_clearly(tmp_path, capsys, command):
    for label, (path, reason) in _odd_data_dirs(tmp_path).items():
        if command == ["sync", "--offline"]:
            command = ["sync"]
            argv = ["--data-dir", str(path), "--source", "http://127.0.0.1:9/", *command]
        else:
            argv = ["--data-dir", str(path), *command]
        code = main(argv)
        err = capsys.readouterr().err
        assert code == ExitCode.STORE, label
        assert reason in err and "File exists" not in err and "Traceback" not in err, (label, err)
        assert err.count("\n") == 1


def test_a_10_kb_query_is_not_echoed_back_whole(tmp_path, capsys):
    data = tmp_path / "data"
    query = "社工站" * 3400  # ~10 K characters
    assert main(["--data-dir", str(data), "search", query]) == ExitCode.NO_MATCH
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and len(err) < 200 and "…" in err
    assert main(["--data-dir", str(data), "show", "x" * 10_000]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and len(err) < 300


def test_a_4_mb_page_is_saved_off_the_event_loop(tmp_path):
    column = make_column(digests=3, non_digests=0, per_page=10)
    big = column.digests()[0]
    big.raw = render_post(big).replace(b"</body>", b"<!--" + b"x" * (4 * 1024 * 1024) + b"--></body>")
    threads: list[str] = []
    with LoopbackServer(column) as srv, Store.open(tmp_path / "data", seed_sample=False) as store:
        original = store.save_digests  # a sync stores its digests in batches

        def recording_save(pages, **kwargs):
            pages = list(pages)
            threads.extend(threading.current_thread().name for _ in pages)
            return original(pages, **kwargs)

        store.save_digests = recording_save

        asyncio.run(sync(store, source=srv.source))
        assert len(threads) == 3 and str(big.id) in store.known_ids()
        assert threading.main_thread().name not in threads, "a page was written on the event loop's thread"
        assert store.integrity_ok()


async def test_the_readers_export_is_written_on_a_thread(data_dir, tmp_path, monkeypatch):  # noqa: F811
    from sz_digest.cache import atomic

    threads: list[str] = []
    original = atomic.create_new

    def recording(folder, name, data):
        threads.append(threading.current_thread().name)
        return original(folder, name, data)

    monkeypatch.setattr(atomic, "create_new", recording)
    out = tmp_path / "out"
    async with running(data_dir, export_dir=out) as (app, pilot):
        await pilot.press("e")  # the reader asks for the format and the file (issue 14)
        await pilot.pause()
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert threads and threading.main_thread().name not in threads
    assert len(list(out.iterdir())) == 1


def test_a_config_error_exits_2_before_the_terminal_is_touched(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("refresh_interval_hours = inf\n")
    env = dict(os.environ, TERM="xterm-256color", LANG="en_US.UTF-8", SZ_DIGEST_CONFIG=str(config))
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe(sys.executable, [sys.executable, "-m", "sz_digest.tui.cli", "--data-dir", str(tmp_path / "d"),
                                    "--offline"], env)
    try:
        output, status = _finish(pid, fd, timeout=20)
    finally:
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == ExitCode.USAGE
    assert b"\x1b[" not in output, "the terminal was switched into the app's modes"
    text = output.decode()
    assert "refresh_interval_hours" in text and str(config) in text and "Traceback" not in text


@pytest.mark.parametrize("kind", ["fifo", "directory", "loop"])
def test_a_database_path_that_is_not_a_file_is_said_and_never_hangs(tmp_path, capsys, kind):
    data = tmp_path / "data"
    data.mkdir()
    db = data / "sz-digest.sqlite3"
    {"fifo": lambda: os.mkfifo(db), "directory": db.mkdir, "loop": lambda: db.symlink_to(db)}[kind]()
    for argv in (["--data-dir", str(data), "list"], ["--data-dir", os.path.relpath(data), "list"]):
        assert main(argv) == ExitCode.STORE
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err
        assert {"fifo": "named pipe", "directory": "is a directory", "loop": "symbolic link loop"}[kind] in err


def test_a_symlink_planted_in_pages_is_never_written_through(tmp_path):
    from datetime import date

    from conftest import make_digest

    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    data = tmp_path / "data"
    (data / "pages").mkdir(parents=True)
    for name in ("1600001.tmp", "1600001.page"):  # the old predictable temp name, the page itself
        (data / "pages" / name).symlink_to(victim)
    with Store.open(data, seed_sample=False) as store:
        from sz_digest.cache.errors import StoreError

        with pytest.raises(StoreError, match="symbolic link"):
            store.save_digest(make_digest("1600001", date(2026, 3, 9), [("futian", "标题", "正文")]), b"<p>raw</p>")
        assert store.integrity_ok()
    assert victim.read_text() == "precious"


def test_a_10_kb_week_spec_is_not_echoed_whole_by_the_reader(tmp_path):
    from sz_digest.tui.app import startup_notices
    from sz_digest.tui.i18n import Catalog

    with Store.open(tmp_path / "data", seed_sample=False) as store:
        (notice,) = startup_notices(store, Catalog("en"), missing_week="2026-" + "9" * 10_000)
    assert len(notice) < 200
