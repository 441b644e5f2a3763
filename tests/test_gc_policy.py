"""The reader's collector policy (tui/app.py GarbageCollector): young passes while keys come in, a
full pass at the first quiet interval or after GC_FULL_AFTER young passes, never a full pass for
nothing. Without the full passes, cyclic garbage promoted to the oldest generation is never freed."""

from __future__ import annotations

import pytest

from sz_digest.tui import app as app_module
from sz_digest.tui.app import GC_FULL_AFTER, GarbageCollector


@pytest.fixture
def passes(monkeypatch):
    """Replace gc.get_count/gc.collect: `allocated[0]` is what the next tick sees; passes are recorded."""
    allocated = [0]
    done: list[int] = []
    monkeypatch.setattr(app_module.gc, "get_count", lambda: (allocated[0], 0, 0))
    monkeypatch.setattr(app_module.gc, "collect", lambda generation=2: done.append(generation) or 0)
    return allocated, done


def test_idle_reader_never_collects(passes):
    allocated, done = passes
    collector = GarbageCollector()
    for _ in range(20):
        collector.tick()
    assert done == []


def test_a_quiet_interval_after_activity_runs_one_full_pass(passes):
    allocated, done = passes
    collector = GarbageCollector()
    allocated[0] = 5000
    collector.tick()
    assert done == [1]
    allocated[0] = 0
    collector.tick()
    collector.tick()
    assert done == [1, 2]  # one full pass, not one per quiet tick


def test_steady_keypresses_get_a_full_pass_every_few_young_ones(passes):
    allocated, done = passes
    collector = GarbageCollector()
    allocated[0] = 5000
    for _ in range(GC_FULL_AFTER * 3):
        collector.tick()
    assert done.count(2) == 3
    assert done.count(1) == GC_FULL_AFTER * 3

