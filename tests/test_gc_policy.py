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



class Keys:
    """A fake clock and event loop: `press(at)` is a key at that time; `run_scheduled` runs what was
    scheduled, in order, the clock moved on by each one's delay; `frame_until` says until when the
    key's frame is still being made."""

    def __init__(self) -> None:
        self.now = 0.0
        self.scheduled: list[tuple[float, object]] = []
        self.frame_until = 0.0
        self.collector = GarbageCollector(clock=lambda: self.now,
                                          later=lambda delay, callback: self.scheduled.append((delay, callback)),
                                          drawing=lambda: self.now < self.frame_until)

    def press(self, at: float) -> None:
        self.now = at
        self.collector.key_pressed()

    def run_scheduled(self) -> list[float]:
        """The times the scheduled callbacks ran at (those they schedule run too)."""
        ran = []
        while self.scheduled:
            delay, callback = self.scheduled.pop(0)
            self.now += delay
            ran.append(self.now)
            callback()
        return ran


def test_while_keys_come_in_the_timer_leaves_the_passes_to_just_after_a_key(passes):
    allocated, done = passes
    keys = Keys()
    allocated[0] = 5000
    keys.press(10.0)
    keys.now = 10.005  # the timer fires while the key's frame is still being drawn
    keys.collector.tick()
    assert done == []
    assert [delay for delay, _ in keys.scheduled] == [app_module.GC_AFTER_KEY]
    keys.run_scheduled()
    assert done == [1]


def test_passes_after_keys_are_one_per_interval_however_fast_the_keys(passes):
    allocated, done = passes
    keys = Keys()
    allocated[0] = 5000
    for n in range(40):  # a held-down key: 30 a second for 1.3 s
        keys.press(10.0 + n / 30)
        keys.run_scheduled()
        keys.collector.tick()  # the interval timer, as often as keys come: never collects meanwhile
    young = done.count(1)
    assert 4 <= young <= 6  # 1.3 s / GC_INTERVAL
    assert done.count(2) == young // GC_FULL_AFTER
    keys.now += 1.0  # quiet again: the timer does the last full pass
    allocated[0] = 0
    keys.collector.tick()
    assert done[-1] == 2


def test_one_pass_is_scheduled_per_burst_of_keys(passes):
    keys = Keys()
    for n in range(5):
        keys.press(10.0 + n * 0.001)  # five keys before the first pass is due
    assert len(keys.scheduled) == 1


async def test_a_key_in_the_reader_plans_a_pass_after_it(tmp_path):
    from sz_digest.cache.config import Config
    from sz_digest.cache.store import Store
    from sz_digest.tui.app import DigestApp

    with Store.open(tmp_path / "data") as store:
        app = DigestApp(store, config=Config(refresh_interval_hours=0), offline=True)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            assert app.collector is not None
            before = app.collector.last_key
            await pilot.press("j")
            assert app.collector.last_key > before


def test_a_slow_frame_is_put_out_before_the_pass(passes):
    """On a busy machine a key's frame may take longer than GC_AFTER_KEY: the pass waits for it."""
    allocated, done = passes
    keys = Keys()
    allocated[0] = 5000
    keys.press(10.0)
    keys.frame_until = 10.0 + app_module.GC_AFTER_KEY + 0.012
    ran = keys.run_scheduled()
    assert done == [1]
    assert ran[-1] >= keys.frame_until and ran[-2] < keys.frame_until


def test_a_failing_look_at_the_screen_still_collects_and_raises_nothing(passes):
    allocated, done = passes
    keys = Keys()

    def closing() -> bool:
        raise RuntimeError("no screen")

    keys.collector.drawing = closing
    allocated[0] = 5000
    keys.press(10.0)
    keys.run_scheduled()
    assert done == [1]


def test_a_keys_writes_are_held_until_its_frame_is_out(passes):
    """A key holds the store's writes (a job handed to the writer thread mid-frame takes the
    interpreter from the frame); they are released once the frame is out, before the pass."""
    allocated, done = passes
    keys = Keys()
    events: list[tuple[str, float]] = []
    keys.collector.hold = lambda: events.append(("hold", keys.now))
    keys.collector.release = lambda: events.append(("release", keys.now))
    keys.press(10.0)
    keys.frame_until = 10.0 + app_module.GC_AFTER_KEY + 0.012
    keys.run_scheduled()
    assert events[0] == ("hold", 10.0)
    assert [what for what, _ in events] == ["hold", "release"] and events[1][1] >= keys.frame_until


def test_a_screen_that_keeps_drawing_still_gets_its_writes_and_pass(passes):
    """A spinner redraws for as long as it spins: after GC_WAIT_LIMIT the held writes go anyway."""
    allocated, done = passes
    keys = Keys()
    released: list[float] = []
    keys.collector.release = lambda: released.append(keys.now)
    allocated[0] = 5000
    keys.press(10.0)
    keys.frame_until = 10.0 + 60.0  # never idle
    keys.run_scheduled()
    assert done == [1] and len(released) == 1
    assert 10.0 + app_module.GC_WAIT_LIMIT <= released[0] < 10.0 + app_module.GC_WAIT_LIMIT + 0.05
