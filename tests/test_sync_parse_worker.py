"""The sync's parse worker (cache/parse_worker.py): forced on with a small threshold, it stores exactly
what in-process parsing stores, keeps per-post errors per post, survives its own crash, and leaves
no process behind after a finished, cancelled or killed sync."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import sz_digest.cache.sync as sync_module
from sz_digest.cache.fetch import FetchOptions
from sz_digest.cache.parse_worker import ParseWorker
from sz_digest.cache.store import Store
from sz_digest.cache.sync import WALK_INCOMPLETE, sync

try:
    from tests.loopback import Fault, LoopbackServer, make_column
except ImportError:
    from loopback import Fault, LoopbackServer, make_column

FAST = FetchOptions(connect_timeout=1.0, read_timeout=2.0, total_timeout=5.0, backoff_base=0.02, backoff_max=0.05,
                    retry_after_max=0.2)
ROOT = Path(__file__).resolve().parent.parent


class Recorded(ParseWorker):
    """A ParseWorker that remembers every instance and counts the pages it parsed. It claims to be
    ready from the start and holds each page until the child is up, so every page of the sync goes
    through the child whatever the machine's load (the real sync parses in threads meanwhile)."""

    ready = property(lambda self: True, lambda self, value: None)

    instances: list["Recorded"] = []
    kill_after: int | None = None  # SIGKILL the child once it has answered this many pages

    def __init__(self) -> None:
        super().__init__()
        self.parsed = 0
        Recorded.instances.append(self)

    async def parse(self, body, url, content_type):
        await self.started.wait()
        answer = await super().parse(body, url, content_type)
        self.parsed += 1
        if self.parsed == self.kill_after:
            os.kill(self.pid, signal.SIGKILL)
        return answer


@pytest.fixture
def workers(monkeypatch):
    Recorded.instances = []
    monkeypatch.setattr(Recorded, "kill_after", None)
    monkeypatch.setattr(sync_module, "ParseWorker", Recorded)
    monkeypatch.setattr(sync_module, "PARSE_WORKER_FROM", 1)
    return Recorded.instances


@pytest.fixture
def server():
    with LoopbackServer(make_column(digests=24, non_digests=6, per_page=8)) as srv:
        yield srv


def run(store, server, **kwargs):
    kwargs.setdefault("options", FAST)
    return asyncio.run(sync(store, source=server.source, **kwargs))


def snapshot(store) -> dict:
    return {d: (store.digest(d), tuple(store.items_for(d))) for d in sorted(store.known_ids())}


def alive(pid: int) -> bool:
    """True while `pid` runs (a zombie, exited but not reaped, counts as gone from the user's view
    only once reaped: /proc shows it until then)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def wait_gone(pid: int, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.02)
    return False


def slow_posts(server, delay: float) -> None:
    """Every post waits `delay`: the worker is ready long before most are parsed."""
    for post in server.column.digests():
        server.fault(post.path, Fault("latency", delay=delay))


def test_the_worker_stores_exactly_what_in_process_parsing_stores(server, tmp_path, workers, monkeypatch):
    slow_posts(server, 0.05)
    broken = server.column.digests()[3]
    server.fault(broken.path, Fault("status", status=200, body=b"<html><body><p>no digest here</p></body></html>",
                                    headers={"Content-Type": "text/html; charset=utf-8"}))
    with Store.open(tmp_path / "worker", seed_sample=False) as store:
        report = run(store, server, concurrency=2)
        with_worker = (snapshot(store), report.to_json(), sorted(report.new_ids), store.failures())
    assert len(workers) == 1 and workers[0].parsed == 24  # every page went through the child
    assert not alive(workers[0].pid)
    monkeypatch.setattr(sync_module, "PARSE_WORKER_FROM", 10**9)
    with Store.open(tmp_path / "threads", seed_sample=False) as store:
        report = run(store, server, concurrency=2)
        in_process = (snapshot(store), report.to_json(), sorted(report.new_ids), store.failures())
    assert len(workers) == 1  # no second worker
    assert with_worker[1]["failed"] and with_worker[1]["failed"][0]["error"].startswith("not a digest: ")
    # Same records, same report, same per-post failure and reason (timestamps aside).
    assert with_worker[:3] == in_process[:3]
    assert [f._replace(at=None) for f in with_worker[3]] == [f._replace(at=None) for f in in_process[3]]


def test_a_small_sync_never_starts_a_worker(server, tmp_path, monkeypatch):
    Recorded.instances = []
    monkeypatch.setattr(sync_module, "ParseWorker", Recorded)
    monkeypatch.setattr(sync_module, "PARSE_WORKER_FROM", 25)  # the column has 24 digests
    with Store.open(tmp_path / "d", seed_sample=False) as store:
        report = run(store, server)
        assert report.fetched == 24 and report.failed == []
    assert Recorded.instances == []


def test_a_worker_that_dies_changes_nothing_the_sync_stores_or_reports(server, tmp_path, workers):
    """Pages the child had not answered, and every later page, are parsed in-process instead."""
    slow_posts(server, 0.05)
    Recorded.kill_after = 3
    with Store.open(tmp_path / "d", seed_sample=False) as store:
        report = run(store, server, concurrency=4)
        assert wait_gone(workers[0].pid)
        assert workers[0].parsed == 3  # the child parsed some, in-process parsing the rest
        assert report.failed == [] and report.fetched == 24 and report.walk_complete
        with Store.open(tmp_path / "threads", seed_sample=False) as reference:
            sync_module.PARSE_WORKER_FROM = 10**9
            server.clear_faults()
            run(reference, server)
            assert snapshot(store) == snapshot(reference)


def test_a_cancel_kills_the_worker_promptly_and_keeps_what_was_committed(server, tmp_path, workers):
    slow_posts(server, 0.1)

    async def cancel_midway(store):
        task = asyncio.create_task(sync(store, source=server.source, options=FAST, concurrency=4))
        deadline = time.monotonic() + 20
        while not (workers and workers[0].parsed >= 4) and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        started = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return time.monotonic() - started

    with Store.open(tmp_path / "d", seed_sample=False) as store:
        took = asyncio.run(cancel_midway(store))
        assert took < 2.5
        assert not alive(workers[0].pid)  # killed and reaped before the cancel returned
        partial = store.known_ids()
        assert 1 <= len(partial) < 24 and store.get_setting(WALK_INCOMPLETE) == "1"
        kept = {d: store.digest(d) for d in partial}
        server.clear_faults()
        report = run(store, server)
        assert report.failed == [] and store.known_ids() == {str(p.id) for p in server.column.digests()}
        assert all(store.digest(d) == kept[d] for d in partial)


def test_a_killed_sync_leaves_no_worker_behind(server, tmp_path):
    """SIGKILL the syncing process (no cleanup runs at all): its worker sees its stdin close and exits."""
    slow_posts(server, 0.2)
    script = textwrap.dedent(f"""
        import asyncio, sys
        sys.path.insert(0, {str(ROOT)!r})
        import sz_digest.cache.sync as s
        from sz_digest.cache.store import Store
        s.PARSE_WORKER_FROM = 1
        real = s.ParseWorker.parse
        async def parse(self, *args):
            print(self.pid, flush=True)
            return await real(self, *args)
        s.ParseWorker.parse = parse
        with Store.open({str(tmp_path / 'd')!r}, seed_sample=False) as store:
            asyncio.run(s.sync(store, source={server.source!r}))
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.strip().isdigit(), "the sync never used its worker"
        worker_pid = int(line)
        assert alive(worker_pid)
        proc.kill()
        proc.wait(10)
        assert wait_gone(worker_pid), "the worker outlived the sync that started it"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    with Store.open(tmp_path / "d", seed_sample=False) as store:  # what was committed is whole
        server.clear_faults()
        report = run(store, server)
        assert report.failed == [] and store.known_ids() == {str(p.id) for p in server.column.digests()}
