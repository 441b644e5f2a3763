"""The CLI sync's child process (cache/sync_child.py): same store, same report, every way out clean.

In-process tests fork from pytest while the loopback server's threads run. `StoreChild.start`
refuses that (a lock another thread holds would stay held in the child); the server's threads
take no lock the child uses (it parses and opens its own SQLite connection), so these tests let it
fork by reporting one thread. The CLI tests run `python -m sz_digest.tui.cli_sync` in a subprocess,
where the fork happens as it does for a user: first thing, no thread running.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from sz_digest.cache import sync_child
from sz_digest.cache.errors import StoreError
from sz_digest.cache.fetch import FetchOptions
from sz_digest.cache.parser import parse_digest
from sz_digest.cache.store import Store
from sz_digest.cache.sync import sync
from sz_digest.cache.sync_child import StoreChild

try:
    from tests.loopback import Fault, LoopbackServer, make_column, render_post
except ImportError:
    from loopback import Fault, LoopbackServer, make_column, render_post

pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or sys.platform != "linux", reason="fork and /proc")

FAST = FetchOptions(connect_timeout=1.0, read_timeout=2.0, total_timeout=5.0, backoff_base=0.02, backoff_max=0.05)


@pytest.fixture
def forkable(monkeypatch):
    """Let StoreChild.start fork beside the loopback server's threads (see the module docstring)."""
    monkeypatch.setattr(sync_child.threading, "active_count", lambda: 1)


@pytest.fixture
def parsed_here(monkeypatch) -> list[str]:
    """Post ids parsed in this process (the child's parses happen in its own memory, unseen here)."""
    import sz_digest.cache.sync as sync_module

    seen: list[str] = []
    real = sync_module.judge_page

    def recording(parser, entry, *rest):
        seen.append(entry.id)
        return real(parser, entry, *rest)

    monkeypatch.setattr(sync_module, "judge_page", recording)
    return seen


def snapshot(store: Store) -> dict:
    return {d: (store.digest(d), tuple(store.items_for(d))) for d in sorted(store.known_ids() - store.sample_ids())}


def failures(store: Store) -> list:
    return sorted((f.url, f.post_id, f.error, f.status, f.attempts, f.gone) for f in store.failures())


def sorted_report(report) -> dict:
    out = report.to_json()
    out["failed"] = sorted(out["failed"], key=lambda f: f["url"])
    return out | {"fetched_ids": sorted(report.new_ids), "changed": sorted(report.changed_ids)}


def a_column_with_every_kind_of_page(srv: LoopbackServer) -> None:
    posts = srv.column.digests()
    srv.fault(posts[2].path, Fault("status", status=404))  # fails in the parent: never sent
    srv.fault(posts[4].path, Fault("json"))  # not HTML: judged in the parent
    posts[6].raw = b"<html><body><p>nothing like a digest</p></body></html>"  # fails in the child's parse


def gone(pid: int) -> bool:
    """Exited: no such process, or a zombie waiting for whoever adopted it."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (OSError, ValueError, IndexError):
                continue
    return found


def assert_stored_whole_and_completed_by_the_next_sync(store: Store, srv: LoopbackServer, total: int) -> None:
    """Every digest a broken sync left is its page's parse, whole; a plain sync then stores the rest."""
    for digest_id in store.known_ids() - store.sample_ids():
        post = srv.column.by_id(digest_id)
        assert store.digest(digest_id) == parse_digest(render_post(post), srv.url(post.path))
    report = asyncio.run(sync(store, source=srv.source, options=FAST))
    assert report.failed == [] and len(store.known_ids() - store.sample_ids()) == total


def test_the_child_stores_and_reports_exactly_what_the_threads_do(forkable, parsed_here, tmp_path):
    with LoopbackServer(make_column(digests=40, non_digests=6, per_page=10)) as srv:
        a_column_with_every_kind_of_page(srv)
        with Store.open(tmp_path / "threads", seed_sample=False) as store:
            in_threads = asyncio.run(sync(store, source=srv.source, options=FAST))
            want, want_failures = snapshot(store), failures(store)
        assert len(parsed_here) == 38
        parsed_here.clear()
        child = StoreChild.start(tmp_path / "child")
        assert child is not None
        try:
            with Store.open(tmp_path / "child", seed_sample=False) as store:
                in_child = asyncio.run(sync(store, source=srv.source, options=FAST, child=child))
                got, got_failures = snapshot(store), failures(store)
                assert store.integrity_ok()
        finally:
            child.stop()
    assert parsed_here == [], "the child's sync parsed pages in the parent"
    assert in_child.fetched == in_threads.fetched == 37
    assert sorted_report(in_child) == sorted_report(in_threads)
    assert sorted(f.error.split(" (")[0].split(":")[0] for f in in_child.failed) == [
        "HTTP 404", "not a digest", "not an HTML page"]
    assert got == want and got_failures == want_failures
    assert child.status is not None and os.WIFEXITED(child.status) and os.WEXITSTATUS(child.status) == 0
    assert gone(child.pid)


def test_a_weekly_sync_lets_the_child_go_and_parses_its_page_on_a_thread(forkable, parsed_here, tmp_path):
    """Below CHILD_FROM downloads on the first list page the child does not pay: it is released
    before any page is fetched, and the sync runs as in the reader."""
    from sz_digest.cache.sync import CHILD_FROM

    column = make_column(digests=30, non_digests=0, per_page=10)
    with LoopbackServer(column) as srv:
        with Store.open(tmp_path, seed_sample=False) as store:
            asyncio.run(sync(store, source=srv.source, options=FAST))
            newest = column.posts[0]
            column.add_newest(type(newest)(id=newest.id + 1, title=newest.title, published=newest.published,
                                           digest=True, week_start=newest.week_start, week_end=newest.week_end,
                                           items=newest.items))
            parsed_here.clear()
            child = StoreChild.start(tmp_path)
            try:
                report = asyncio.run(sync(store, source=srv.source, options=FAST, child=child))
                assert child.status is not None and os.WEXITSTATUS(child.status) == 0
            finally:
                child.stop()
            assert 1 < CHILD_FROM
            assert report.fetched == 1 and report.new_ids == [str(newest.id + 1)]
            assert parsed_here == [str(newest.id + 1)] and len(store.known_ids()) == 31


def test_the_child_holds_the_sync_lock_until_it_exits(forkable, tmp_path):
    """A parent killed mid-sync drops its descriptors, the lock's too; the child still commits its
    last batch, and a second sync must wait for that, not start beside it."""
    from sz_digest.cache.sync import _SyncLock

    Store.open(tmp_path, seed_sample=False).close()
    child = StoreChild.start(tmp_path)
    assert child is not None
    try:
        lock = _SyncLock(tmp_path)
        assert lock.try_acquire()
        child.share_lock(lock.fd)
        lock.release()  # as the parent's death would
        second = _SyncLock(tmp_path)
        assert not second.try_acquire(), "the lock went with the parent's descriptor"
    finally:
        child.stop()
    assert gone(child.pid)
    try:
        assert second.try_acquire(), "the lock outlived the child"
    finally:
        second.release()


def test_start_refuses_to_fork_beside_another_thread(tmp_path):
    started = threading.Event()
    stop = threading.Event()
    thread = threading.Thread(target=lambda: (started.set(), stop.wait(10)))
    thread.start()
    try:
        started.wait(5)
        assert StoreChild.start(tmp_path) is None
    finally:
        stop.set()
        thread.join()


def test_a_cancel_commits_what_the_child_parsed_and_reaps_it(forkable, tmp_path, monkeypatch):
    import sz_digest.cache.sync as sync_module

    # No batch by size or time: only the first digest (stored at once) and the commit at EOF.
    monkeypatch.setattr(sync_module, "COMMIT_AFTER", 3600.0)
    monkeypatch.setattr(sync_module, "COMMIT_EVERY", 1000)
    with LoopbackServer(make_column(digests=20, non_digests=0, per_page=10)) as srv:
        posts = srv.column.digests()
        fast = {str(p.id) for p in posts[:5]}
        for post in posts[5:]:
            srv.fault(post.path, Fault("latency", delay=30))  # in flight when the cancel comes
        patient = FetchOptions(connect_timeout=1.0, read_timeout=60.0, total_timeout=60.0)
        handed = []  # the child's batches, once per page handed to them
        real_add_page = sync_module._ChildBatches.add_page

        async def add_page(self, entry, result):
            handed.append(self)
            await real_add_page(self, entry, result)

        monkeypatch.setattr(sync_module._ChildBatches, "add_page", add_page)
        child = StoreChild.start(tmp_path)
        store = Store.open(tmp_path, seed_sample=False)

        async def cancel_once_sent():
            task = asyncio.create_task(sync(store, source=srv.source, options=patient, concurrency=8, child=child))
            deadline = time.monotonic() + 20
            # The five fast pages handed over and sent to the child (SEND_AFTER), not only served.
            while not (len(handed) >= 5 and not handed[-1].out) and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
            stored_before = store.known_ids()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            return stored_before

        try:
            stored_before = asyncio.run(cancel_once_sent())
            assert child.status is not None, "the cancelled sync returned before reaping its child"
            assert len(stored_before) < len(fast)  # they were waiting for their transaction
            assert store.known_ids() == fast
            for post in posts[:5]:
                assert store.digest(str(post.id)) == parse_digest(render_post(post), srv.url(post.path))
        finally:
            child.stop()
            store.close()


def test_a_store_error_in_the_child_ends_the_sync_with_it_and_keeps_what_was_committed(forkable, tmp_path,
                                                                                       monkeypatch):
    original = Store.save_digests
    calls = []

    def failing_after_the_first(self, pages, **kwargs):  # runs in the child: its store is its own
        calls.append(1)
        if len(calls) > 1:
            raise StoreError(self.path, "database or disk is full")
        return original(self, pages, **kwargs)

    with LoopbackServer(make_column(digests=30, non_digests=0, per_page=10)) as srv:
        monkeypatch.setattr(Store, "save_digests", failing_after_the_first)
        child = StoreChild.start(tmp_path)
        monkeypatch.setattr(Store, "save_digests", original)  # the parent's own store is not failing
        try:
            with Store.open(tmp_path, seed_sample=False) as store:
                with pytest.raises(StoreError, match="disk is full"):
                    asyncio.run(sync(store, source=srv.source, options=FAST, child=child))
                assert child.status is not None
                assert 1 <= len(store.known_ids()) < 30
                assert_stored_whole_and_completed_by_the_next_sync(store, srv, 30)
        finally:
            child.stop()


def signal_the_child_mid_sync(srv: LoopbackServer, data: Path, signum: int, *, after_bodies: int,
                              error: str) -> None:
    """A sync whose child gets `signum` once `after_bodies` pages were served ends with a StoreError
    matching `error`, its child reaped, what it committed whole; the next sync stores the rest."""
    child = StoreChild.start(data)
    store = Store.open(data, seed_sample=False)

    async def scenario():
        task = asyncio.create_task(sync(store, source=srv.source, options=FAST, child=child))
        deadline = time.monotonic() + 20
        while len(srv.bodies_served()) < after_bodies and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        os.kill(child.pid, signum)
        await asyncio.wait_for(task, 30)

    try:
        with pytest.raises(StoreError, match=error):
            asyncio.run(scenario())
        assert child.status is not None and os.WIFSIGNALED(child.status)
        assert store.integrity_ok()
        assert_stored_whole_and_completed_by_the_next_sync(store, srv, len(srv.column.digests()))
    finally:
        child.stop()
        store.close()


def test_a_child_killed_mid_sync_ends_it_with_a_store_error_not_a_hang(forkable, tmp_path):
    with LoopbackServer(make_column(digests=30, non_digests=0, per_page=10), latency=0.03) as srv:
        signal_the_child_mid_sync(srv, tmp_path, signal.SIGKILL, after_bodies=6, error="killed by signal 9")


def test_a_child_that_stops_answering_is_killed_and_the_sync_ends_with_a_store_error(forkable, tmp_path,
                                                                                    monkeypatch):
    """`close` waits while the child keeps reporting; a silent one (here SIGSTOPped) is killed after
    STOP_WAIT and reaped, not waited for forever."""
    monkeypatch.setattr(sync_child, "STOP_WAIT", 0.5)
    with LoopbackServer(make_column(digests=20, non_digests=0, per_page=10)) as srv:
        signal_the_child_mid_sync(srv, tmp_path, signal.SIGSTOP, after_bodies=1, error="stopped answering")


# -- the CLI, as a user runs it


def start_cli(source: str, data_dir: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "sz_digest.tui.cli_sync", "--data-dir", str(data_dir), "--source", source,
         "--json", "--fast-retries", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_child(proc: subprocess.Popen, srv: LoopbackServer, bodies: int) -> int:
    """The CLI's child, once `bodies` digest pages were served (the caller cleared the log)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        kids = children_of(proc.pid)
        if kids and len(srv.bodies_served()) >= bodies:
            assert len(kids) == 1
            return kids[0]
        time.sleep(0.01)
    raise AssertionError("the CLI sync forked no child")


@pytest.fixture(scope="module")
def slow_server():
    with LoopbackServer(make_column(digests=40, non_digests=4, per_page=10), latency=0.02) as srv:
        yield srv


def test_the_cli_sync_forks_its_child_and_prints_what_the_threads_print(slow_server, tmp_path):
    slow_server.clear_log()
    proc = start_cli(slow_server.source, tmp_path / "child")
    child_pid = wait_for_child(proc, slow_server, 1)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert gone(child_pid)
    threads = subprocess.run(
        [sys.executable, "-m", "sz_digest.tui.cli_sync", "--data-dir", str(tmp_path / "threads"), "--source",
         slow_server.source, "--json", "--fast-retries", "--in-process"], capture_output=True, text=True, timeout=60)
    assert threads.returncode == 0 and json.loads(out) == json.loads(threads.stdout)
    with Store.open(tmp_path / "child") as a, Store.open(tmp_path / "threads") as b:
        assert snapshot(a) == snapshot(b) and len(snapshot(a)) == 40


@pytest.mark.parametrize("how", ["SIGKILL", "SIGTERM"])
def test_a_stopped_cli_sync_leaves_no_child_behind_and_the_next_sync_completes(slow_server, tmp_path, how):
    """SIGKILL: the child reads EOF, commits what it parsed and exits on its own. SIGTERM: the
    command unwinds (exit 143), waits for the child's last commit and reaps it."""
    data = tmp_path / "data"
    slow_server.clear_log()
    proc = start_cli(slow_server.source, data)
    child_pid = wait_for_child(proc, slow_server, 8)
    os.kill(proc.pid, getattr(signal, how))
    proc.communicate(timeout=30)
    assert proc.returncode == (-signal.SIGKILL if how == "SIGKILL" else 128 + signal.SIGTERM)
    deadline = time.monotonic() + 15
    while not gone(child_pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert gone(child_pid), "the sync's child outlived its parent"
    with Store.open(data) as store:
        assert store.integrity_ok()
        assert len(store.known_ids() - store.sample_ids()) < 40
        assert_stored_whole_and_completed_by_the_next_sync(store, slow_server, 40)
