"""A measured design, not built into the store: search answered by counted word-character grams.

    python bench/counted_grams.py DATA_DIR [--scratch DIR] [--queries N]

DATA_DIR is an archive built by `bench/synth.py` (`build_store`) with the trigram index of the
schema before `_migrate_counted_grams` (the probe measured the design before it was built, and
compares with the store's search of that time); its database is copied to the scratch dir, and
only the copy is changed. The tokens are cache/grams.py's. The copy gets a contentless FTS5 index (`ascii`
tokenizer, detail=none) with, for every item, one token per distinct gram of 1-4 characters of its
folded search text made only of word characters (`\\w`: what a query cut from the text without
punctuation or spaces is made of), spelled

    gram + (U+E101 if the gram is in the title else U+E100) + str.count(text, gram) + U+E110 + year

so that the vocabulary (fts5vocab) alone gives a word's total (the sum of its tokens' `doc`) and
its tokens sorted by (in title, count, year) walk the items in the store's ranking order: only the
tokens that reach the `limit`-th hit are read, and inside one (in title, count) group only the
newest years that reach it. Printed: what building it costs (CPU per week, tokens, FTS5 insert),
its size beside the trigram index it would replace, whether it gives the store's exact answer (ids,
order, total, snippets) for the bench's queries, and the CPU time per query (p95, median by length).

See bench/README.md, "Issue 15, sixth pass: search at 5,200 weeks".
"""

from __future__ import annotations

import argparse
import heapq
import re
import shutil
import sqlite3
import statistics
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

import run  # noqa: E402
import synth  # noqa: E402
from sz_digest.cache.grams import BODY, TITLE, YEAR, item_tokens as tokens  # noqa: E402
from sz_digest.cache.query import _hits  # noqa: E402
from sz_digest.cache.store import DB_NAME, Store, search_text_sql, search_title_sql  # noqa: E402
from sz_digest.cache.text import clean_line, fold  # noqa: E402

_WORD = re.compile(r"\w{1,4}")


def build(db: sqlite3.Connection) -> dict:
    rows = db.execute(f"""SELECT i.rowid, {search_title_sql('i.')}, {search_text_sql('i.')}, substr(d.week_start, 1, 4)
                          FROM items i JOIN digests d ON d.id = i.digest_id""").fetchall()
    weeks = db.execute("SELECT count(*) FROM digests").fetchone()[0]
    started = time.process_time()
    made = [(rowid, tokens(title, text, year)) for rowid, title, text, year in rows]
    tokens_cpu = time.process_time() - started
    started = time.process_time()
    db.execute("BEGIN")
    db.execute("CREATE VIRTUAL TABLE probe_grams USING fts5(grams, content='', tokenize=\"ascii tokenchars _\", "
               "detail=none, columnsize=0)")
    db.execute("CREATE VIRTUAL TABLE probe_grams_terms USING fts5vocab(probe_grams, 'row')")
    db.executemany("INSERT INTO probe_grams(rowid, grams) VALUES (?, ?)", made)
    db.execute("COMMIT")
    insert_cpu = time.process_time() - started
    return {"weeks": weeks, "items": len(rows), "tokens_per_week": sum(t.count(" ") + 1 for _, t in made) / weeks,
            "tokens_ms_per_week": 1000 * tokens_cpu / weeks, "insert_ms_per_week": 1000 * insert_cpu / weeks}


def best_ids(db: sqlite3.Connection, needle: str, limit: int) -> tuple[list[int], int]:
    """The store's best `limit` rowids for the folded word `needle` (1-4 word characters) and its total."""
    start = len(needle) + 1
    terms = db.execute("SELECT term, doc FROM probe_grams_terms WHERE term > ? AND term < ?",
                       (needle + BODY, needle + "\ue102")).fetchall()
    groups: dict[tuple[bool, int], list[tuple[str, str, int]]] = {}
    total = 0
    for term, doc in terms:
        count, year = term[start:].split(YEAR)
        groups.setdefault((term[start - 1] == TITLE, int(count)), []).append((year, term, doc))
        total += doc
    best: list[int] = []
    for key in sorted(groups, reverse=True):
        need = limit - len(best)
        years = sorted(groups[key], reverse=True)
        taken, docs = [], 0
        for year, term, doc in years:  # newest years first, until they hold what is needed
            taken.append(term)
            docs += doc
            if docs >= need:
                break
        match = " OR ".join('"' + term + '"' for term in taken)
        rows = db.execute("""SELECT i.rowid, d.week_start, i.position FROM probe_grams g
                             JOIN items i ON i.rowid = g.rowid JOIN digests d ON d.id = i.digest_id
                             WHERE probe_grams MATCH ?""", (match,)).fetchall()
        # newer week, then page order, then the earlier row (heapq.nlargest's tie rule)
        rows.sort(key=lambda r: (r[1], -r[2], -r[0]), reverse=True)
        best += [r[0] for r in rows[:need]]
        if len(best) >= limit:
            break
    return best, total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("--scratch", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    scratch = args.scratch or Path(f"/tmp/counted-grams-{args.data.name}")
    shutil.rmtree(scratch, ignore_errors=True)
    data = synth.copy_store(args.data, scratch)
    db = sqlite3.connect(data / DB_NAME, isolation_level=None, check_same_thread=False)
    built = build(db)
    print(f"built: {built['items']} items, {built['tokens_per_week']:.0f} tokens a week; CPU per week: tokens "
          f"{built['tokens_ms_per_week']:.2f} ms, FTS5 insert {built['insert_ms_per_week']:.2f} ms")
    sizes = dict(db.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"))
    grams = sum(v for k, v in sizes.items() if k.startswith("probe_grams"))
    db.execute("INSERT INTO probe_grams(probe_grams) VALUES ('optimize')")  # one segment: the smallest it gets
    merged = sum(v for k, v in db.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name") if k.startswith("probe_grams"))
    trigram = sum(v for k, v in sizes.items() if k.startswith("items_fts")) + sizes.get("items_search_tail", 0)
    pages = sum(p.stat().st_blocks * 512 for p in (args.data / "pages").glob("*") if p.is_file())
    before = (args.data / DB_NAME).stat().st_blocks * 512 + pages
    weeks = built["weeks"]
    print(f"disk per week: grams index {grams / weeks / 1000:.2f} KB ({merged / weeks / 1000:.2f} KB merged); trigram index + tail index "
          f"{trigram / weeks / 1000:.2f} KB; archive now {before / weeks / 1000:.2f} KB -> with grams in place "
          f"of the trigram index {(before - trigram + grams) / weeks / 1000:.2f} KB")

    queries = run.search_queries(args.data)
    with Store.open(data) as store:  # (migrated to the grams schema: its own items_grams stays pending)
        store._search_cache()  # the reader's copy, built once (as after its first search)
        same, ids_times, full_times, store_times = 0, [], [], []
        by_len: dict[int, list[float]] = {n: [] for n in range(1, 5)}
        for rep in range(args.repeat):
            for query in queries:
                needle = fold(clean_line(query)).strip()
                if not _WORD.fullmatch(needle):
                    continue
                started = time.process_time()  # the counting path (the reader's before this index)
                best, store_total = store._search_cache().best(needle, None, None, None, None, 100)
                store_hits = _hits(store, [(rowid, needle) for rowid in best], (needle,))
                store_times.append(time.process_time() - started)
                started = time.process_time()
                ids, total = best_ids(db, needle, 100)
                ids_times.append(time.process_time() - started)
                hits = _hits(store, [(rowid, needle) for rowid in ids], (needle,))
                full_times.append(time.process_time() - started)
                by_len[len(needle)].append(full_times[-1])
                if rep == 0:
                    same += hits == store_hits and total == store_total
    ms = lambda values: 1000 * statistics.quantiles(values, n=20)[-1]  # noqa: E731
    print(f"same hits, order, snippets and total as counting in the reader's copy: {same} of {len(queries)} queries")
    print(f"CPU per query, p95: ids + total {ms(ids_times):.2f} ms; with the 100 hits and snippets "
          f"{ms(full_times):.2f} ms (counting in the copy: {ms(store_times):.2f} ms); median by length 1/2/3/4: "
          + " / ".join(f"{1000 * statistics.median(v):.2f}" for v in by_len.values() if v) + " ms")
    db.close()
    shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
