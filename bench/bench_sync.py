"""Benchmark: a first sync of 200 digests with 50 ms latency per request, next to the ideal.

    python bench/bench_sync.py [--digests 200] [--latency 0.05] [--concurrency 4] [--runs 5] [--out FILE]

The ideal is `digests × latency / concurrency` (list pages and parsing are extra). Each run syncs into
a fresh store from the loopback column (127.0.0.1 only), then re-syncs at once and checks that no
digest body was downloaded again. Prints a table; writes JSON to --out when given. Not part of the
test suite.
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

from sz_digest.cache.store import Store  # noqa: E402
from sz_digest.cache.sync import sync  # noqa: E402
from tests.loopback import LoopbackServer, make_column  # noqa: E402


def one_run(server: LoopbackServer, concurrency: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="sz-bench-") as tmp, Store.open(Path(tmp), seed_sample=False) as store:
        server.clear_log()
        started = time.perf_counter()
        first = asyncio.run(sync(store, source=server.source, concurrency=concurrency))
        wall = time.perf_counter() - started
        requests = len(server.fetched_paths())
        max_in_flight = server.max_in_flight
        server.clear_log()
        started = time.perf_counter()
        second = asyncio.run(sync(store, source=server.source, concurrency=concurrency))
        resync_wall = time.perf_counter() - started
        return {
            "wall_s": round(wall, 3),
            "pages": first.pages,
            "fetched": first.fetched,
            "failed": len(first.failed),
            "requests": requests,
            "max_in_flight": max_in_flight,
            "bytes": first.bytes,
            "resync_wall_s": round(resync_wall, 3),
            "resync_fetched": second.fetched,
            "resync_bodies_downloaded": len(server.bodies_served()),
            "resync_requests": len(server.fetched_paths()),
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
    args = ap.parse_args(argv)

    column = make_column(args.digests, args.non_digests, args.per_page)
    ideal = args.digests * args.latency / args.concurrency
    runs = []
    with LoopbackServer(column, latency=args.latency) as server:
        for n in range(args.runs):
            result = one_run(server, args.concurrency)
            runs.append(result)
            print(f"run {n + 1}: {result['wall_s']:.2f} s, {result['fetched']} fetched, "
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
