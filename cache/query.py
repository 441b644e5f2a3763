"""The one query language of `sz-digest search`, the reader's `/`, watches and feeds (docs/query.md).

A query is a conjunction of clauses; a clause is one term or several joined by `OR` (so `OR` binds
tighter than the implicit AND, as in Gmail: `养老 OR 助老 南山` = (养老 OR 助老) AND 南山). A term is a
word, a "quoted phrase", or a field (`district:`, `since:`, `until:`, `week:`, `is:`); `-` before a
term excludes it. Bad input raises `QueryError` naming the token and where it starts, never anything
else (tests/test_query.py holds a Hypothesis property for that).

Evaluation reuses the store's search rows (folded title and text per item) and its index of counted
word grams (cache/grams.py): a clause of words with word characters narrows the candidates through
the index (`Store.index_candidates`); other words are matched by a scan of the cached rows. A query
of one plain word is the store's own search (`Store.search_counted`).
"""

from __future__ import annotations

import heapq
import re
from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal, NamedTuple

from .districts import accepted_districts, lookup_district
from .errors import UsageError
from .model import SearchHit
from .store import _SNIPPET_FOLDS, CANDIDATE_SHARE, search_text_sql, snippet_folds
from .text import clean_line, fold

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .store import Store

Kind = Literal["text", "district", "since", "until", "week", "is"]
FIELDS: tuple[str, ...] = ("district", "since", "until", "week", "is")
IS_VALUES: tuple[str, ...] = ("starred", "unread")
_FIELD_RE = re.compile(r"([A-Za-z]+)[:：](.*)", re.S)
_DATE_RE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_QUOTES = {'"': '"', "“": "”", "「": "」"}


class QueryError(UsageError):
    """A query we cannot read; says which token and where (1-based character), so it can be fixed."""

    def __init__(self, query: str, start: int, end: int, reason: str) -> None:
        self.query = query
        self.start = start
        self.end = max(end, start + 1)
        self.reason = reason
        token = clean_line(query[start:end])
        where = f" at {token!r} (character {start + 1})" if token else ""
        super().__init__(f"bad query{where}: {reason}")


class Term(NamedTuple):
    kind: Kind
    value: object  # folded text, frozenset of district codes, a date, or an `is:` word
    negated: bool = False


class Query(NamedTuple):
    """Clauses ANDed together; each clause is a tuple of terms ORed together."""

    text: str
    clauses: tuple[tuple[Term, ...], ...]

    @property
    def needles(self) -> tuple[str, ...]:
        """The words and phrases the query looks for (not the excluded ones): what ranks and highlights."""
        return tuple(dict.fromkeys(t.value for c in self.clauses for t in c if t.kind == "text" and not t.negated))


# -- parsing --------------------------------------------------------------------------------------

class _Token(NamedTuple):
    text: str  # the token's value, quotes removed
    start: int
    end: int
    quoted: bool
    negated: bool


def _tokens(query: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(query)
    while i < n:
        if query[i].isspace():
            i += 1
            continue
        start = i
        negated = query[i] == "-"
        if negated:
            i += 1
            if i >= n or query[i].isspace():
                raise QueryError(query, start, i, "'-' must stand right before the word it excludes")
        if query[i] in _QUOTES:
            close = query.find(_QUOTES[query[i]], i + 1)
            if close < 0:
                raise QueryError(query, i, n, "this quote is never closed")
            tokens.append(_Token(query[i + 1:close], start, close + 1, True, negated))
            i = close + 1
            continue
        j = i
        while j < n and not query[j].isspace():
            # A field's value may be quoted: district:"南山"
            if query[j] in _QUOTES and j > i and query[j - 1] in ":：":
                close = query.find(_QUOTES[query[j]], j + 1)
                if close < 0:
                    raise QueryError(query, j, n, "this quote is never closed")
                text = query[i:j] + query[j + 1:close]
                tokens.append(_Token(text, start, close + 1, False, negated))
                i = j = close + 1
                break
            j += 1
        else:
            tokens.append(_Token(query[i:j], start, j, False, negated))
            i = j
            continue
    return tokens


def _day(query: str, token: _Token, value: str, *, end: bool) -> date:
    """`2025`, `2025-06` or `2025-06-30` as a day: the first of the period, or with `end` the last."""
    found = _DATE_RE.fullmatch(value)
    if not found:
        raise QueryError(query, token.start, token.end, "use a year, a month or a day: 2025, 2025-06, 2025-06-30")
    year, month, day = (int(g) if g else None for g in found.groups())
    try:
        if month is None:
            return date(year, 12, 31) if end else date(year, 1, 1)
        if day is None:
            first = date(year, month, 1)
            if not end:
                return first
            return (date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)) - timedelta(days=1)
        return date(year, month, day)
    except (ValueError, OverflowError):
        raise QueryError(query, token.start, token.end, "no such date") from None


def _term(query: str, token: _Token) -> Term | None:
    if not token.quoted:
        field = _FIELD_RE.fullmatch(token.text)
        if field is not None:
            name, value = field.group(1).lower(), field.group(2).strip()
            if name not in FIELDS:
                raise QueryError(query, token.start, token.end,
                                 f"unknown field {field.group(1)}:; fields are "
                                 + ", ".join(f + ":" for f in FIELDS) + ' (quote it to search the text: "a:b")')
            if not value:
                raise QueryError(query, token.start, token.end, f"{name}: needs a value")
            if name == "district":
                codes = []
                for part in value.split(","):
                    district = lookup_district(part)
                    if district is None:
                        raise QueryError(query, token.start, token.end,
                                         f"unknown district {clean_line(part)!r}; accepted: {accepted_districts()}")
                    codes.append(district.code)
                return Term("district", frozenset(codes), token.negated)
            if name == "is":
                word = value.lower()
                if word not in IS_VALUES:
                    raise QueryError(query, token.start, token.end, "is: takes " + " or ".join(IS_VALUES))
                return Term("is", word, token.negated)
            if name == "week":
                if not re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", value):
                    raise QueryError(query, token.start, token.end, "week: takes a day inside the week: 2026-03-09")
            return Term(name, _day(query, token, value, end=name == "until"), token.negated)  # type: ignore[arg-type]
    needle = " ".join(fold(clean_line(token.text)).split())
    return Term("text", needle, token.negated) if needle else None


def parse(query: str) -> Query:
    """Read a query; raise QueryError (a UsageError) for anything we cannot read."""
    if not isinstance(query, str):
        raise QueryError("", 0, 0, "a query is text")
    tokens = _tokens(query)
    clauses: list[list[Term]] = []
    joining = False  # the previous token was OR
    last_or: _Token | None = None
    for token in tokens:
        if token.text == "OR" and not token.quoted and not token.negated:
            if not clauses or joining:
                raise QueryError(query, token.start, token.end, "OR needs a term on each side")
            joining, last_or = True, token
            continue
        term = _term(query, token)
        if term is None:  # only invisible characters: nothing to look for
            continue
        if joining:
            clauses[-1].append(term)
            joining = False
        else:
            clauses.append([term])
    if joining and last_or is not None:
        raise QueryError(query, last_or.start, last_or.end, "OR needs a term on each side")
    if not clauses:
        raise QueryError(query, 0, len(query), "the search query is empty")
    return Query(query, tuple(tuple(c) for c in clauses))


# -- evaluating -----------------------------------------------------------------------------------

# Store._search_index rows: (rowid, district, week_start, week_end, position, folded_title, folded)
_ROWID, _DISTRICT, _START, _END, _POSITION, _TITLE, _TEXT = range(7)


def _week_of(day: date) -> tuple[str, str]:
    """A week (Monday..Sunday) holds `day` when it starts within the six days before it."""
    return (day - timedelta(days=6)).isoformat(), day.isoformat()


def _test(term: Term, store: Store, sets: dict[str, set[int]]):
    """The row predicate for one term (without its negation)."""
    kind, value = term.kind, term.value
    if kind == "text":
        return lambda row: value in row[_TEXT]
    if kind == "district":
        return lambda row: row[_DISTRICT] in value
    if kind == "since":
        iso = value.isoformat()
        return lambda row: row[_END] >= iso  # a week counts when it overlaps the range
    if kind == "until":
        iso = value.isoformat()
        return lambda row: row[_START] <= iso
    if kind == "week":
        first, last = _week_of(value)
        return lambda row: first <= row[_START] <= last
    if value not in sets:
        sets[value] = _starred_rowids(store) if value == "starred" else _unread_rowids(store)
    chosen = sets[value]
    return lambda row: row[_ROWID] in chosen


def _starred_rowids(store: Store) -> set[int]:
    return {r for (r,) in store._db.execute(
        "SELECT i.rowid FROM items i JOIN stars s ON s.digest_id = i.digest_id AND s.position = i.position")}


def _unread_rowids(store: Store) -> set[int]:
    """Items not read: neither their week nor the item itself marked read (the reader's rule)."""
    return {r for (r,) in store._db.execute(
        """SELECT i.rowid FROM items i JOIN digests d ON d.id = i.digest_id
           WHERE d.read = 0 AND NOT EXISTS (SELECT 1 FROM item_read r
                                             WHERE r.digest_id = i.digest_id AND r.position = i.position)""")}


def _fts_candidates(store: Store, query: Query, rare_only: bool) -> set[int] | None:
    """Rowids the indexes allow (every match among them), or None when no clause can use them: a
    clause of words narrows the candidates (store.index_candidates, which says None for a word it
    cannot answer); exclusions and fields leave it to the scan — and, with `rare_only` (the
    reader's copy of every item is there to scan), words too common to narrow much."""
    found: set[int] | None = None
    for clause in query.clauses:
        if not all(t.kind == "text" and not t.negated for t in clause):
            continue
        allowed: set[int] = set()
        for term in clause:
            rowids = store.index_candidates(term.value, rare_only=rare_only)
            if rowids is None:
                break
            allowed |= rowids
        else:
            found = allowed if found is None else found & allowed
    return found


def matching_rows(store: Store, query: Query) -> list[tuple]:
    """Every search row of the store that `query` matches (unordered)."""
    held = store.keep_search_index and store._search_cache(build=False) is not None
    candidates = _fts_candidates(store, query, rare_only=held)
    if candidates is None:
        rows = store._search_index()
    elif held or (store.keep_search_index and len(candidates) >= store._item_count() * CANDIDATE_SHARE):
        rows = [row for row in store._search_index() if row[_ROWID] in candidates]
    else:
        # One query (the CLI), or a few candidates before the reader has its copy of every item (a
        # watch's badge at start-up): read the rows the indexes name, not a copy of every item.
        rows = store._search_rows_of(candidates)
    sets: dict[str, set[int]] = {}
    # Cheapest clauses first; a single-term clause filters with a comprehension (no call per row
    # for plain words, the common case), so a one-word query costs what Store.search does.
    for clause in sorted(query.clauses, key=lambda c: (len(c), c[0].kind != "district", c[0].kind == "text")):
        if not rows:
            break
        if len(clause) == 1 and clause[0].kind == "text":
            needle = clause[0].value
            if clause[0].negated:
                rows = [row for row in rows if needle not in row[_TEXT]]
            else:
                rows = [row for row in rows if needle in row[_TEXT]]
            continue
        if len(clause) == 1 and clause[0].kind == "district":
            codes, negated = clause[0].value, clause[0].negated
            rows = [row for row in rows if (row[_DISTRICT] in codes) != negated]
            continue
        if all(t.kind == "text" and not t.negated for t in clause):  # 养老 OR 助老: one pass per word
            kept: list[tuple] = []
            for term in clause:
                needle = term.value
                kept += [row for row in rows if needle in row[_TEXT]]
                rows = [row for row in rows if needle not in row[_TEXT]]
            rows = kept
            continue
        tests = [(_test(term, store, sets), term.negated) for term in clause]
        rows = [row for row in rows if any(test(row) != negated for test, negated in tests)]
    return rows


def _with_flags(query: Query, districts: Iterable[str] | None, since: date | None, until: date | None) -> Query:
    extra: list[tuple[Term, ...]] = []
    if districts is not None:
        extra.append((Term("district", frozenset(districts)),))
    if since is not None:
        extra.append((Term("since", since),))
    if until is not None:
        extra.append((Term("until", until),))
    return query._replace(clauses=query.clauses + tuple(extra)) if extra else query


def search(
    store: Store,
    query: str | Query,
    *,
    districts: Iterable[str] | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int | None = 50,
) -> list[SearchHit]:
    """The best `limit` hits of `search_counted`."""
    return search_counted(store, query, districts=districts, since=since, until=until, limit=limit)[0]


def search_counted(
    store: Store,
    query: str | Query,
    *,
    districts: Iterable[str] | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int | None = 50,
) -> tuple[list[SearchHit], int]:
    """Items matching `query` (and the CLI's flags), best first, each with a snippet; and how many
    items matched in all (the CLI says how many `limit` cut off).

    Ranking as `Store.search`: title hits first, then how often the item mentions the query's
    words, then newer weeks, then page order. A query of fields only (`district:南山`) lists newest
    weeks first, in page order. `limit=None` returns every match.
    """
    parsed = parse(query) if isinstance(query, str) else query
    if len(parsed.clauses) == 1 and len(parsed.clauses[0]) == 1:
        (term,) = parsed.clauses[0]
        if term.kind == "text" and not term.negated:  # one word: exactly the store's own search
            return store.search_counted(term.value, districts=districts, since=since, until=until,
                                        limit=10**9 if limit is None else limit)
    parsed = _with_flags(parsed, districts, since, until)
    store.index_grams()  # as the store's own search does (watches and feeds leave it to searches)
    rows = matching_rows(store, parsed)
    if not rows:
        return [], 0
    needles = parsed.needles
    if len(needles) == 1:  # the common case, without a generator per row
        (needle,) = needles
        scored = [(needle in row[_TITLE], row[_TEXT].count(needle), row[_START], -row[_POSITION], row[_ROWID],
                   row[_TEXT]) for row in rows]
    elif len(needles) == 2:
        a, b = needles
        scored = [(a in row[_TITLE] or b in row[_TITLE], row[_TEXT].count(a) + row[_TEXT].count(b), row[_START],
                   -row[_POSITION], row[_ROWID], row[_TEXT]) for row in rows]
    else:
        scored = [(any(n in row[_TITLE] for n in needles), sum(row[_TEXT].count(n) for n in needles),
                   row[_START], -row[_POSITION], row[_ROWID], row[_TEXT]) for row in rows]
    key = lambda k: k[:4]  # noqa: E731
    best = sorted(scored, key=key, reverse=True) if limit is None else heapq.nlargest(max(1, int(limit)), scored, key=key)
    return _hits(store, [(k[4], k[5]) for k in best], needles), len(rows)


def match_keys(store: Store, query: str | Query) -> dict[tuple[str, int], int]:
    """(digest id, position) -> rowid of every item `query` matches, without building hits or snippets."""
    parsed = parse(query) if isinstance(query, str) else query
    rowids = [row[_ROWID] for row in matching_rows(store, parsed)]
    keys: dict[tuple[str, int], int] = {}
    for start in range(0, len(rowids), 5000):
        keys.update(((digest_id, position), rowid) for rowid, digest_id, position in store._db.execute(
            "SELECT rowid, digest_id, position FROM items WHERE rowid IN (SELECT value FROM json_each(?))",
            ("[" + ",".join(map(str, rowids[start:start + 5000])) + "]",)))
    return keys


def hits_for(store: Store, query: str | Query, rowids: list[int]) -> list[SearchHit]:
    """SearchHits (snippets marked with the query's words) for the items `rowids`, in that order."""
    parsed = parse(query) if isinstance(query, str) else query
    folded = dict(store._db.execute(f"SELECT rowid, {search_text_sql()} FROM items "
                                    "WHERE rowid IN (SELECT value FROM json_each(?))",
                                    ("[" + ",".join(map(str, rowids)) + "]",)))
    return _hits(store, [(rowid, folded.get(rowid, "")) for rowid in rowids], parsed.needles)


def _hits(store: Store, best: list[tuple[int, str]], needles: tuple[str, ...]) -> list[SearchHit]:
    """SearchHits for (rowid, folded text) pairs, in that order."""
    found = {}
    for start in range(0, len(best), 500):
        chunk = best[start:start + 500]
        found.update((row[0], row[1:]) for row in store._db.execute(
            f"""SELECT i.rowid, d.id, d.week_start, i.district, i.district_name, i.title, i.body, i.position,
                      {_SNIPPET_FOLDS}
               FROM items i JOIN digests d ON d.id = i.digest_id
               WHERE i.rowid IN (SELECT value FROM json_each(?))""",
            ("[" + ",".join(str(rowid) for rowid, _ in chunk) + "]",)))
    hits = []
    for rowid, folded in best:
        row = found.get(rowid)
        if row is None:  # changed under us by another process: skip it
            continue
        digest_id, week_start, district, name, title, body, position, stored_title, stored = row
        snippet, spans = _snippet(title, body, [n for n in needles if n in folded],
                                  snippet_folds(title, stored_title, stored))
        hits.append(SearchHit(digest_id, date.fromisoformat(week_start), district, name, title, snippet, position, spans))
    return hits


def _snippet(title: str, body: str, present: list[str], folds: dict | None = None) -> tuple[str, tuple[tuple[int, int], ...]]:
    """The store's snippet around the first needle the item has, with every one it has marked in it."""
    from .store import make_snippet

    if not present:
        line = " ".join(body.split()) or title
        return (line[:90] + ("…" if len(line) > 90 else "")), ()
    snippet, spans = make_snippet(title, body, present[0], **(folds or {}))
    if len(present) == 1:
        return snippet, spans
    folded = fold(snippet)
    if len(folded) == len(snippet):
        marks = set(spans)
        for needle in present[1:]:
            at = folded.find(needle)
            while at >= 0:
                marks.add((at, at + len(needle)))
                at = folded.find(needle, at + len(needle))
        spans = tuple(sorted(marks))
    return snippet, spans
