"""Store faults under sync: SIGKILL at random moments, resuming afterwards, two syncs at once.

Each sync runs in a subprocess (`python -m sz_digest.tui.cli_sync`) against the loopback column served
from this process, so the kill is a real SIGKILL of a process in the middle of SQLite commits.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from sz_digest.cache.fetch import FetchOptions
from sz_digest.cache.parser import parse_digest
from sz_digest.cache.store import Store
from sz_digest.cache.sync import sync

try:
    from tests.loopback import LoopbackServer, make_column, render_post
except ImportError:
    from loopback import LoopbackServer, make_column, render_post

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and flock are POSIX")

FAST = FetchOptions(connect_timeout=1.0, read_timeout=1.0, total_timeout=3.0, backoff_base=0.02, backoff_max=0.05)
KILLS = 20


@pytest.fixture(scope="module")
def server():
    with LoopbackServer(make_column(digests=40, non_digests=8, per_page=12), latency=0.01) as srv:
        yield srv


@pytest.fixture(scope="module")
def reference(server, tmp_path_factory):
    """What an uninterrupted sync stores."""
    with Store.open(tmp_path_factory.mktemp("ref"), seed_sample=False) as store:
        report = asyncio.run(sync(store, source=server.source, options=FAST))
        assert report.failed == [] and report.fetched == 40
        return snapshot(store)


def snapshot(store: Store) -> dict:
    return {d: (store.digest(d), tuple(store.items_for(d))) for d in sorted(store.known_ids() - store.sample_ids())}


def start_sync(server, data_dir: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "sz_digest.tui.cli_sync", "--data-dir", str(data_dir), "--source", server.source,
         "--json", "--fast-retries", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_sigkill_at_random_moments_never_corrupts_and_the_next_sync_completes(server, reference, tmp_path):
    rng = random.Random(int(os.environ.get("SZ_KILL_SEED", "20260330")))
    expected = {str(p.id): parse_digest(render_post(p), server.url(p.path)) for p in server.column.digests()}
    outcomes = {"before any digest": 0, "mid-sync": 0, "after it finished": 0}
    for run in range(KILLS):
        data = tmp_path / f"run{run}"
        server.clear_log()
        proc = start_sync(server, data)
        # Kill once the server has answered a random number of post requests (0..all), plus jitter,
        # so kills land before, between and during commits.
        target = rng.randint(0, 44)
        deadline = time.monotonic() + 20
        while len(server.post_requests()) < target and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        time.sleep(rng.uniform(0, 0.03))
        finished = proc.poll() is not None
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=10)

        with Store.open(data) as store:  # always opens
            assert store._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            stored = snapshot(store)
            for digest_id, (digest, items) in stored.items():  # every committed digest is whole
                assert digest == expected[digest_id] and len(items) == len(expected[digest_id].items)
            if finished or len(stored) == 40:
                outcomes["after it finished"] += 1
            elif stored:
                outcomes["mid-sync"] += 1
            else:
                outcomes["before any digest"] += 1
            # The next sync picks up the rest and ends where an uninterrupted one does.
            report = asyncio.run(sync(store, source=server.source, options=FAST))
            assert report.failed == []
            assert snapshot(store) == reference
            assert not set(report.new_ids) & set(stored)
    print(f"\nSIGKILL x{KILLS}: {outcomes}")
    assert outcomes["mid-sync"] >= KILLS // 3, outcomes


def test_two_syncs_at_once_both_finish_and_one_says_it_waits(server, reference, tmp_path):
    data = tmp_path / "shared"
    Store.open(data).close()  # create it first, so both processes open an existing store
    server.clear_log()
    # The first sync runs slowly (~4 s for its 40 digests, each request well inside the fast read
    # timeout) until the second has found it running, then at full speed: a second process slow to
    # start on a busy machine still finds the first one running.
    server.latency = 0.4
    try:
        first = start_sync(server, data)
        deadline = time.monotonic() + 20
        while not server.fetched_paths() and time.monotonic() < deadline:
            time.sleep(0.01)
        second = start_sync(server, data)
        said_it_waits = threading.Event()
        err2_lines: list[str] = []

        def read_second_stderr() -> None:
            for line in second.stderr:
                err2_lines.append(line)
                if "waiting for it to finish" in line:
                    said_it_waits.set()

        reader = threading.Thread(target=read_second_stderr, daemon=True)
        reader.start()
        said_it_waits.wait(timeout=30)
        server.latency = 0.01
        out1, err1 = first.communicate(timeout=60)
        out2 = second.stdout.read()
        second.wait(timeout=60)
        reader.join(timeout=10)
        err2 = "".join(err2_lines)
    finally:
        server.latency = 0.01
    assert first.returncode == 0 and second.returncode == 0, (err1, err2)
    for err in (err1, err2):
        assert "Traceback" not in err and "locked" not in err
    assert "waiting for it to finish" in err2
    assert json.loads(out1)["fetched"] == 40 and json.loads(out2)["fetched"] == 0
    with Store.open(data) as store:
        assert store._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert snapshot(store) == reference
    bodies = server.bodies_served()
    assert len(bodies) == len(set(bodies)) == 40, "the waiting sync found the work done"


def test_a_sync_alongside_a_writing_reader_does_not_fail(server, reference, tmp_path):
    """The TUI marking items read while `sz-digest sync` runs: IMMEDIATE transactions, no 'locked'."""
    data = tmp_path / "busy"
    with Store.open(data) as reader:
        proc = start_sync(server, data)
        writes = 0
        while proc.poll() is None:
            for digest_id in list(reader.known_ids())[:5]:
                reader.set_read(digest_id)
                reader.set_item_read(digest_id, 0)
                writes += 1
            time.sleep(0.005)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0 and "Traceback" not in err, err
        assert snapshot(reader) == reference
