"""Benchmark: a first sync of 200 digests with 50 ms latency per request, next to the ideal.

    python bench/bench_sync.py [--digests 200] [--latency 0.05] [--concurrency 4] [--runs 5] [--out FILE]
    python bench/bench_sync.py --digests 528 --latency 0 --plain     # bench/run.py's sync_cpu row, alone
    python bench/bench_sync.py --digests 528 --latency 0 --plain --server-process --runs 1 --json

--server-process runs the loopback column in a process of its own (`python -m tests.loopback`), for
the sync and the plain fetch alike: in-process, the server's threads share the measured process's
GIL and CPU clock and inflate both sides. The plain fetch then requests the column's list pages and
digest posts (what a first sync requests; checked against the sync's `pages` and `fetched`), and
the re-sync check counts digests fetched again (the request log lives in the other process).
--json prints one JSON line per run (for a driver alternating fresh processes, e.g. two checkouts
on PYTHONPATH).

The ideal is `digests × latency / concurrency` (list pages and parsing are extra). Each run syncs into
a fresh store from the loopback column (127.0.0.1 only), then re-syncs at once and checks that no
digest body was downloaded again. With --plain, each run is followed by a plain httpx fetch of the
very URLs the sync requested, 4 at a time (`bench/run.py`'s baseline), and the table adds the
ratio and both processes' CPU (the server's included). Prints a table; writes JSON to --out when
given. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from sz_digest.cache.store import Store  # noqa: E402
from sz_digest.cache.sync import sync  # noqa: E402
from sz_digest.cache.sync_child import StoreChild  # noqa: E402
from tests.loopback import LoopbackServer, make_column  # noqa: E402


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class RemoteColumn:
    """`python -m tests.loopback` in its own process: the same column, none of its CPU or GIL here."""

    def __init__(self, digests: int, non_digests: int, per_page: int, latency: float) -> None:
        import subprocess

        self.column = make_column(digests, non_digests, per_page)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.loopback", "--posts", str(digests), "--non-digests", str(non_digests),
             "--per-page", str(per_page), "--latency", str(latency), "--port", "0"],
            cwd=ROOT, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        self.source = line.rsplit(" on ", 1)[1].strip()
        self.origin = self.source.split("/szshgzb/", 1)[0]

    def first_sync_urls(self) -> list[str]:
        """What a first sync requests: every list page, then every digest post."""
        pages = [self.origin + self.column.page_path(n) for n in range(1, self.column.page_count + 1)]
        return pages + [self.origin + post.path for post in self.column.posts if post.digest]

    def __enter__(self) -> "RemoteColumn":
        return self

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        self.proc.wait(5)


def one_run(server: "LoopbackServer | RemoteColumn", concurrency: int, plain: bool = False,
            child: bool = False) -> dict:
    """A first sync, an immediate re-sync and (with `plain`) the plain fetch of the same URLs. A
    RemoteColumn keeps its request log in its own process: the URLs are the column's (checked
    against the sync's report) and the re-sync check counts digests fetched again.

    `child`: the first sync parses and stores in a forked child, as `sz-digest sync` does
    (cache/sync_child.py; the fork is timed with the sync). It forks only with no other thread
    running: with the in-process server it cannot, and the run says `"child": false`."""
    remote = isinstance(server, RemoteColumn)
    with tempfile.TemporaryDirectory(prefix="sz-bench-") as tmp:
        if not remote:
            server.clear_log()
        first, wall, sync_cpu, children, forked = first_sync(server, tmp, concurrency, child)
        return _after_first(server, tmp, first, wall, sync_cpu, children, concurrency, plain, forked)


def first_sync(server: "LoopbackServer | RemoteColumn", tmp: str, concurrency: int, child: bool):
    """A first sync into the empty data dir `tmp`; with `child`, parsed and stored in a child forked
    before the store opens, as the CLI does (the fork timed with the sync). Returns (report, wall
    seconds, CPU seconds, the child's CPU seconds, whether it forked)."""
    children = _children_cpu()
    cpu, started = time.process_time(), time.perf_counter()
    forked = StoreChild.start(tmp) if child else None
    try:
        with Store.open(Path(tmp), seed_sample=False) as store:
            report = asyncio.run(sync(store, source=server.source, concurrency=concurrency, child=forked))
    finally:
        if forked is not None:
            forked.stop()  # reaped here: its CPU is counted below
    wall, sync_cpu = time.perf_counter() - started, time.process_time() - cpu
    return report, wall, sync_cpu, _children_cpu() - children, forked is not None


def _after_first(server, tmp: str, first, wall: float, sync_cpu: float, children: float, concurrency: int,
                 plain: bool, child: bool) -> dict:
    remote = isinstance(server, RemoteColumn)
    with Store.open(Path(tmp), seed_sample=False) as store:
        if remote:
            urls = server.first_sync_urls()
            assert len(urls) == first.pages + first.fetched + len(first.failed), "the plain fetch must match the sync"
            max_in_flight = None
        else:
            urls = [server.url(path) for path in server.fetched_paths()]
            max_in_flight = server.max_in_flight
            server.clear_log()
        started = time.perf_counter()
        second = asyncio.run(sync(store, source=server.source, concurrency=concurrency))
        resync_wall = time.perf_counter() - started
        if remote:
            resync_bodies, resync_requests = second.fetched, None
        else:
            resync_bodies, resync_requests = len(server.bodies_served()), len(server.fetched_paths())
        plain_wall = plain_cpu = None
        if plain:
            from run import _plain_fetch  # bench/run.py's baseline, so the two measure the same thing

            cpu, started = time.process_time(), time.perf_counter()
            _plain_fetch(urls, concurrency)
            plain_wall, plain_cpu = time.perf_counter() - started, time.process_time() - cpu
        return {
            "child": child,
            "wall_s": round(wall, 3),
            "cpu_s": round(sync_cpu, 3),
            "children_cpu_s": round(children, 3),
            "plain_wall_s": None if plain_wall is None else round(plain_wall, 3),
            "plain_cpu_s": None if plain_cpu is None else round(plain_cpu, 3),
            "pages": first.pages,
            "fetched": first.fetched,
            "failed": len(first.failed),
            "requests": len(urls),
            "max_in_flight": max_in_flight,
            "bytes": first.bytes,
            "resync_wall_s": round(resync_wall, 3),
            "resync_fetched": second.fetched,
            "resync_bodies_downloaded": resync_bodies,
            "resync_requests": resync_requests,
        }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--digests", type=int, default=200)
    ap.add_argument("--non-digests", type=int, default=50)
    ap.add_argument("--per-page", type=int, default=20)
    ap.add_argument("--latency", type=float, default=0.05)
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--plain", action="store_true", help="compare each sync with a plain httpx fetch of its URLs")
    ap.add_argument("--server-process", action="store_true", help="run the loopback column in its own process")
    ap.add_argument("--json", action="store_true", help="print each run as one JSON line on stdout")
    ap.add_argument("--child", choices=("on", "off", "alternate"), default="on",
                    help="parse and store in a forked child as `sz-digest sync` does (on), in threads (off), "
                         "or alternate run by run, starting with off")
    args = ap.parse_args(argv)

    column = make_column(args.digests, args.non_digests, args.per_page)
    ideal = args.digests * args.latency / args.concurrency or float("nan")  # no latency: no ideal
    runs = []
    serve = (RemoteColumn(args.digests, args.non_digests, args.per_page, args.latency) if args.server_process
             else LoopbackServer(column, latency=args.latency))
    with serve as server:
        for n in range(args.runs):
            use_child = args.child == "on" or (args.child == "alternate" and n % 2 == 1)
            result = one_run(server, args.concurrency, args.plain, use_child)
            runs.append(result)
            if args.json:
                print(json.dumps(result), flush=True)
            versus = (f" (CPU {result['cpu_s']:.2f} s); plain httpx {result['plain_wall_s']:.2f} s "
                      f"(CPU {result['plain_cpu_s']:.2f} s)" if args.plain else "")
            print(f"run {n + 1}{' (child)' if result['child'] else ''}: {result['wall_s']:.2f} s{versus}, {result['fetched']} fetched, "
                  f"re-sync {result['resync_wall_s']:.2f} s / {result['resync_bodies_downloaded']} bodies",
                  file=sys.stderr)
    walls = [r["wall_s"] for r in runs]
    median = statistics.median(walls)
    summary = {
        "digests": args.digests,
        "non_digests": args.non_digests,
        "list_pages": runs[0]["pages"],
        "latency_s": args.latency,
        "concurrency": args.concurrency,
        "runs": args.runs,
        "ideal_s": round(ideal, 3),
        "ideal_with_list_pages_s": round((args.digests + runs[0]["pages"]) * args.latency / args.concurrency, 3),
        "median_wall_s": round(median, 3),
        "min_wall_s": min(walls),
        "max_wall_s": max(walls),
        "median_over_ideal": round(median / ideal, 3),
        "resync_fetched_max": max(r["resync_fetched"] for r in runs),
        "resync_bodies_downloaded_max": max(r["resync_bodies_downloaded"] for r in runs),
        "median_resync_wall_s": round(statistics.median(r["resync_wall_s"] for r in runs), 3),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "per_run": runs,
    }
    rows = [
        ("digests / list pages", f"{args.digests} / {summary['list_pages']}"),
        ("latency per request", f"{args.latency * 1000:.0f} ms"),
        ("concurrency", str(args.concurrency)),
        ("ideal (digests × latency / concurrency)", f"{ideal:.2f} s"),
        ("ideal incl. list pages", f"{summary['ideal_with_list_pages_s']:.2f} s"),
        (f"first sync, median of {args.runs}", f"{median:.2f} s  (min {min(walls):.2f}, max {max(walls):.2f})"),
        ("median / ideal", f"{summary['median_over_ideal']:.2f}×"),
        ("immediate re-sync: digests fetched", str(summary["resync_fetched_max"])),
        ("immediate re-sync: bodies downloaded", str(summary["resync_bodies_downloaded_max"])),
        ("immediate re-sync wall (median)", f"{summary['median_resync_wall_s']:.2f} s"),
    ]
    if args.plain:
        ratios = [r["wall_s"] / r["plain_wall_s"] for r in runs]
        summary["plain_ratios"] = [round(x, 3) for x in ratios]
        summary["median_plain_ratio"] = round(statistics.median(ratios), 3)
        rows += [
            ("plain httpx, same URLs (median wall)", f"{statistics.median(r['plain_wall_s'] for r in runs):.2f} s"),
            ("first sync / plain httpx, median of runs", f"{summary['median_plain_ratio']:.2f}×  "
                                                          f"({min(ratios):.2f}–{max(ratios):.2f})"),
            ("process CPU, sync / plain (medians)", f"{statistics.median(r['cpu_s'] for r in runs):.2f} s / "
                                                     f"{statistics.median(r['plain_cpu_s'] for r in runs):.2f} s"),
        ]
    width = max(len(k) for k, _ in rows)
    print(f"{'measure'.ljust(width)}  value")
    print(f"{'-' * width}  {'-' * 30}")
    for k, v in rows:
        print(f"{k.ljust(width)}  {v}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(summary, indent=2) + "\n", "utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
    ok = summary["resync_fetched_max"] == 0 and summary["resync_bodies_downloaded_max"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
