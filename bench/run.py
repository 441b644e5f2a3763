"""sz-digest performance benchmark: every budget of issue 6 measured in one run.

    python bench/run.py [--quick] [--out bench/results/latest.json] [--keep DIR]

Builds a synthetic 520-week archive (~4,000 items) once in a temporary data dir, through the real
parser and store (bench/synth.py), then measures each row several times and prints a table of
medians (and p95 where the row is a p95). Every figure that depends on the machine is a ratio to a
baseline measured in the same run, so the verdicts hold on a slow or noisy machine. Writes the
same as JSON to --out. Not part of the test suite: nothing here asserts; the exit status is 0 when
every row is within budget, 1 otherwise.

Rows (see README "Performance" for what each one means exactly):
  tui_first_frame   reader start to its first full frame, headless, fresh process / bare Textual app
                    (full: the visible week rows are present and the viewer has painted its first
                    item laid out at its current width — bench/tui_probe.py; the viewer became one
                    Line-API widget, so "the first ItemView has a region" became "the first item's
                    row was painted")
  tui_peak_rss      peak RSS of that process / the bare app's
  week_switch_p95   `n` in the reader: key event to rendered frame, p95 over 200 presses
  district_p95      `space` on the district sidebar: key event to rendered frame, p95 over 200
  search_p95        Store.search (the TUI's limit, 100) for 100 queries of 1-4 characters, p95
  cli_list_json     `sz-digest list --json` as a whole process / `python3 -c "import sqlite3"`
  parser            parse_digest on the bundled sample page, pages per second, one thread
  sync_first        first sync of 200 digests, 50 ms per request, loopback / 200 × 50 ms / 4
  sync_resync       immediate re-sync: digest bodies downloaded
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
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
    for n in range(runs):
        started, _, rss, out = spawn([PYTHON, str(PROBE), "bare"])
        bare_t.append(json.loads(out)["ready"] - started)
        bare_rss.append(rss)
        data = synth.copy_store(base, scratch / f"tui-start-{n}")
        started, _, rss, out = spawn([PYTHON, str(PROBE), "app", str(data), str(weeks)])
        result = json.loads(out)
        app_t.append(result["ready"] - started)
        app_rss.append(rss)
        frames.append(result["frames"])
        shutil.rmtree(data, ignore_errors=True)
        log(f"  start {n + 1}/{runs}: bare {bare_t[-1] * 1000:.0f} ms {bare_rss[-1] / 1024:.0f} MiB, "
            f"reader {app_t[-1] * 1000:.0f} ms {app_rss[-1] / 1024:.0f} MiB")
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
        "rss_ratio": round(median(app_rss) / median(bare_rss), 3),
    }


# -- TUI interaction (Pilot) ---------------------------------------------------------------------

def _busy(app) -> bool:
    nodes = [app, *app.screen.walk_children(with_self=True)]
    return any(node._message_queue.qsize() or node._next_callbacks or getattr(node, "_recompose_required", False)
               for node in nodes)


async def _frame(pilot) -> None:
    """Until the key's effects are handled and rendered: every queue drained, then one frame
    laid out and composited (what the screen's update timer would do), repeated while that
    frame itself caused more work (a recompose, new children mounting)."""
    app = pilot.app
    for _ in range(100):
        await pilot._wait_for_screen()
        if _busy(app):
            continue
        app.screen._on_timer_update()
        await asyncio.sleep(0)
        if not _busy(app):
            return


async def _timed_key(pilot, key: str, char: str | None) -> float:
    """Deliver one key exactly as Pilot.press does (a Key event through the driver), then time to
    the rendered frame. Pilot.press itself is not timed: it sleeps at least 2 × 20 ms
    (wait_for_idle) per key by design."""
    from textual import events

    app = pilot.app
    event = events.Key(key, char)
    event.set_sender(app)
    started = time.perf_counter()
    app._driver.send_message(event)
    await asyncio.sleep(0)
    await _frame(pilot)
    return time.perf_counter() - started


async def _interact(data: Path, actions: int) -> dict:
    from sz_digest.cache.config import Config
    from sz_digest.cache.store import Store
    from sz_digest.tui.app import DigestApp

    with Store.open(data) as store:
        app = DigestApp(store, config=Config(refresh_interval_hours=0), offline=True, lang="zh")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            screen = app.screen
            screen.query_one("#weeks").focus()
            await pilot.pause()
            weeks = []
            for _ in range(actions):
                weeks.append(await _timed_key(pilot, "n", "n"))
                await pilot.pause()
            moved = screen.query_one("#weeks").highlighted_id
            sidebar = screen.query_one("#districts")
            sidebar.focus()
            await pilot.pause()
            toggles = []
            for n in range(actions):
                # Cycle the cursor over the district rows (untimed), toggle the one under it (timed).
                count = len(sidebar.row_ids)
                sidebar.move_cursor(1 + (n // 2) % max(1, count - 1))
                await pilot.pause()
                toggles.append(await _timed_key(pilot, "space", " "))
                await pilot.pause()
    return {"week_switch": weeks, "district_toggle": toggles, "week_list_moved_to": moved}


def measure_interaction(base: Path, scratch: Path, runs: int, actions: int) -> dict:
    week_p95, district_p95, week_med, district_med = [], [], [], []
    for n in range(runs):
        data = synth.copy_store(base, scratch / f"pilot-{n}")
        result = asyncio.run(_interact(data, actions))
        shutil.rmtree(data, ignore_errors=True)
        week_p95.append(p95(result["week_switch"]) * 1000)
        district_p95.append(p95(result["district_toggle"]) * 1000)
        week_med.append(median(result["week_switch"]) * 1000)
        district_med.append(median(result["district_toggle"]) * 1000)
        log(f"  pilot {n + 1}/{runs}: week switch p95 {week_p95[-1]:.1f} ms (median {week_med[-1]:.1f}), "
            f"district toggle p95 {district_p95[-1]:.1f} ms (median {district_med[-1]:.1f})")
    return {
        "actions_per_run": actions,
        "week_switch_p95_ms": [round(v, 2) for v in week_p95],
        "district_toggle_p95_ms": [round(v, 2) for v in district_p95],
        "median_week_switch_p95_ms": round(median(week_p95), 2),
        "median_district_toggle_p95_ms": round(median(district_p95), 2),
        "median_week_switch_ms": round(median(week_med), 2),
        "median_district_toggle_ms": round(median(district_med), 2),
    }


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
    """Through the query language (cache/query.py), as `search` and the reader's `/` run it."""
    from sz_digest.cache.query import search
    from sz_digest.cache.store import Store

    queries = search_queries(base)
    data = synth.copy_store(base, scratch / "search")
    p95s, medians, by_len = [], [], {n: [] for n in range(1, 5)}
    with Store.open(data) as store:
        for query in queries[:20]:  # warm the page cache and the statement cache
            search(store, query, limit=100)
        for n in range(runs):
            times = []
            for query in queries:
                started = time.perf_counter()
                search(store, query, limit=100)
                elapsed = time.perf_counter() - started
                times.append(elapsed)
                by_len[len(query)].append(elapsed)
            p95s.append(p95(times) * 1000)
            medians.append(median(times) * 1000)
            log(f"  search {n + 1}/{runs}: p95 {p95s[-1]:.2f} ms, median {medians[-1]:.2f} ms")
    shutil.rmtree(data, ignore_errors=True)
    return {
        "queries": len(queries),
        "sample_queries": queries[:12],
        "p95_ms": [round(v, 3) for v in p95s],
        "median_p95_ms": round(median(p95s), 3),
        "median_ms": round(median(medians), 3),
        "p95_by_length_ms": {str(k): round(p95(v) * 1000, 3) for k, v in by_len.items() if v},
    }


# -- CLI -------------------------------------------------------------------------------------------

def sz_digest_command() -> list[str]:
    script = Path(PYTHON).with_name("sz-digest")
    if script.exists():
        return [str(script)]
    return [PYTHON, "-c", "import sys; from sz_digest.tui.cli import main; sys.exit(main())"]


def measure_cli(base: Path, scratch: Path, runs: int) -> dict:
    data = synth.copy_store(base, scratch / "cli")
    command = sz_digest_command() + ["--data-dir", str(data), "--offline", "list", "--json"]
    _, _, _, out = spawn(command)  # warm the OS page cache; check the output
    listed = len(json.loads(out))
    baseline, cli = [], []
    for n in range(runs):
        baseline.append(spawn([PYTHON, "-c", "import sqlite3"], capture=False)[1])
        cli.append(spawn(command, capture=False)[1])
    shutil.rmtree(data, ignore_errors=True)
    log(f"  cli: list --json {median(cli) * 1000:.0f} ms, python -c 'import sqlite3' {median(baseline) * 1000:.0f} ms")
    return {
        "command": " ".join(["sz-digest", "--data-dir", "DIR", "--offline", "list", "--json"]),
        "weeks_listed": listed,
        "cli_ms": [round(v * 1000, 1) for v in cli],
        "baseline_ms": [round(v * 1000, 1) for v in baseline],
        "median_cli_ms": round(median(cli) * 1000, 1),
        "median_baseline_ms": round(median(baseline) * 1000, 1),
        "ratio": round(median(cli) / median(baseline), 3),
    }


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

    def row(key, what, value, shown, budget_text, ok, baseline=""):
        out.append({"row": key, "what": what, "value": value, "shown": shown, "baseline": baseline,
                    "budget": budget_text, "ok": ok})

    if "tui" in results:
        tui = results["tui"]
        row("tui_first_frame", "TUI first full frame, 520 weeks (headless)", tui["time_ratio"],
            f"{tui['time_ratio']:.2f}× ({tui['median_reader_ms']:.0f} ms)", "≤ 1.3×", tui["time_ratio"] <= 1.3,
            f"bare Textual app {tui['median_bare_ms']:.0f} ms")
        row("tui_peak_rss", "TUI peak RSS", tui["rss_ratio"],
            f"{tui['rss_ratio']:.2f}× ({tui['median_reader_rss_mib']:.0f} MiB)", "≤ 1.5×", tui["rss_ratio"] <= 1.5,
            f"bare Textual app {tui['median_bare_rss_mib']:.0f} MiB")
    if "pilot" in results:
        pilot = results["pilot"]
        value = pilot["median_week_switch_p95_ms"]
        row("week_switch_p95", f"switch week (`n`), p95 of {pilot['actions_per_run']}", value,
            f"{value:.1f} ms (median {pilot['median_week_switch_ms']:.1f})", "≤ 16 ms", value <= 16)
        value = pilot["median_district_toggle_p95_ms"]
        row("district_p95", f"toggle a district, p95 of {pilot['actions_per_run']}", value,
            f"{value:.1f} ms (median {pilot['median_district_toggle_ms']:.1f})", "≤ 16 ms", value <= 16)
    if "search" in results:
        search = results["search"]
        value = search["median_p95_ms"]
        row("search_p95", "search, 100 queries of 1–4 chars, p95", value,
            f"{value:.2f} ms (median {search['median_ms']:.2f})", "≤ 5 ms", value <= 5)
    if "cli" in results:
        cli = results["cli"]
        row("cli_list_json", "`sz-digest list --json`, 520 weeks, whole process", cli["ratio"],
            f"{cli['ratio']:.2f}× ({cli['median_cli_ms']:.0f} ms)", "≤ 4×", cli["ratio"] <= 4,
            f"`python3 -c \"import sqlite3\"` {cli['median_baseline_ms']:.0f} ms")
    if "parser" in results:
        value = results["parser"]["median_pages_per_s"]
        row("parser", "parser throughput, sample page, one core", value, f"{value:,} pages/s", "≥ 1,000 pages/s",
            value >= 1000)
    if "sync" in results and "skipped" not in results["sync"]:
        sync = results["sync"]
        row("sync_first", "first sync, 200 digests, 50 ms latency, loopback", sync["ratio"],
            f"{sync['ratio']:.2f}× ({sync['median_wall_s']:.2f} s)", "≤ 1.5×", sync["ratio"] <= 1.5,
            f"ideal 200 × 50 ms / {sync['concurrency']} = {sync['ideal_s']:.2f} s")
        value = sync["resync_bodies_downloaded_max"]
        row("sync_resync", "immediate re-sync: digest bodies downloaded", value, str(value), "0", value == 0)
    return out


def print_table(table: list[dict]) -> None:
    headers = ("what", "median", "baseline (same run)", "budget", "")
    cells = [(r["what"], r["shown"], r["baseline"] or "—", r["budget"], "ok" if r["ok"] else "MISS") for r in table]
    widths = [max(len(str(c[i])) for c in [headers, *cells]) for i in range(len(headers))]
    for line in [headers, tuple("-" * w for w in widths), *cells]:
        print("  ".join(str(c).ljust(w) for c, w in zip(line, widths)).rstrip())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="sz-digest performance benchmark (issue 6 budgets)")
    ap.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke run, ~1 minute)")
    ap.add_argument("--out", type=Path, default=BENCH / "results" / "latest.json")
    ap.add_argument("--only", action="append", choices=("tui", "pilot", "search", "cli", "parser", "sync"),
                    help="run only these measurements (repeatable)")
    ap.add_argument("--keep", type=Path, default=None, help="build the archive here and keep it")
    args = ap.parse_args(argv)

    reps = {"tui": 3, "pilot": 1, "search": 3, "cli": 5, "parser": 3, "sync": 2} if args.quick else \
           {"tui": 7, "pilot": 3, "search": 5, "cli": 11, "parser": 5, "sync": 5}
    actions = 200
    wanted = set(args.only or reps)
    begun = time.perf_counter()
    compile_sources()
    results: dict = {"machine": machine(), "quick": args.quick, "repetitions": reps}
    scratch = Path(tempfile.mkdtemp(prefix="sz-bench-"))
    try:
        base = args.keep or scratch / "archive"
        log(f"building the synthetic archive in {base} …")
        started = time.perf_counter()
        results["archive"] = synth.build_store(base)
        results["archive"]["build_s"] = round(time.perf_counter() - started, 2)
        log(f"  {results['archive']['weeks']} weeks, {results['archive']['items']} items "
            f"({results['archive']['first_week']} → {results['archive']['last_week']}) "
            f"in {results['archive']['build_s']:.1f} s")
        weeks = results["archive"]["weeks"]
        if "tui" in wanted:
            log("TUI start-up (fresh process each, alternating with a bare Textual app) …")
            results["tui"] = measure_tui_start(base, scratch, weeks, reps["tui"])
        if "pilot" in wanted:
            log(f"TUI interaction ({actions} week switches, {actions} district toggles per run) …")
            results["pilot"] = measure_interaction(base, scratch, reps["pilot"], actions)
        if "search" in wanted:
            log("search …")
            results["search"] = measure_search(base, scratch, reps["search"])
        if "cli" in wanted:
            log("sz-digest list --json …")
            results["cli"] = measure_cli(base, scratch, reps["cli"])
        if "parser" in wanted:
            log("parser …")
            results["parser"] = measure_parser(reps["parser"], 0.5 if args.quick else 1.0)
        if "sync" in wanted:
            log("sync (bench/bench_sync.py against the loopback column) …")
            results["sync"] = measure_sync(reps["sync"])
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    results["rows"] = rows(results)
    results["elapsed_s"] = round(time.perf_counter() - begun, 1)
    print()
    print_table(results["rows"])
    m = results["machine"]
    print(f"\n{m['nproc']} cores · {m['cpu']} · Python {m['python']} · Textual {m['textual']} · "
          f"SQLite {m['sqlite']} · {results['elapsed_s']:.0f} s")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", "utf-8")
    log(f"wrote {args.out}")
    return 0 if all(r["ok"] for r in results["rows"]) else 1


if __name__ == "__main__":
    sys.exit(main())
