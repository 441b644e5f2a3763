"""sz-digest performance benchmark: every budget of issues 6 and 15 measured in one run.

    python bench/run.py [--weeks 520] [--quick] [--out bench/results/latest.json] [--keep DIR]
                        [--only tui|term|pilot|search|cli|parser|sync|disk ...]

Builds a synthetic archive of --weeks weeks (520 = ten years, ~3,900 items; 5,200 = a hundred
years) once in a temporary data dir, through the real parser and store (bench/synth.py), then
measures each row several times and prints a table of medians (p95 where the row is a p95) with
the spread over the runs. Every figure that depends on the machine is a ratio to a baseline
measured in the same run, so the verdicts hold on a slow or noisy machine. Writes the same as JSON
to --out. Not part of the test suite: nothing here asserts; the exit status is 0 when every row is
within budget, 1 otherwise. Budgets that differ with the archive size are taken at 520 and 5,200
weeks (in between: the 5,200 one).

Rows (bench/README.md says what each one means exactly):
  tui_first_frame   reader start to its first full frame, headless, fresh process / bare Textual app
  tui_peak_rss      peak RSS of that process / the bare app's; every probe runs under bench/launch.py,
                    a small fresh process, so the peak is the probe's own (forked from this big
                    process, a child inherited its high-water mark)
  term_n/j/toggle   the reader in a real terminal (a pty, output rendered by pyte; bench/term_probe.py):
                    key written → last screen change it caused, p95, for `n`, `j` and a district toggle
  rss_growth        that reader's RSS after 300 `n` (and 1 s idle) over its RSS after start
  search_p95        Store.search as the reader calls it (limit 100), 100 queries of 1-4 characters,
                    p95 of warm queries and of queries right after a write (a week marked read)
  cli_list_json     `sz-digest list --json` as a whole process / `python3 -c "import sqlite3"`
  cli_search_json   `sz-digest search QUERY --json` likewise (a two- and a four-character query)
  parser            parse_digest on the bundled sample page, pages per second, one thread
  sync_first        first sync of 200 digests, 50 ms per request, loopback / 200 × 50 ms / 4
  sync_resync       immediate re-sync: digest bodies downloaded
  sync_cpu          first sync of 528 digests on loopback, no latency / a plain 4-connection httpx
                    fetch of the same URLs (wall time; process CPU shown beside it); the column is
                    served from its own process (the old in-process placement shown beside it)
  disk_per_week     the data dir's allocated size (database + kept pages) / weeks stored
  pilot (--only pilot) the older headless Pilot rows: `n` and a toggle, key event to rendered frame
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import synth  # noqa: E402

PYTHON = sys.executable
PROBE = BENCH / "tui_probe.py"
SIZE = (120, 40)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(0.95 * len(ordered)) - 1))]


def median(values) -> float:
    return statistics.median(list(values))


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["SZ_DIGEST_CONFIG"] = os.devnull + ".absent.toml"  # no user config file (lang, refresh) leaks in
    env.pop("SZ_DIGEST_HOME", None)
    # Any non-empty value, "0" included, stops Python writing bytecode caches. Both apps must start
    # from compiled caches, as an installed copy does (see `compile_sources`).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def compile_sources() -> None:
    """Write the bytecode caches of our sources, as `pip install` does for an installed copy.

    An editable checkout compiles a module on its first import after each edit and, with
    PYTHONDONTWRITEBYTECODE set, on every import: measured, that is several milliseconds of start-up
    that no installed copy pays, while Textual (installed) is always compiled."""
    import compileall

    for folder in ("cache", "tui"):
        compileall.compile_dir(ROOT / folder, quiet=1)


LAUNCHER = BENCH / "launch.py"


def launch(args: list[str]) -> tuple[float, int, bytes]:
    """Run a probe under bench/launch.py; (spawn moment, its own peak RSS in KiB, its stdout)."""
    proc = subprocess.run([PYTHON, str(LAUNCHER), *args], capture_output=True, env=child_env())
    if proc.returncode != 0:
        raise RuntimeError(f"launcher failed: {proc.stderr.decode(errors='replace')[-2000:]}")
    result = json.loads(proc.stdout)
    if result["exit"] != 0:
        raise RuntimeError(f"{args} exited {result['exit']}: {result['stderr']}")
    return result["started"], result["maxrss_kib"], result["stdout"].encode()


def spread(values) -> str:
    values = list(values)
    return f"{min(values):.3g}–{max(values):.3g}" if values else ""


def spawn(args: list[str], *, capture: bool = True) -> tuple[float, float, int, bytes]:
    """Run a child; return (spawn moment, wall seconds, peak RSS in KiB of that child, stdout)."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env=child_env())
    out = proc.stdout.read() if capture else b""
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage (ru_maxrss in KiB on Linux)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{args} exited {proc.returncode}: {err.decode(errors='replace')[-2000:]}")
    return started, wall, usage.ru_maxrss, out


# -- TUI start-up ---------------------------------------------------------------------------------

def measure_tui_start(base: Path, scratch: Path, weeks: int, runs: int) -> dict:
    """Fresh process per start, bare app and reader alternated so drift hits both alike."""
    bare_t, bare_rss, app_t, app_rss, frames = [], [], [], [], []
    bare_cpu, app_cpu = [], []
    for n in range(runs):
        started, rss, out = launch([PYTHON, str(PROBE), "bare"])
        bare_t.append(json.loads(out)["ready"] - started)
        bare_cpu.append(json.loads(out)["cpu"])
        bare_rss.append(rss)
        data = synth.copy_store(base, scratch / f"tui-start-{n}")
        started, rss, out = launch([PYTHON, str(PROBE), "app", str(data), str(weeks)])
        result = json.loads(out)
        app_t.append(result["ready"] - started)
        app_cpu.append(result["cpu"])
        app_rss.append(rss)
        frames.append(result["frames"])
        shutil.rmtree(data, ignore_errors=True)
        log(f"  start {n + 1}/{runs}: bare {bare_t[-1] * 1000:.0f} ms {bare_rss[-1] / 1024:.0f} MiB, "
            f"reader {app_t[-1] * 1000:.0f} ms {app_rss[-1] / 1024:.0f} MiB; CPU to the frame: bare "
            f"{bare_cpu[-1] * 1000:.0f} ms, reader {app_cpu[-1] * 1000:.0f} ms")
    return {
        "bare_ms": [round(v * 1000, 1) for v in bare_t],
        "reader_ms": [round(v * 1000, 1) for v in app_t],
        "bare_rss_mib": [round(v / 1024, 1) for v in bare_rss],
        "reader_rss_mib": [round(v / 1024, 1) for v in app_rss],
        "reader_frames_to_ready": frames,
        "median_bare_ms": round(median(bare_t) * 1000, 1),
        "median_reader_ms": round(median(app_t) * 1000, 1),
        "median_bare_rss_mib": round(median(bare_rss) / 1024, 1),
        "median_reader_rss_mib": round(median(app_rss) / 1024, 1),
        "time_ratio": round(median(app_t) / median(bare_t), 3),
        # Each reader start against the bare start just before it: what drift within the run
        # (the machine's speed moves by tens of percent in a minute) does not reach. Shown, not the
        # budget's statistic.
        "pair_ratio": round(median([a / b for a, b in zip(app_t, bare_t)]), 3),
        "bare_cpu_ms": [round(v * 1000, 1) for v in bare_cpu],
        "reader_cpu_ms": [round(v * 1000, 1) for v in app_cpu],
        "cpu_ratio": round(median(app_cpu) / median(bare_cpu), 3),
        "rss_ratio": round(median(app_rss) / median(bare_rss), 3),
    }


# -- the reader in a real terminal (bench/term_probe.py) ------------------------------------------

TERM_PROBE = BENCH / "term_probe.py"


def measure_term(base: Path, scratch: Path, runs: int, switches: int, keys: int) -> dict:
    """A fresh reader on a pty per run; key → screen-change latency and RSS growth."""
    per_run = []
    for n in range(runs):
        data = synth.copy_store(base, scratch / f"term-{n}")
        _, _, out = launch([PYTHON, str(TERM_PROBE), str(data), "--switches", str(switches), "--keys", str(keys)])
        shutil.rmtree(data, ignore_errors=True)
        result = json.loads(out)
        run = {"ready_s": result["ready_s"], "rss_start_mib": round(result["rss_start_kib"] / 1024, 1),
               "rss_after_switches_mib": round(result["rss_after_switches_kib"] / 1024, 1),
               "peak_rss_mib": round(result["hwm_kib"] / 1024, 1),
               "rss_growth": round(result["rss_after_switches_kib"] / result["rss_start_kib"] - 1, 4)}
        for key in ("n", "j", "toggle"):
            times = [t * 1000 for t in result[key]]
            run[f"{key}_p95_ms"] = round(p95(times), 2) if times else None
            run[f"{key}_median_ms"] = round(median(times), 2) if times else None
            run[f"{key}_unchanged"] = result[f"{key}_unchanged"]
        per_run.append(run)
        log(f"  terminal {n + 1}/{runs}: n p95 {run['n_p95_ms']} ms (median {run['n_median_ms']}), "
            f"j p95 {run['j_p95_ms']} (median {run['j_median_ms']}), toggle p95 {run['toggle_p95_ms']} "
            f"(median {run['toggle_median_ms']}); RSS {run['rss_start_mib']} → {run['rss_after_switches_mib']} MiB "
            f"after {switches} switches ({run['rss_growth'] * 100:+.1f} %)")
    out = {"runs": per_run, "switches": switches, "keys": keys}
    for field in ("n_p95_ms", "j_p95_ms", "toggle_p95_ms", "n_median_ms", "j_median_ms", "toggle_median_ms",
                  "rss_growth", "rss_start_mib", "rss_after_switches_mib", "peak_rss_mib"):
        values = [r[field] for r in per_run if r[field] is not None]
        out[f"median_{field}"] = round(median(values), 4) if values else None
        out[f"spread_{field}"] = spread(values)
    return out


# -- TUI interaction (Pilot) ---------------------------------------------------------------------

def _busy(app) -> bool:
    nodes = [app, *app.screen.walk_children(with_self=True)]
    return any(node._message_queue.qsize() or node._next_callbacks or getattr(node, "_recompose_required", False)
               for node in nodes)


async def _settle(app) -> None:
    """Until every message queue of the app and its screen's widgets is drained and no callback
    waits: each pass of the event loop lets every pump take its next step."""
    for _ in range(10_000):
        await asyncio.sleep(0)
        if not _busy(app):
            return


async def _frame(pilot, wait: str = "queues") -> None:
    """Until the key's effects are handled and rendered: every queue drained, then one frame
    laid out and composited (what the screen's update timer would do), repeated while that
    frame itself caused more work (a recompose, new children mounting).

    `wait="queues"` watches the queues (`_busy`); `wait="pilot"` uses Pilot's own wait, which
    posts a callback to each of the screen's ~18 widgets (and the app) and waits for them all:
    work the reader never does on a key, so it is measured beside the row, not as it."""
    app = pilot.app
    for _ in range(100):
        if wait == "pilot":
            await pilot._wait_for_screen()
        else:
            await _settle(app)
        if _busy(app):
            continue
        app.screen._on_timer_update()
        await asyncio.sleep(0)
        if not _busy(app):
            return


def _undrawn(app) -> bool:
    """Anything handled but not yet on the screen (a refresh or a layout waiting for a frame)."""
    screen = app.screen
    return bool(screen._dirty_widgets or screen._layout_required or screen._repaint_required
                or screen._compositor._dirty_regions or _busy(app))


async def _timed_key(pilot, key: str, char: str | None, wait: str = "queues") -> tuple[float, bool]:
    """Deliver one key exactly as Pilot.press does (a Key event through the driver), then time to
    the rendered frame. Pilot.press itself is not timed: it sleeps at least 2 × 20 ms
    (wait_for_idle) per key by design. Returns the time and whether Pilot's own wait, run after
    the frame (untimed), found anything left to draw: the check that the frame waited for all."""
    from textual import events

    app = pilot.app
    event = events.Key(key, char)
    event.set_sender(app)
    started = time.perf_counter()
    app._driver.send_message(event)
    await asyncio.sleep(0)
    await _frame(pilot, wait)
    elapsed = time.perf_counter() - started
    await pilot._wait_for_screen()
    return elapsed, _undrawn(app)


def _counted(elapsed: float, undrawn: bool) -> float:
    """A key whose frame the queue wait left unfinished counts as the slowest there is (its time
    is a lower bound only): the p95 stays honest, and is void only when such keys reach it."""
    return math.inf if undrawn else elapsed


async def _interact(data: Path, actions: int) -> dict:
    """`actions` week switches and district toggles timed with each wait, alternated key by key."""
    from sz_digest.cache.config import Config
    from sz_digest.cache.store import Store
    from sz_digest.tui.app import DigestApp

    times = {(kind, wait): [] for kind in ("week_switch", "district_toggle") for wait in WAITS}
    undrawn = 0
    with Store.open(data) as store:
        app = DigestApp(store, config=Config(refresh_interval_hours=0), offline=True, lang="zh")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            screen = app.screen
            screen.query_one("#weeks").focus()
            await pilot.pause()
            for n in range(2 * actions):
                wait = WAITS[n % 2]
                elapsed, left = await _timed_key(pilot, "n", "n", wait)
                times["week_switch", wait].append(_counted(elapsed, left and wait == "queues"))
                undrawn += left and wait == "queues"
                await pilot.pause()
            moved = screen.query_one("#weeks").highlighted_id
            sidebar = screen.query_one("#districts")
            sidebar.focus()
            await pilot.pause()
            for n in range(2 * actions):
                # Cycle the cursor over the district rows (untimed), toggle the one under it (timed).
                wait = WAITS[n % 2]
                count = len(sidebar.row_ids)
                sidebar.move_cursor(1 + (n // 4) % max(1, count - 1))
                await pilot.pause()
                elapsed, left = await _timed_key(pilot, "space", " ", wait)
                times["district_toggle", wait].append(_counted(elapsed, left and wait == "queues"))
                undrawn += left and wait == "queues"
                await pilot.pause()
    return {"times": times, "undrawn_after_frame": undrawn, "week_list_moved_to": moved}


WAITS = ("queues", "pilot")


def measure_interaction(base: Path, scratch: Path, runs: int, actions: int) -> dict:
    """The row's figure waits on the queues; Pilot's own wait (heavier: a callback through every
    widget) is measured on alternate keys of the same run and shown beside it. `undrawn` counts
    keys after whose frame Pilot's wait still found something to draw: it must be 0, or the
    queue wait stopped early and the row is void."""
    p95s = {key: [] for key in ((k, w) for k in ("week_switch", "district_toggle") for w in WAITS)}
    medians = {key: [] for key in p95s}
    undrawn = 0
    for n in range(runs):
        data = synth.copy_store(base, scratch / f"pilot-{n}")
        result = asyncio.run(_interact(data, actions))
        shutil.rmtree(data, ignore_errors=True)
        undrawn += result["undrawn_after_frame"]
        for key, values in result["times"].items():
            p95s[key].append(p95(values) * 1000)
            medians[key].append(median(values) * 1000)
        log(f"  pilot {n + 1}/{runs}: week switch p95 {p95s['week_switch', 'queues'][-1]:.1f} ms "
            f"(median {medians['week_switch', 'queues'][-1]:.1f}; Pilot's wait {p95s['week_switch', 'pilot'][-1]:.1f}), "
            f"district toggle p95 {p95s['district_toggle', 'queues'][-1]:.1f} ms "
            f"(median {medians['district_toggle', 'queues'][-1]:.1f}; Pilot's wait "
            f"{p95s['district_toggle', 'pilot'][-1]:.1f}); undrawn after the frame: {result['undrawn_after_frame']}")
    out = {"actions_per_run": actions, "undrawn_after_frame": undrawn}
    for (kind, wait), values in p95s.items():
        prefix = "" if wait == "queues" else "pilot_wait_"
        out[f"{prefix}{kind}_p95_ms"] = [round(v, 2) for v in values]
        out[f"{prefix}median_{kind}_p95_ms"] = round(median(values), 2)
        out[f"{prefix}median_{kind}_ms"] = round(median(medians[kind, wait]), 2)
    return out


# -- search ----------------------------------------------------------------------------------------

def search_queries(base: Path, count: int = 100, seed: int = 6) -> list[str]:
    """`count` queries of 1-4 characters cut from stored item text (what a reader would type)."""
    rng = random.Random(seed)
    texts = synth.item_texts(base)
    queries: list[str] = []
    while len(queries) < count:
        text = rng.choice(texts)
        length = 1 + len(queries) % 4
        at = rng.randrange(0, max(1, len(text) - length))
        query = text[at:at + length]
        if query.strip() == query and not any(ch in query for ch in "\n,，。、“”：:（）()《》\u3000 "):
            queries.append(query)
    return queries


def measure_search(base: Path, scratch: Path, runs: int) -> dict:
    """Through the query language (cache/query.py), as `search` and the reader's `/` run it: warm,
    and right after a write of read state (the reader writes one on every `n`), which must not
    throw the search cache away."""
    from sz_digest.cache.query import search
    from sz_digest.cache.store import Store

    queries = search_queries(base)
    data = synth.copy_store(base, scratch / "search")
    p95s, medians, after_write_p95s, by_len = [], [], [], {n: [] for n in range(1, 5)}
    with Store.open(data) as store:
        week_ids = [week.id for week in store.weeks()[:50]]
        for query in queries[:20]:  # warm the page cache and the statement cache
            search(store, query, limit=100)
        for n in range(runs):
            times, after_write = [], []
            for i, query in enumerate(queries):
                started = time.perf_counter()
                search(store, query, limit=100)
                elapsed = time.perf_counter() - started
                times.append(elapsed)
                by_len[len(query)].append(elapsed)
                store.set_read(week_ids[i % len(week_ids)], bool(n % 2))
                started = time.perf_counter()
                search(store, query, limit=100)
                after_write.append(time.perf_counter() - started)
            p95s.append(p95(times) * 1000)
            medians.append(median(times) * 1000)
            after_write_p95s.append(p95(after_write) * 1000)
            log(f"  search {n + 1}/{runs}: p95 {p95s[-1]:.2f} ms (median {medians[-1]:.2f} ms), "
                f"right after a write p95 {after_write_p95s[-1]:.2f} ms")
    shutil.rmtree(data, ignore_errors=True)
    return {
        "queries": len(queries),
        "sample_queries": queries[:12],
        "p95_ms": [round(v, 3) for v in p95s],
        "after_write_p95_ms": [round(v, 3) for v in after_write_p95s],
        "median_p95_ms": round(median(p95s), 3),
        "median_after_write_p95_ms": round(median(after_write_p95s), 3),
        "median_ms": round(median(medians), 3),
        "p95_by_length_ms": {str(k): round(p95(v) * 1000, 3) for k, v in by_len.items() if v},
    }


# -- CLI -------------------------------------------------------------------------------------------

def sz_digest_command() -> list[str]:
    script = Path(PYTHON).with_name("sz-digest")
    if script.exists():
        return [str(script)]
    return [PYTHON, "-c", "import sys; from sz_digest.tui.cli import main; sys.exit(main())"]


CLI_SEARCHES = ("社工", "社会工作")  # a two- and a four-character word (both from the counted grams now)


def measure_cli(base: Path, scratch: Path, runs: int) -> dict:
    """Whole processes, alternated with the baseline so drift hits both alike."""
    data = synth.copy_store(base, scratch / "cli")
    commands = {"list": sz_digest_command() + ["--data-dir", str(data), "--offline", "list", "--json"]}
    for query in CLI_SEARCHES:
        commands[f"search {query}"] = sz_digest_command() + ["--data-dir", str(data), "--offline", "search",
                                                             query, "--json"]
    checks = {name: len(json.loads(spawn(command)[3])) for name, command in commands.items()}  # warm, check
    baseline: list[float] = []
    times: dict[str, list[float]] = {name: [] for name in commands}
    rss: dict[str, list[int]] = {name: [] for name in commands}
    for _ in range(runs):
        baseline.append(spawn([PYTHON, "-c", "import sqlite3"], capture=False)[1])
        for name, command in commands.items():
            times[name].append(spawn(command, capture=False)[1])
    for name, command in commands.items():  # peak RSS through the small launcher: the command's own
        for _ in range(3):
            rss[name].append(launch(command)[1])
    shutil.rmtree(data, ignore_errors=True)
    base_ms = median(baseline) * 1000
    out = {"baseline_ms": [round(v * 1000, 1) for v in baseline], "median_baseline_ms": round(base_ms, 1),
           "results": checks, "commands": {}}
    for name in commands:
        ms = median(times[name]) * 1000
        out["commands"][name] = {"ms": [round(v * 1000, 1) for v in times[name]], "median_ms": round(ms, 1),
                                 "ratio": round(ms / base_ms, 3), "spread_ms": spread(v * 1000 for v in times[name]),
                                 "median_peak_rss_mib": round(median(rss[name]) / 1024, 1)}
        log(f"  cli: {name} {ms:.0f} ms ({ms / base_ms:.2f}×, {median(rss[name]) / 1024:.0f} MiB peak), "
            f"python -c 'import sqlite3' {base_ms:.0f} ms")
    search_ratios = [out["commands"][f"search {q}"]["ratio"] for q in CLI_SEARCHES]
    out["ratio"] = out["commands"]["list"]["ratio"]
    out["median_cli_ms"] = out["commands"]["list"]["median_ms"]
    out["search_ratio"] = max(search_ratios)
    out["search_ms"] = max(out["commands"][f"search {q}"]["median_ms"] for q in CLI_SEARCHES)
    return out


# -- parser ----------------------------------------------------------------------------------------

def measure_parser(runs: int, seconds: float) -> dict:
    from sz_digest.cache.parser import parse_digest, sample_page

    raw, url = sample_page()
    for _ in range(50):
        parse_digest(raw, url)
    rates = []
    for _ in range(runs):
        pages = 0
        started = time.perf_counter()
        deadline = started + seconds
        while True:
            for _ in range(50):
                parse_digest(raw, url)
            pages += 50
            now = time.perf_counter()
            if now >= deadline:
                break
        rates.append(pages / (now - started))
    log(f"  parser: {median(rates):.0f} pages/s")
    return {"page_bytes": len(raw), "pages_per_s": [round(r) for r in rates], "median_pages_per_s": round(median(rates))}


# -- sync (bench/bench_sync.py) --------------------------------------------------------------------

def measure_sync(runs: int) -> dict:
    try:
        import bench_sync
        from tests.loopback import LoopbackServer, make_column
    except ImportError as exc:  # bench_sync.py / tests/loopback.py not present in this checkout
        log(f"  sync: skipped ({exc})")
        return {"skipped": str(exc)}
    digests, latency, concurrency = 200, 0.05, 4
    ideal = digests * latency / concurrency
    results = []
    with LoopbackServer(make_column(digests, 50, 20), latency=latency) as server:
        for n in range(runs):
            result = bench_sync.one_run(server, concurrency)
            results.append(result)
            log(f"  sync {n + 1}/{runs}: {result['wall_s']:.2f} s, {result['fetched']} fetched; re-sync "
                f"{result['resync_wall_s']:.2f} s, {result['resync_bodies_downloaded']} bodies")
    walls = [r["wall_s"] for r in results]
    return {
        "digests": digests,
        "latency_s": latency,
        "concurrency": concurrency,
        "ideal_s": ideal,
        "wall_s": walls,
        "fetched": [r["fetched"] for r in results],
        "median_wall_s": round(median(walls), 3),
        "ratio": round(median(walls) / ideal, 3),
        "resync_bodies_downloaded_max": max(r["resync_bodies_downloaded"] for r in results),
        "resync_fetched_max": max(r["resync_fetched"] for r in results),
        "median_resync_wall_s": round(median(r["resync_wall_s"] for r in results), 3),
    }


def _plain_fetch(urls: list[str], concurrency: int) -> None:
    """The transport alone: the same URLs with a plain httpx client, `concurrency` at a time."""
    import httpx

    async def run() -> None:
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        async with httpx.AsyncClient(limits=limits) as client:
            sem = asyncio.Semaphore(concurrency)

            async def get(url: str) -> None:
                async with sem:
                    response = await client.get(url)
                    response.read()

            async with asyncio.TaskGroup() as tg:
                for url in urls:
                    tg.create_task(get(url))

    asyncio.run(run())


def measure_sync_cpu(runs: int, digests: int = 528) -> dict:
    """First sync of `digests` digests on loopback with no latency, against a plain httpx fetch of the
    very URLs the sync requested (list pages and posts), alternated; wall and process CPU.

    The row's ratio serves the column from a process of its own (`python -m tests.loopback`, via
    bench_sync.RemoteColumn) for both sides: served from this process, the server's threads share
    the measured process's GIL and CPU clock and inflate both. The old in-process placement is
    measured too, alternated, and shown beside it (`inproc_*`), so earlier numbers stay comparable.

    The row's sync parses and stores in a forked child, as `sz-digest sync` does (cache/sync_child.py:
    forked before the store is opened, its CPU in `child_cpu_s`); it forks only with no other thread
    running, so the in-process server is started only for its own runs. The `inproc_*` runs parse
    and store on threads, as before."""
    try:
        from tests.loopback import LoopbackServer, make_column
        import bench_sync
    except ImportError as exc:
        log(f"  sync cpu: skipped ({exc})")
        return {"skipped": str(exc)}
    concurrency = 4
    placements = {"process": ([], [], [], [], []), "inproc": ([], [], [], [], [])}
    requests = {}
    child_cpu: list[float] = []
    forked: list[bool] = []

    def one(place: str, server, urls_of) -> None:
        sync_wall, sync_cpu, plain_wall, plain_cpu, fetched = placements[place]
        with tempfile.TemporaryDirectory(prefix="sz-bench-sync-") as tmp:
            report, wall, cpu, children, did_fork = bench_sync.first_sync(server, tmp, concurrency, place == "process")
            sync_wall.append(wall)
            sync_cpu.append(cpu)
            if place == "process":
                child_cpu.append(children if did_fork else 0.0)
                forked.append(did_fork)
                if not did_fork:
                    log(f"  sync cpu: no child forked ({threading.active_count()} threads running): threads measured")
            fetched.append(report.fetched)
            urls = urls_of(report)
        requests[place] = len(urls)
        cpu, started = time.process_time(), time.perf_counter()
        _plain_fetch(urls, concurrency)
        plain_wall.append(time.perf_counter() - started)
        plain_cpu.append(time.process_time() - cpu)
        log(f"  sync {digests} ({place} server) {len(sync_wall)}/{runs}: {sync_wall[-1]:.2f} s "
            f"({sync_cpu[-1]:.2f} s CPU), plain httpx {plain_wall[-1]:.2f} s ({plain_cpu[-1]:.2f} s CPU), "
            f"{report.fetched} fetched, {len(urls)} requests")

    def first_sync_urls(remote):
        def urls_of(report) -> list[str]:
            urls = remote.first_sync_urls()
            assert len(urls) == report.pages + report.fetched + len(report.failed)
            return urls
        return urls_of

    column = make_column(digests, 50, 20)
    with bench_sync.RemoteColumn(digests, 50, 20, 0.0) as remote:
        for n in range(runs):
            for place in (("process", "inproc") if n % 2 == 0 else ("inproc", "process")):
                if place == "inproc":
                    with LoopbackServer(column, latency=0.0) as server:
                        one(place, server, lambda report: [server.url(path) for path in server.fetched_paths()])
                else:
                    one(place, remote, first_sync_urls(remote))

    def summary(place: str, prefix: str) -> dict:
        sync_wall, sync_cpu, plain_wall, plain_cpu, fetched = placements[place]
        return {
            f"{prefix}fetched": fetched, f"{prefix}requests": requests[place],
            f"{prefix}sync_wall_s": [round(v, 3) for v in sync_wall],
            f"{prefix}sync_cpu_s": [round(v, 3) for v in sync_cpu],
            f"{prefix}plain_wall_s": [round(v, 3) for v in plain_wall],
            f"{prefix}plain_cpu_s": [round(v, 3) for v in plain_cpu],
            f"{prefix}median_sync_wall_s": round(median(sync_wall), 3),
            f"{prefix}median_plain_wall_s": round(median(plain_wall), 3),
            f"{prefix}median_sync_cpu_s": round(median(sync_cpu), 3),
            f"{prefix}median_plain_cpu_s": round(median(plain_cpu), 3),
            f"{prefix}ratio": round(median(sync_wall) / median(plain_wall), 3),
            f"{prefix}ratios": [round(a / b, 3) for a, b in zip(sync_wall, plain_wall)],
            # The sync's CPU with its child's (where it parsed and stored) against the plain fetch's.
            f"{prefix}cpu_ratio": round(median([a + b for a, b in zip(sync_cpu, child_cpu)] if place == "process"
                                               else sync_cpu) / median(plain_cpu), 3),
        }

    return {"digests": digests, "concurrency": concurrency, "server": "own process",
            "forked": forked, "child_cpu_s": [round(v, 3) for v in child_cpu], "median_child_cpu_s": round(median(child_cpu), 3),
            **summary("process", ""), **summary("inproc", "inproc_")}


def measure_disk(base: Path, weeks: int) -> dict:
    """What the archive occupies: allocated blocks (st_blocks), not file lengths, of every file."""
    files, allocated, length = 0, 0, 0
    by_part: dict[str, int] = {}
    for path in base.rglob("*"):
        if path.is_file():
            st = path.stat()
            files += 1
            allocated += st.st_blocks * 512
            length += st.st_size
            part = path.relative_to(base).parts[0]
            by_part[part] = by_part.get(part, 0) + st.st_blocks * 512
    per_week = allocated / max(1, weeks)
    log(f"  disk: {allocated / 2**20:.1f} MiB in {files} files, {per_week / 1000:.1f} KB per week")
    return {"files": files, "allocated_bytes": allocated, "length_bytes": length, "weeks": weeks,
            "per_week_kb": round(per_week / 1000, 2), "by_part_bytes": by_part}


# -- report ----------------------------------------------------------------------------------------

def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import textual

    return {"nproc": os.cpu_count(), "cpu": model or platform.processor(), "python": platform.python_version(),
            "textual": textual.__version__, "sqlite": __import__("sqlite3").sqlite_version,
            "platform": platform.platform()}


def rows(results: dict) -> list[dict]:
    out = []
    weeks = results.get("archive", {}).get("weeks", synth.WEEKS)
    large = weeks > synth.WEEKS  # the 5,200-week budgets apply
    frame_budget, rss_budget = (1.3, 1.5) if large else (1.2, 1.3)

    def row(key, what, value, shown, budget_text, ok, baseline="", runs=""):
        out.append({"row": key, "what": what, "value": value, "shown": shown, "baseline": baseline,
                    "budget": budget_text, "ok": ok, "runs": runs})

    if "tui" in results:
        tui = results["tui"]
        row("tui_first_frame", f"TUI first full frame, {weeks:,} weeks (headless)", tui["time_ratio"],
            f"{tui['time_ratio']:.2f}× ({tui['median_reader_ms']:.0f} ms)", f"≤ {frame_budget}×",
            tui["time_ratio"] <= frame_budget, f"bare Textual app {tui['median_bare_ms']:.0f} ms"
            + (f"; start by start {tui['pair_ratio']:.2f}×" if "pair_ratio" in tui else ""),
            "reader " + spread(tui["reader_ms"]) + " ms")
        # Not a budget row: the same starts' CPU up to the frame, which a noisy machine blurs far
        # less than the wall time (shown so a wall-time miss can be read against it).
        row("tui_first_frame_cpu", f"… its CPU time to the first frame, {weeks:,} weeks", tui["cpu_ratio"],
            f"{tui['cpu_ratio']:.2f}× ({median(tui['reader_cpu_ms']):.0f} ms)", "(shown)", True,
            f"bare Textual app {median(tui['bare_cpu_ms']):.0f} ms", "reader " + spread(tui["reader_cpu_ms"]) + " ms")
        row("tui_peak_rss", "TUI peak RSS (each alone)", tui["rss_ratio"],
            f"{tui['rss_ratio']:.2f}× ({tui['median_reader_rss_mib']:.0f} MiB)", f"≤ {rss_budget}×",
            tui["rss_ratio"] <= rss_budget, f"bare Textual app {tui['median_bare_rss_mib']:.0f} MiB",
            "reader " + spread(tui["reader_rss_mib"]) + " MiB")
    if "term" in results and "skipped" in results["term"]:
        row("term", "the reader in a terminal (bench/term_probe.py; needs pyte: pip install -e '.[test]')", None,
            "failed: " + results["term"]["skipped"].strip().splitlines()[-1][:80], "runs", False)
    elif "term" in results:
        term = results["term"]
        for key, what in (("n", "`n` (next week)"), ("j", "`j` (week list down)"), ("toggle", "toggle a district")):
            value = term[f"median_{key}_p95_ms"]
            row(f"term_{key}", f"{what} in a terminal, key → screen, p95", value,
                f"{value:.1f} ms (median {term[f'median_{key}_median_ms']:.1f})" if value is not None else "—",
                "≤ 12 ms", value is not None and value <= 12, "", "p95 " + term[f"spread_{key}_p95_ms"] + " ms")
        value = term["median_rss_growth"]
        row("rss_growth", f"RSS growth after {term['switches']} week switches", value,
            f"{value * 100:+.1f} % ({term['median_rss_start_mib']:.0f} → {term['median_rss_after_switches_mib']:.0f} MiB)",
            "≤ 10 %", value <= 0.10, "RSS after start", spread(v * 100 for v in [r["rss_growth"] for r in term["runs"]]) + " %")
    if "pilot" in results:
        pilot = results["pilot"]
        undrawn = pilot["undrawn_after_frame"]  # keys whose last frame the queue wait did not see
        for key, what in (("week_switch", "switch week (`n`)"), ("district_toggle", "toggle a district")):
            value = pilot[f"median_{key}_p95_ms"]
            whole = math.isfinite(value)  # those keys count as infinitely slow (`_counted`)
            row("week_switch_p95" if key == "week_switch" else "district_p95",
                f"{what}, headless Pilot, p95 of {pilot['actions_per_run']}", value,
                f"{value:.1f} ms (median {pilot[f'median_{key}_ms']:.1f})", "≤ 16 ms", whole and value <= 16,
                baseline=f"with Pilot's own wait (a callback through every widget): "
                         f"{pilot[f'pilot_wait_median_{key}_p95_ms']:.1f} ms"
                         + (f"; {undrawn} keys left undrawn, counted as the slowest" if undrawn and whole else "")
                         + ("" if whole else f"; VOID: {undrawn} keys left undrawn reach the p95"))
    if "search" in results:
        search = results["search"]
        value = max(search["median_p95_ms"], search["median_after_write_p95_ms"])
        row("search_p95", "search in the reader, 100 queries of 1–4 chars, p95 (warm / after a write)", value,
            f"{search['median_p95_ms']:.2f} / {search['median_after_write_p95_ms']:.2f} ms", "≤ 5 ms", value <= 5,
            "", spread(search["p95_ms"]) + " ms")
    if "cli" in results:
        cli = results["cli"]
        base = f"`python3 -c \"import sqlite3\"` {cli['median_baseline_ms']:.0f} ms"
        listed = cli["commands"]["list"]
        row("cli_list_json", f"`sz-digest list --json`, {weeks:,} weeks, whole process", cli["ratio"],
            f"{cli['ratio']:.2f}× ({cli['median_cli_ms']:.0f} ms, {listed['median_peak_rss_mib']:.0f} MiB)", "≤ 4×",
            cli["ratio"] <= 4, base, listed["spread_ms"] + " ms")
        for query in CLI_SEARCHES:
            one = cli["commands"][f"search {query}"]
            row(f"cli_search_json_{len(query)}", f"`sz-digest search {query} --json`, whole process", one["ratio"],
                f"{one['ratio']:.2f}× ({one['median_ms']:.0f} ms, {one['median_peak_rss_mib']:.0f} MiB)", "≤ 4×",
                one["ratio"] <= 4, base, one["spread_ms"] + " ms")
    if "parser" in results:
        value = results["parser"]["median_pages_per_s"]
        row("parser", "parser throughput, sample page, one core", value, f"{value:,} pages/s", "≥ 1,000 pages/s",
            value >= 1000, "", spread(results["parser"]["pages_per_s"]))
    if "sync" in results and "skipped" not in results["sync"]:
        sync = results["sync"]
        row("sync_first", "first sync, 200 digests, 50 ms latency, loopback", sync["ratio"],
            f"{sync['ratio']:.2f}× ({sync['median_wall_s']:.2f} s)", "≤ 1.5×", sync["ratio"] <= 1.5,
            f"ideal 200 × 50 ms / {sync['concurrency']} = {sync['ideal_s']:.2f} s", spread(sync["wall_s"]) + " s")
        value = sync["resync_bodies_downloaded_max"]
        row("sync_resync", "immediate re-sync: digest bodies downloaded", value, str(value), "0", value == 0)
    if "sync_cpu" in results and "skipped" not in results["sync_cpu"]:
        sc = results["sync_cpu"]
        row("sync_cpu", f"first sync, {sc['digests']} digests, no latency, loopback", sc["ratio"],
            f"{sc['ratio']:.2f}× ({sc['median_sync_wall_s']:.2f} s; CPU {sc['median_sync_cpu_s']:.2f} s"
            f" + child {sc.get('median_child_cpu_s', 0.0):.2f} s)", "≤ 2×",
            sc["ratio"] <= 2,
            f"plain httpx, same {sc['requests']} URLs, 4 at a time: {sc['median_plain_wall_s']:.2f} s "
            f"(CPU {sc['median_plain_cpu_s']:.2f} s); server in its own process (served from the bench's "
            f"process, the old method: {sc.get('inproc_ratio', float('nan')):.2f}×)", spread(sc["ratios"]) + "×")
    if "disk" in results:
        disk = results["disk"]
        value = disk["per_week_kb"]
        row("disk_per_week", f"disk per stored week ({weeks:,} weeks: database + kept pages)", value,
            f"{value:.1f} KB ({disk['allocated_bytes'] / 2**20:.0f} MiB)", "≤ 20 KB", value <= 20)
    return out


def print_table(table: list[dict]) -> None:
    headers = ("what", "median", "baseline (same run)", "budget", "", "spread over runs")
    cells = [(r["what"], r["shown"], r["baseline"] or "—", r["budget"], ("ok" if r["ok"] else "MISS") if r["budget"] != "(shown)" else "", r["runs"] or "")
             for r in table]
    widths = [max(len(str(c[i])) for c in [headers, *cells]) for i in range(len(headers))]
    for line in [headers, tuple("-" * w for w in widths), *cells]:
        print("  ".join(str(c).ljust(w) for c, w in zip(line, widths)).rstrip())


def main(argv: list[str] | None = None) -> int:
    kinds = ("tui", "term", "pilot", "search", "cli", "parser", "sync", "sync_cpu", "disk")
    ap = argparse.ArgumentParser(description="sz-digest performance benchmark (issues 6 and 15 budgets)")
    ap.add_argument("--weeks", type=int, default=synth.WEEKS,
                    help="weeks in the synthetic archive (default 520, ten years; 5200 is a hundred years)")
    ap.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke run)")
    ap.add_argument("--out", type=Path, default=None,
                    help="JSON results (default bench/results/latest.json, latest-WEEKS.json when --weeks is not 520)")
    ap.add_argument("--only", action="append", choices=kinds,
                    help="run only these measurements (repeatable); pilot runs only when asked for")
    ap.add_argument("--keep", type=Path, default=None, help="build the archive here and keep it")
    args = ap.parse_args(argv)
    if args.weeks < 400:
        ap.error("--weeks must be at least 400 (the terminal probe switches 300 weeks and moves 100 more)")
    if args.out is None:
        args.out = BENCH / "results" / ("latest.json" if args.weeks == synth.WEEKS else f"latest-{args.weeks}.json")

    reps = {"tui": 3, "term": 1, "pilot": 1, "search": 3, "cli": 5, "parser": 3, "sync": 2, "sync_cpu": 1,
            "disk": 1} if args.quick else \
           {"tui": 15, "term": 3, "pilot": 3, "search": 5, "cli": 9, "parser": 5, "sync": 3, "sync_cpu": 3, "disk": 1}
    actions = 200
    wanted = set(args.only or (k for k in reps if k != "pilot"))
    begun = time.perf_counter()
    compile_sources()
    results: dict = {"machine": machine(), "quick": args.quick, "repetitions": reps}
    scratch = Path(tempfile.mkdtemp(prefix="sz-bench-"))
    try:
        base = args.keep or scratch / "archive"
        log(f"building the synthetic archive of {args.weeks:,} weeks in {base} …")
        started = time.perf_counter()
        results["archive"] = synth.build_store(base, weeks=args.weeks)
        results["archive"]["build_s"] = round(time.perf_counter() - started, 2)
        log(f"  {results['archive']['weeks']} weeks, {results['archive']['items']} items "
            f"({results['archive']['first_week']} → {results['archive']['last_week']}) "
            f"in {results['archive']['build_s']:.1f} s (the search index: {results['archive']['search_index_cpu_s']:.1f} s of CPU)")
        weeks = results["archive"]["weeks"]
        if "disk" in wanted:
            log("disk …")
            results["disk"] = measure_disk(base, weeks)
        if "tui" in wanted:
            log("TUI start-up (fresh process each, alternating with a bare Textual app) …")
            results["tui"] = measure_tui_start(base, scratch, weeks, reps["tui"])
        if "term" in wanted:
            keys = 40 if args.quick else 60
            log(f"the reader in a terminal (300 `n`, {keys} `j`, {keys} toggles per run) …")
            try:
                results["term"] = measure_term(base, scratch, reps["term"], 300, keys)
            except (RuntimeError, KeyError, ValueError) as exc:  # e.g. pyte missing: say so, as a MISS
                log(f"  terminal probe failed: {exc}")
                results["term"] = {"skipped": str(exc)[-300:]}
        if "pilot" in wanted:
            log(f"TUI interaction, headless ({actions} week switches, {actions} district toggles per run) …")
            results["pilot"] = measure_interaction(base, scratch, reps["pilot"], actions)
        if "search" in wanted:
            log("search …")
            results["search"] = measure_search(base, scratch, reps["search"])
        if "cli" in wanted:
            log("sz-digest list --json, search --json …")
            results["cli"] = measure_cli(base, scratch, reps["cli"])
        if "parser" in wanted:
            log("parser …")
            results["parser"] = measure_parser(reps["parser"], 0.5 if args.quick else 1.0)
        if "sync" in wanted:
            log("sync (bench/bench_sync.py against the loopback column) …")
            results["sync"] = measure_sync(reps["sync"])
        if "sync_cpu" in wanted:
            log("sync of 528 digests without latency, against a plain httpx fetch …")
            results["sync_cpu"] = measure_sync_cpu(reps["sync_cpu"])
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    results["rows"] = rows(results)
    results["elapsed_s"] = round(time.perf_counter() - begun, 1)
    print()
    print_table(results["rows"])
    m = results["machine"]
    print(f"\n{weeks:,} weeks · {m['nproc']} cores · {m['cpu']} · Python {m['python']} · Textual {m['textual']} · "
          f"SQLite {m['sqlite']} · {results['elapsed_s']:.0f} s")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", "utf-8")
    log(f"wrote {args.out}")
    return 0 if all(r["ok"] for r in results["rows"]) else 1


if __name__ == "__main__":
    sys.exit(main())
